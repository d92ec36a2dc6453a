"""The metadata service: serve, and load-machines (machines into PostgreSQL for it).

Each is a one-command Typer app (running.command_app); the server is imported when the
command runs.
"""

# No `from __future__ import annotations` here: Typer reads the annotations at start-up.

from pathlib import Path
from typing import Annotated, Optional

import typer

from configdrive.cli.report import reporter_for
from configdrive.cli.running import (
    Command,
    DebugOption,
    JsonOption,
    QuietOption,
    StrictOption,
    command_app,
    run_command,
)
from configdrive.errors import UsageError

serve_app = command_app()
load_machines_app = command_app()


# serve --database and load-machines: machines in PostgreSQL (configdrive.serve.store).
DatabaseServeOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--database",
        help="Serve the machines load-machines put in this PostgreSQL database (a libpq URL "
        "or key=value string) instead of MACHINES; follow its changes (LISTEN/NOTIFY) and "
        "keep serving the last good data while it is down (GET /-/health says so).",
        metavar="URL",
        show_default=False,
    ),
]


def _serve_target(machines: Optional[Path], database: Optional[str]) -> Path:  # noqa: UP045
    """MACHINES, or --database: exactly one of them."""
    if machines is not None and database is not None:
        raise UsageError("give MACHINES or --database URL, not both")
    if machines is None and database is None:
        raise UsageError("give MACHINES (a machine file, fleet file or folder) or --database URL")
    return machines if machines is not None else Path()


