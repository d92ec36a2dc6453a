"""`mkconfigdrive serve`: machines over the OpenStack and EC2 metadata services.

metadata maps URL paths to answers off the config-2 layout; service is the HTTP server.
Internal: the public API is `configdrive`.
"""
