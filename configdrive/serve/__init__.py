"""`mkconfigdrive serve`: the machines `build` describes, over a metadata service.

Each machine is validated as `build` validates it, laid out as `build` lays out its
config-2 drive, and served as the OpenStack and EC2 metadata services serve it: a machine
reads the same bytes over HTTP as from its drive. The client's source address tells which
machine a request is for.

machines  load and validate the machines; find one by the client's address
metadata  URL paths to answers, off the config-2 layout
tokens    EC2's IMDSv2 session tokens
service   the rules: which reply a request gets (no HTTP)
log       access lines and events, text or JSON
proxy     behind a load balancer: the client's address from trusted proxies only
store     machines in PostgreSQL: load-machines writes them, serve --database reads them
follow    serve --database: follow the database (LISTEN/NOTIFY), serve on when it is down
health    GET /-/health: ok or degraded, for a load balancer
server    Tornado: listen, answer, reload on SIGHUP, stop on SIGTERM/SIGINT

Only the serve command imports this package, so `build` never pays for Tornado.
Internal: the public API is `configdrive`.
"""