@serve_app.command("serve", cls=Command)
def serve_command(
    machines: Annotated[
        Optional[Path],  # noqa: UP045 - omitted with --database
        typer.Argument(
            metavar="[MACHINES]",
            help="A machine file, a fleet file (machines: [...]) or a folder of machine files.",
            show_default=False,
        ),
    ] = None,
    listen: Annotated[
        str,
        typer.Option(
            help="Where to listen: an IP address and port ([::1]:8775 for IPv6; port 0 picks "
            "a free one). 8775 is Nova's metadata port: no root needed.",
            metavar="ADDR:PORT",
        ),
    ] = "127.0.0.1:8775",
    require_token: Annotated[
        bool,
        typer.Option(
            "--require-token",
            help="Refuse requests without an IMDSv2 token (PUT /latest/api/token) with 401, "
            "OpenStack paths included.",
        ),
    ] = False,
    strict: StrictOption = False,
    database: DatabaseServeOption = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No access log; print only errors and events.")
    ] = False,
    json_output: Annotated[
        bool,
        typer.Option("--json", help="Print the start as one JSON line; log JSON lines."),
    ] = False,
    trusted_proxy: Annotated[
        list[str] | None,
        typer.Option(
            help="A load balancer's address or network (10.0.0.0/8): from it, the client is "
            "the rightmost X-Forwarded-For address that is not a trusted proxy itself; from "
            "anyone else the header is ignored. Repeatable.",
            metavar="CIDR",
            show_default=False,
        ),
    ] = None,
    proxy_protocol: Annotated[
        bool,
        typer.Option(
            "--proxy-protocol",
            help="Every connection starts with a PROXY protocol v2 header (HAProxy "
            "send-proxy-v2) naming the client; it must come from a --trusted-proxy. Other "
            "connections, and those without a valid header, are closed.",
        ),
    ] = False,
    token_secret_file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            help="Sign IMDSv2 tokens with the secret in this file (at least 32 bytes, readable "
            "by its owner only), so that every instance given the same file accepts a token "
            "another issued (several instances behind one balancer).",
            metavar="FILE",
            show_default=False,
        ),
    ] = None,
    debug: DebugOption = False,
    max_connections: Annotated[
        int | None,
        typer.Option(
            "--max-connections",
            help="Connections open at once, at most; more wait in the listen backlog. "
            "Default: what the open-file limit allows (raised to the hard limit).",
            metavar="N",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve machines over the OpenStack and EC2 metadata services, as build puts them on drives.

    Every machine is validated as build validates it (invalid input: the same problems,
    exit 1, nothing served) and answers with the bytes of its config-2 drive, under
    /openstack/... and EC2's /latest/meta-data/..., /latest/user-data (IMDSv2 tokens too).
    A request gets the machine whose `address` is the client's source address; a client
    no machine claims gets 404. A single machine without an `address` is served to every
    client. Access lines (stderr) name the machine and the path, never the content.
    SIGHUP reloads the input (kept only if valid); SIGTERM or Ctrl-C stops, exit 0.
    With --database, the machines load-machines stored in PostgreSQL are served instead.
    GET /-/health answers any client: ok, or degraded while the database is unreachable.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="nothing is served")

    def run() -> None:
        from configdrive.serve.machines import Served
        from configdrive.serve.proxy import proxies_from_options
        from configdrive.serve.server import ListenAddress, parse_listen, serve

        proxies = proxies_from_options(trusted_proxy or [], proxy_protocol)
        secret = _token_secret(token_secret_file) if token_secret_file is not None else None

        def started(served: Served, bound: ListenAddress) -> None:
            # Logged before the start-up line: whoever waits for that line finds it done.
            if proxies.trusted:
                log.event("proxies", f"behind a load balancer: {proxies.describe()}",
                          trusted=[str(network) for network in proxies.trusted],
                          proxy_protocol=proxies.proxy_protocol)  # fmt: skip
            reporter.serving(served, bound, require_token=require_token)

        log = reporter.serve_log(access_lines=not quiet, debug=debug)
        target = _serve_target(machines, database)
        serve(target, listen=parse_listen(listen), require_token=require_token, strict=strict,
              log=log, on_ready=started, proxies=proxies, database=database,
              token_secret=secret, max_connections=max_connections)  # fmt: skip

    run_command(run, reporter, debug=debug, interrupted="interrupted")


def _token_secret(path: Path) -> bytes:
    """--token-secret-file's secret: long enough, and private (it mints every machine's tokens)."""
    import stat

    from configdrive.errors import describe_os_error
    from configdrive.serve.tokens import MIN_SECRET_BYTES

    try:
        info = path.stat()
        secret = path.read_bytes().strip()
    except OSError as error:
        raise UsageError(f"--token-secret-file {path}: {describe_os_error(error)}") from None
    if stat.S_IMODE(info.st_mode) & 0o077:
        raise UsageError(
            f"--token-secret-file {path}: other users can read it "
            f"(mode {stat.S_IMODE(info.st_mode):04o}); chmod 600 it"
        )
    if len(secret) < MIN_SECRET_BYTES:
        raise UsageError(
            f"--token-secret-file {path}: {len(secret)} bytes; give at least {MIN_SECRET_BYTES} "
            "(head -c 48 /dev/urandom | base64 > FILE)"
        )
    return secret


@load_machines_app.command("load-machines", cls=Command)
def load_machines_command(
    machines: Annotated[
        Path,
        typer.Argument(
            metavar="MACHINES",
            help="A machine file, a fleet file (machines: [...]) or a folder of machine files.",
            show_default=False,
        ),
    ],
    database: Annotated[
        str,
        typer.Option(
            "--database",
            help="The PostgreSQL database (a libpq URL or key=value string).",
            metavar="URL",
            show_default=False,
        ),
    ],
    strict: StrictOption = False,
    quiet: QuietOption = False,
    json_output: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Put machines into PostgreSQL for `serve --database`, replacing what it held.

    Every machine is validated as serve validates it (invalid input: the same problems,
    exit 1, the database unchanged), rendered once (injected files read in), and stored
    in one transaction: machines no longer listed are removed, unchanged ones stay as
    they were. The instances following the database hear of it (NOTIFY) and re-render
    only the machines that changed. Creates its two tables on first use.
    """
    reporter = reporter_for(json_output, quiet=quiet, outcome="the database is unchanged")

    def run() -> None:
        from configdrive.serve.machines import load_served
        from configdrive.serve.store import check_url, store_served

        check_url(database)
        served = load_served(machines, strict=strict)
        reporter.problems(served.warnings)
        reporter.machines_stored(store_served(database, served))

    run_command(run, reporter, debug=debug, interrupted="interrupted; the database is unchanged")
