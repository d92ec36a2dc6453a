"""serve without HTTP: which machines are served to whom, the token rules, the log, --listen."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from configdrive.cli.report import JsonReporter, Reporter, TextReporter, reporter_for
from configdrive.errors import InvalidInputError, UsageError
from configdrive.problems import Problem
from configdrive.serve.log import ServeLog, loggable_path
from configdrive.serve.machines import Served, ServedMachine, load_served
from configdrive.serve.metadata import TEXT, Entry, MetadataTree, NoCloudSeed
from configdrive.serve.server import ListenAddress, parse_listen
from configdrive.serve.service import MetadataService, Reply, Request
from configdrive.serve.tokens import MAX_TOKEN_TTL, MAX_TOKENS_PER_CLIENT, TokenStore
from tests.helpers import FIXTURES

SERVE = FIXTURES / "serve"
WEB_1 = FIXTURES / "machines" / "web-1.yml"
USER = FIXTURES / "valid" / "cloud-init" / "user.yml"
TOKEN_PATH = "/latest/api/token"


def machine_file(folder: Path, name: str, **keys: object) -> Path:
    """A machine file named NAME.yml (JSON is YAML) with the given keys and real user data."""
    path = folder / f"{name}.yml"
    path.write_text(json.dumps({"name": name, "user_data_file": str(USER), **keys}))
    return path


def fleet_file(folder: Path, *machines: Path) -> Path:
    path = folder / "fleet.yml"
    path.write_text(json.dumps({"machines": [str(machine) for machine in machines]}))
    return path


def problems_of(target: Path) -> list[str]:
    with pytest.raises(InvalidInputError) as raised:
        load_served(target)
    return [str(problem) for problem in raised.value.problems]


def address_problems(target: Path) -> list[tuple[str, str]]:
    """The file and message of each problem, which must all be at the `address` key.

    Their line and column follow where the machine file's loader records the key's place.
    """
    with pytest.raises(InvalidInputError) as raised:
        load_served(target)
    assert all(problem.path_text == "address" for problem in raised.value.problems)
    return [(problem.file, problem.message) for problem in raised.value.problems]


# --------------------------------------------------------------------------- who gets what


def test_a_machine_file_without_address_is_served_to_every_client() -> None:
    served = load_served(WEB_1)
    assert [machine.name for machine in served.machines] == ["web-1"]
    for client in ("127.0.0.1", "127.0.0.9", "10.1.2.3", "::1"):
        found = served.machine_for(client)
        assert found is not None
        assert found.name == "web-1"


def test_a_machine_file_with_address_is_served_to_that_address_only(tmp_path: Path) -> None:
    served = load_served(machine_file(tmp_path, "db-1", address="127.0.0.2"))
    assert served.machine_for("127.0.0.1") is None
    found = served.machine_for("127.0.0.2")
    assert found is not None
    assert found.name == "db-1"


def test_a_fleet_is_served_by_address() -> None:
    served = load_served(SERVE / "fleet.yml")
    by_client = {client: served.machine_for(client) for client in ("127.0.0.2", "127.0.0.3")}
    assert {client: m.name for client, m in by_client.items() if m} == {
        "127.0.0.2": "web-a",
        "127.0.0.3": "web-b",
    }
    assert served.machine_for("127.0.0.4") is None
    assert served.machine_for("127.0.0.1") is None


def test_a_folder_of_machine_files_is_a_fleet(tmp_path: Path) -> None:
    machine_file(tmp_path, "a", address="10.0.0.1")
    machine_file(tmp_path, "b", address="10.0.0.2")
    served = load_served(tmp_path)
    assert sorted(machine.name for machine in served.machines) == ["a", "b"]


def test_addresses_are_compared_in_one_spelling(tmp_path: Path) -> None:
    served = load_served(machine_file(tmp_path, "v6", address="FD00:0:0::0:1"))
    machine = served.machines[0]
    assert machine.address == "fd00::1"
    assert served.machine_for("fd00::1") is machine
    ipv4 = load_served(machine_file(tmp_path, "v4", address="127.0.0.2"))
    assert ipv4.machine_for("127.0.0.2") is ipv4.machines[0]


def test_several_machines_each_need_an_address(tmp_path: Path) -> None:
    fleet = fleet_file(tmp_path, machine_file(tmp_path, "a", address="10.0.0.1"),
                       machine_file(tmp_path, "b"))  # fmt: skip
    assert problems_of(fleet) == [
        f"{tmp_path / 'b.yml'}: b has no address: with several machines, each is told by the "
        "address its requests come from; add `address: <its IP>`"
    ]


def test_two_machines_cannot_claim_one_address(tmp_path: Path) -> None:
    fleet = fleet_file(tmp_path, machine_file(tmp_path, "a", address="10.0.0.1"),
                       machine_file(tmp_path, "b", address="::ffff:10.0.0.1"))  # fmt: skip
    assert address_problems(fleet) == [
        (str(tmp_path / "b.yml"), "a and b both claim 10.0.0.1; each machine needs its own address")
    ]


def test_an_address_must_be_an_ip_address(tmp_path: Path) -> None:
    problems = address_problems(machine_file(tmp_path, "a", address="web-1.example.com"))
    assert problems == [(str(tmp_path / "a.yml"), "'web-1.example.com' is not an IP address (a)")]


def test_every_problem_of_every_machine_at_once(tmp_path: Path) -> None:
    bad_user = tmp_path / "user.yml"
    bad_user.write_text("#cloud-config\nusers: [{name: 42}]\n")
    fleet = fleet_file(
        tmp_path,
        machine_file(tmp_path, "a", address="10.0.0.1", hostname="not_a_host"),
        machine_file(tmp_path, "b", address="nowhere", user_data_file=str(bad_user)),
    )
    problems = "\n".join(problems_of(fleet))
    assert "'not_a_host'" in problems
    assert "users[0].name: 42 is not of type 'string'" in problems
    assert "'nowhere' is not an IP address (b)" in problems


def test_the_machines_layout_and_format_are_for_build_only(tmp_path: Path) -> None:
    served = load_served(machine_file(tmp_path, "n", layout="nocloud", format="vfat"))
    assert served.machines[0].tree.lookup("/openstack/latest/meta_data.json") is not None


# --------------------------------------------------------------------------- the answers


def tree(**paths: bytes) -> MetadataTree:
    return MetadataTree({key: Entry(value, TEXT) for key, value in paths.items()})


def two_machines(
    *, require_token: bool = False, clock: list[float] | None = None
) -> MetadataService:
    machines = [
        ServedMachine("a", "127.0.0.2", "uuid-a", tree(**{"latest/meta-data/hostname": b"a"})),
        ServedMachine("b", "127.0.0.3", "uuid-b", tree(**{"latest/meta-data/hostname": b"b"})),
    ]
    now = clock if clock is not None else [0.0]
    return MetadataService(
        Served(machines), require_token=require_token, tokens=TokenStore(clock=lambda: now[0])
    )


def get(service: MetadataService, client: str, path: str, token: str | None = None) -> Reply:
    return service.answer(Request(client, "GET", path, token=token))


def token_for(service: MetadataService, client: str, ttl: str = "60") -> str:
    reply = service.answer(Request(client, "PUT", TOKEN_PATH, ttl=ttl))
    assert reply.status == 200
    assert reply.entry is not None
    assert isinstance(reply.entry.content, bytes)
    return reply.entry.content.decode()


def test_each_client_gets_its_own_machine_and_others_nothing() -> None:
    service = two_machines()
    for client, name in (("127.0.0.2", "a"), ("127.0.0.3", "b"), ("::ffff:127.0.0.3", "b")):
        reply = get(service, client, "/latest/meta-data/hostname")
        assert (reply.status, reply.machine) == (200, name)
        assert reply.entry is not None
        assert reply.entry.content == name.encode()
    stranger = get(service, "127.0.0.4", "/latest/meta-data/hostname")
    assert (stranger.status, stranger.machine, stranger.entry) == (404, None, None)
    assert stranger.note == "no machine has this address"


def test_methods() -> None:
    service = two_machines()
    assert service.answer(Request("127.0.0.2", "HEAD", "/latest/meta-data/hostname")).status == 200
    post = service.answer(Request("127.0.0.2", "POST", "/latest/meta-data/hostname"))
    assert (post.status, post.headers) == (405, (("Allow", "GET, HEAD"),))
    assert get(service, "127.0.0.2", TOKEN_PATH).status == 405
    assert get(service, "127.0.0.2", "/latest/meta-data/nothing").status == 404
    # A stranger learns nothing, not even which methods a path takes.
    assert service.answer(Request("127.0.0.9", "POST", TOKEN_PATH)).status == 404


def test_tokens_are_bound_to_the_client_that_asked() -> None:
    service = two_machines()
    token = token_for(service, "127.0.0.2")
    assert len(token) >= 40
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname", token=token).status == 200
    stolen = get(service, "127.0.0.3", "/latest/meta-data/hostname", token=token)
    assert (stolen.status, stolen.entry) == (401, None)
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname", token="forged").status == 401


def test_tokens_expire() -> None:
    clock = [100.0]
    service = two_machines(clock=clock)
    token = token_for(service, "127.0.0.2", ttl="10")
    clock[0] = 109.9
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname", token=token).status == 200
    clock[0] = 110.0
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname", token=token).status == 401


@pytest.mark.parametrize("ttl", [None, "", "0", "-1", "abc", "1.5", str(MAX_TOKEN_TTL + 1)])
def test_token_requests_need_a_ttl_from_1_to_21600(ttl: str | None) -> None:
    reply = two_machines().answer(Request("127.0.0.2", "PUT", TOKEN_PATH, ttl=ttl))
    assert (reply.status, reply.entry) == (400, None)


def test_token_reply_carries_its_ttl_and_no_token_in_the_note() -> None:
    reply = two_machines().answer(Request("127.0.0.2", "PUT", TOKEN_PATH, ttl=str(MAX_TOKEN_TTL)))
    assert reply.headers == (("X-aws-ec2-metadata-token-ttl-seconds", "21600"),)
    assert reply.entry is not None
    assert isinstance(reply.entry.content, bytes)
    assert reply.entry.content.decode() not in reply.note


def test_token_requests_through_a_proxy_are_refused() -> None:
    reply = two_machines().answer(Request("127.0.0.2", "PUT", TOKEN_PATH, ttl="60", forwarded=True))
    assert reply.status == 403


def test_require_token() -> None:
    service = two_machines(require_token=True)
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname").status == 401
    token = token_for(service, "127.0.0.2")
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname", token=token).status == 200


def test_the_token_store_is_bounded_per_client() -> None:
    now = [0.0]
    store = TokenStore(clock=lambda: now[0], per_client=3)
    first = store.issue("127.0.0.2", 100)
    later = [store.issue("127.0.0.2", 100) for _ in range(3)]
    assert len(store) == 3
    assert not store.valid(first, "127.0.0.2")  # the oldest made room
    assert all(store.valid(token, "127.0.0.2") for token in later)


def test_one_clients_token_flood_leaves_another_clients_token_valid() -> None:
    # The issue's flood: one machine's 66,000 PUTs used to evict every other machine's token.
    service = two_machines()
    kept = token_for(service, "127.0.0.3")
    for _ in range(66_000):
        token_for(service, "127.0.0.2")
    assert get(service, "127.0.0.3", "/latest/meta-data/hostname", token=kept).status == 200
    assert len(service.tokens) == MAX_TOKENS_PER_CLIENT + 1


def test_issuing_a_token_touches_a_bounded_number_of_entries() -> None:
    # Counted, not timed: the old store rebuilt itself (every entry) on each issue once full.
    now = [0.0]
    store = TokenStore(clock=lambda: now[0], per_client=1000)
    for _ in range(5_000):
        store.issue("127.0.0.2", 100)
    before = store.touched
    for _ in range(5_000):
        store.issue("127.0.0.2", 100)
    assert store.touched - before <= 2 * 5_000  # one insert and one eviction each
    # Expired tokens go as their client asks again, each once: still O(1) amortised.
    now[0] = 200.0
    before = store.touched
    for _ in range(5_000):
        store.issue("127.0.0.2", 100)
    assert store.touched - before <= 3 * 5_000
    assert len(store) == 1000


def test_expired_tokens_are_dropped_at_lookup() -> None:
    now = [0.0]
    store = TokenStore(clock=lambda: now[0])
    token = store.issue("127.0.0.2", 10)
    now[0] = 10.0
    assert not store.valid(token, "127.0.0.2")
    assert (len(store), store.clients) == (0, 0)


def test_token_memory_is_bounded_by_quota_and_client_cap() -> None:
    now = [0.0]
    store = TokenStore(clock=lambda: now[0], per_client=4, clients=50)
    for client in range(200):
        for _ in range(10):
            store.issue(f"10.0.{client // 256}.{client % 256}", 100)
    assert store.clients == 50
    assert len(store) == 50 * 4
    # The least recent client made room; the latest keep their newest tokens.
    last = store.issue("10.0.0.199", 100)
    assert store.valid(last, "10.0.0.199")


def test_reload_swaps_what_is_served() -> None:
    service = two_machines()
    service.served = Served([ServedMachine("c", "127.0.0.2", "uuid-c", tree())])
    assert get(service, "127.0.0.2", "/latest/meta-data/hostname").machine == "c"
    assert get(service, "127.0.0.3", "/latest/meta-data/hostname").status == 404


# --------------------------------------------------------------------------- the log


def test_access_lines_name_machine_and_path_never_content() -> None:
    stream = io.StringIO()
    log = ServeLog(stream, clock=lambda: 0.25)
    entry = Entry(b"SECRET-CONTENT", TEXT)
    log.access(Request("127.0.0.2", "GET", "/latest/user-data", token="SECRET-TOKEN"),
               Reply(200, "web-a", entry), 14, 0.0012)  # fmt: skip
    log.access(Request("127.0.0.9", "GET", "/x"), Reply(404, note="no machine has this address"),
               14, 0.001)  # fmt: skip
    assert stream.getvalue().splitlines() == [
        "1970-01-01T00:00:00.250Z 127.0.0.2 web-a GET /latest/user-data 200 14 1.2ms",
        "1970-01-01T00:00:00.250Z 127.0.0.9 - GET /x 404 14 1.0ms (no machine has this address)",
    ]


def test_json_log_lines() -> None:
    stream = io.StringIO()
    log = ServeLog(stream, json=True, clock=lambda: 0.0)
    log.access(Request("127.0.0.2", "GET", "/latest"), Reply(200, "web-a"), 20, 0.0)
    log.event("reloaded", "reloaded: 2 machines", machines=2)
    first, second = map(json.loads, stream.getvalue().splitlines())
    assert first == {
        "time": "1970-01-01T00:00:00.000Z", "event": "request", "client": "127.0.0.2",
        "machine": "web-a", "method": "GET", "path": "/latest", "status": 200, "bytes": 20,
        "ms": 0.0,
    }  # fmt: skip
    assert second["event"] == "reloaded"
    assert second["machines"] == 2


def test_quiet_log_has_no_access_lines_but_events() -> None:
    stream = io.StringIO()
    log = ServeLog(stream, access_lines=False, clock=lambda: 0.0)
    log.access(Request("127.0.0.2", "GET", "/latest"), Reply(200, "web-a"), 20, 0.0)
    log.event("stopped", "stopped")
    assert stream.getvalue() == "1970-01-01T00:00:00.000Z mkconfigdrive: stopped\n"


class _Recorded(ServeLog):
    """A log that keeps what goes through `write` and lets nothing else reach its stream."""

    def __init__(self, **options: Any) -> None:
        super().__init__(io.StringIO(), clock=lambda: 0.0, **options)
        self.written: list[str] = []

    def write(self, text: str) -> None:
        self.written.append(text)


@pytest.mark.parametrize("json_lines", [False, True])
def test_every_log_line_goes_through_write(json_lines: bool) -> None:
    log = _Recorded(json=json_lines, debug=True)
    log.access(Request("127.0.0.2", "GET", "/latest"), Reply(200, "web-a"), 20, 0.0)
    log.event("stopped", "stopped")
    log.problems("reload-failed", "reload failed", [Problem("fleet.yml", "web-b has no address")])
    try:
        raise RuntimeError("a bug")
    except RuntimeError as error:
        log.internal_error("answering /x", error)
    assert isinstance(log.stream, io.StringIO)
    assert log.stream.getvalue() == ""  # nothing went around write
    text = "".join(log.written)
    for expected in ("/latest", "stopped", "reload failed", "internal error (RuntimeError)"):
        assert expected in text
    assert "Traceback" in text


def test_logged_paths_are_one_printable_line() -> None:
    assert loggable_path("/a b\x1b[31m\u00e9") == "/a%20b%1B[31m%E9"
    assert loggable_path("/" + "x" * 500) == "/" + "x" * 199 + "..."


# --------------------------------------------------------------------------- --listen


@pytest.mark.parametrize(
    ("text", "host", "port"),
    [
        ("127.0.0.1:8775", "127.0.0.1", 8775),
        ("0.0.0.0:80", "0.0.0.0", 80),
        ("169.254.169.254", "169.254.169.254", 8775),
        ("9000", "127.0.0.1", 9000),
        (":9000", "127.0.0.1", 9000),
        ("[::1]:8080", "::1", 8080),
        ("[::]", "::", 8775),
        ("::1", "::1", 8775),
        ("127.0.0.1:0", "127.0.0.1", 0),
    ],
)
def test_parse_listen(text: str, host: str, port: int) -> None:
    assert parse_listen(text) == ListenAddress(host, port)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("localhost:8775", "'localhost' is not an IP address"),
        ("127.0.0.1:http", "the port must be a number from 0 to 65535"),
        ("127.0.0.1:65536", "the port must be a number from 0 to 65535"),
        ("[::1:8080", "is not an IP address"),
        ("", "is not an IP address"),
    ],
)
def test_parse_listen_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_listen(text)


def test_listen_address_text() -> None:
    assert str(ListenAddress("::1", 80)) == "[::1]:80"
    assert ListenAddress("127.0.0.1", 8775).url == "http://127.0.0.1:8775/"


def started(reporter: Reporter, served: Served, bound: ListenAddress, **options: bool) -> str:
    """What `serve` prints on stdout once it listens, through `reporter`."""
    reporter.out = io.StringIO()
    reporter.serving(served, bound, require_token=options.get("require_token", False))
    return reporter.out.getvalue()


def test_start_report() -> None:
    served = load_served(SERVE / "fleet.yml")
    bound = ListenAddress("127.0.0.1", 8775)
    text = started(TextReporter(), served, bound, require_token=True)
    lines = text.splitlines()
    assert lines[0] == "Serving 2 machines on http://127.0.0.1:8775/ (IMDSv2 token required)"
    assert lines[1].split() == ["web-a", "127.0.0.2", "5b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"]
    line = started(JsonReporter(), served, ListenAddress("127.0.0.1", 0))
    assert line.count("\n") == 1  # one line: harnesses read a line
    assert line.endswith("\n")
    document = json.loads(line)
    assert document["machines"][1]["address"] == "127.0.0.3"
    assert document["port"] == 0
    everyone = started(TextReporter(), load_served(WEB_1), ListenAddress("::1", 1))
    assert "web-1  every client" in everyone


def test_start_report_escapes_what_a_terminal_would_act_on(tmp_path: Path) -> None:
    served = load_served(machine_file(tmp_path, "web\x1b[2J"))
    text = started(TextReporter(), served, ListenAddress("127.0.0.1", 8775))
    assert "\x1b" not in text
    assert "web\\x1b[2J  every client" in text


def test_quiet_start_report_is_silent_and_json_ignores_quiet() -> None:
    served = load_served(SERVE / "fleet.yml")
    bound = ListenAddress("127.0.0.1", 8775)
    assert started(TextReporter(quiet=True), served, bound) == ""
    quiet_json = reporter_for(True, quiet=True)
    assert json.loads(started(quiet_json, served, bound))["ok"] is True


def test_the_log_takes_the_reporters_form_and_stream() -> None:
    for form, reporter in (("text", TextReporter()), ("json", JsonReporter())):
        reporter.err = io.StringIO()
        log = reporter.serve_log(access_lines=True, debug=False)
        log.event("stopped", "stopped")
        written = reporter.err.getvalue()
        assert written.endswith("\n")
        assert written.startswith("{") == (form == "json"), written


def test_nocloud_paths_of_a_machine_nocloud_cannot_carry_say_why() -> None:
    refused = MetadataTree({}, NoCloudSeed(lambda: "NoCloud cannot carry this machine: files"))
    service = MetadataService(Served([ServedMachine("a", "127.0.0.2", "uuid-a", refused)]))
    reply = get(service, "127.0.0.2", "/nocloud/meta-data")
    assert (reply.status, reply.note) == (404, "NoCloud cannot carry this machine: files")
    assert get(service, "127.0.0.2", "/latest/meta-data/x").note == ""
