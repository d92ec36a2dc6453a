"""Secrets never reach a message: not in errors, warnings, the summary or the --json document.

`fixtures/secrets/` holds valid inputs full of secrets: password hashes, `admin_pass`,
`chpasswd`, private keys in `write_files` and `ssh_keys`, base64 and gzip content, a
user-data script, MIME parts, an Ignition password hash, vendor data, a private key
file. Each secret carries its own random-looking token (TOKENS), so a plain substring
check is meaningful and names what leaked. Every invalid case below breaks one input
right where a secret is (wrong types, failing schema rules, YAML and JSON syntax, bad
base64 or gzip) and every case runs as text, as --json and with --debug.
"""

from __future__ import annotations

import base64
import gzip
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from configdrive.cli.app import app
from configdrive.validation.json_schemas import describe, is_secret, secret_name, secret_value
from tests.drive_images import UUID, iso_image, openstack_files, write
from tests.helpers import FIXTURES, run_cli

SECRETS = FIXTURES / "secrets"

# The token inside each secret of fixtures/secrets/ (and of the edits below).
TOKENS = {
    "users[0].passwd": "yRKYwBm69Ma1Qp",
    "users[1].hashed_passwd": "x4vwrKZY9XsKhT",
    "users[2].plain_text_passwd": "A1G0JkxABIkxRd",
    "chpasswd.list": "1TUEle4ORso9Wv",
    "chpasswd.users[0].password": "aKVhcOSXyzrZNe",
    "password": "Iwm9hv47FpY6Lc",
    "write_files[0].content (private key)": "DFWfLIxox04cBm",
    "write_files[1].content (b64)": "UGSPXOtyVWwxJa",
    "write_files[2].content (gz+b64)": "aVqUedDxydyDGo",
    "ssh_keys.ed25519_private": "SoaTy1nOABEfKu",
    "runcmd": "M6rBHy4YGhTsZi",
    "admin_pass": "Qx4RKl4a4mS6Ew",
    "random_seed": "nDpLTLWEMEBSVy",
    "meta.password": "sIytysxXpoHlFo",
    "vendor data": "pm4Bv9y0U0T2Hg",
    "vendor data2": "FrYPrOPNvpKAMu",
    "network data": "bsMkxBa9F06cTr",
    "script body": "yO6gkbSHvx7lPa",
    "MIME cloud-config part": "XVs2f62X0yS5Nq",
    "MIME script part": "KKdF4yHcSzlxOb",
    "Ignition passwordHash": "MiiPzWDBjsdzRw",
    "private key file": "eJLAfP7wUFhxCy",
    # Secrets the invalid cases write in place of the fixtures' own.
    "numeric password": "80417362950183",
    "numeric admin_pass": "5550123456789",
    "typo'd password": "Hq7ZtP3vWcLm2K",
}
# Secrets as the files spell them, beside the tokens inside them.
ENCODED = {
    "write_files[1].content as written": "YXBpX2tleT1VR1NQWE90eVZXd3hKYQo=",
    "write_files[2].content as written": "H4sIAAAAAAACAyvJz07Ns00MKwxNTXGpqEypdHHP5wIAfHvEvxUAAAA=",
    "random_seed as written": "bkRwTFRMV0VNRUJTVnl",
    "private key material": "b3BlbnNzaC1rZXktdjE",
}


def leaks(text: str) -> list[str]:
    """The names of the secrets that appear in `text` (any case: a message may lower it)."""
    folded = text.casefold()
    needles = {**TOKENS, **ENCODED}
    return [name for name, needle in needles.items() if needle.casefold() in folded]


def test_the_check_finds_every_secret_in_the_fixtures() -> None:
    """Guard against a token that is in no fixture file (its check would prove nothing)."""
    written = "".join(path.read_text() for path in SECRETS.iterdir())
    edited = {"numeric password", "numeric admin_pass", "typo'd password"}
    # Written only encoded: a message that decoded and quoted them would show the token.
    encoded = {"write_files[1].content (b64)", "write_files[2].content (gz+b64)", "random_seed"}
    assert sorted(leaks(written)) == sorted({*TOKENS, *ENCODED} - edited - encoded)


# --- preparing a case ---------------------------------------------------------------------

Edit = Callable[[Path], None]


def replace(file: str, old: str, new: str) -> Edit:
    """An edit of one fixture file; it fails if `old` is not there (fixture and test in sync)."""

    def edit(folder: Path) -> None:
        path = folder / file
        text = path.read_text()
        assert old in text, f"{old!r} is not in {file}"
        path.write_text(text.replace(old, new, 1))

    return edit


def truncated_gzip(source: str, target: str) -> Edit:
    """`target` is the gzip of `source`, cut short (broken gzip user data)."""

    def edit(folder: Path) -> None:
        data = gzip.compress((folder / source).read_bytes(), mtime=0)
        (folder / target).write_bytes(data[: len(data) // 2])

    return edit


def with_byte_order_mark(file: str) -> Edit:
    def edit(folder: Path) -> None:
        path = folder / file
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    return edit


ALL_INPUTS = [
    "user.yml",
    "--meta-data",
    "meta.yml",
    "--network-data",
    "network.json",
    "--vendor-data",
    "vendor.json",
    "--vendor-data2",
    "vendor2.yml",
    "--ssh-key",
    "../keys/ed25519.pub",
]


@dataclass(frozen=True)
class Case:
    """One run: its command-line arguments (in a copy of fixtures/secrets) and edits."""

    id: str
    edits: tuple[Edit, ...] = ()
    args: tuple[str, ...] = tuple(ALL_INPUTS)
    exit_code: int = 1

    def prepare(self, tmp_path: Path) -> Path:
        folder = tmp_path / "secrets"
        shutil.copytree(SECRETS, folder)
        shutil.copytree(FIXTURES / "keys", tmp_path / "keys")
        for edit in self.edits:
            edit(folder)
        return folder


PASSWD_HASH = "$6$rounds=4096$yRKYwBm69Ma1Qp$Cz1x.4eUq7"
PASSWD = f"passwd: {PASSWD_HASH}"
PLAIN_SECRET = "A1G0JkxABIkxRd"
PLAIN = f"plain_text_passwd: {PLAIN_SECRET}"
PRIVATE_KEY_CONTENT = "    content: |\n      -----BEGIN OPENSSH PRIVATE KEY-----"
B64_CONTENT = "content: YXBpX2tleT1VR1NQWE90eVZXd3hKYQo="
GZ_CONTENT = "content: H4sIAAAAAAACAyvJz07Ns00MKwxNTXGpqEypdHHP5wIAfHvEvxUAAAA="
PUBLIC_KEY = (
    "      - ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDGGPyjtK95uoDdN40sOHh3feex1DNsmQpYmul2NNnp8"
)
SEED = "random_seed: bkRwTFRMV0VNRUJTVnl"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


VALID_CASES = [
    Case("everything", exit_code=0),
    Case("script", args=("script.sh", "--meta-data", "meta.json"), exit_code=0),
    Case("mime", args=("mime.txt", "--vendor-data", "vendor.json"), exit_code=0),
    Case("ignition", args=("ignition.json", "--vendor-data2", "vendor2.yml"), exit_code=0),
    Case(
        "typo-warning",
        (replace("user.yml", PLAIN, f"{PLAIN}\n    pasword: Hq7ZtP3vWcLm2K"),),
        exit_code=0,
    ),
]

INVALID_CASES = [
    # Wrong types right at the secret.
    Case("passwd-list", (replace("user.yml", PASSWD, f'passwd: ["{PASSWD_HASH}"]'),)),
    Case("passwd-number", (replace("user.yml", PASSWD, "passwd: 80417362950183"),)),
    Case(
        "hashed-passwd-mapping",
        (
            replace("user.yml", "hashed_passwd: $6$", "hashed_passwd: {hash: $6$"),
            replace("user.yml", "$0aH3", "$0aH3}"),
        ),
    ),
    Case(
        "plain-passwd-list", (replace("user.yml", PLAIN, f"plain_text_passwd: [{PLAIN_SECRET}]"),)
    ),
    Case(
        "chpasswd-list-no-colon",
        (replace("user.yml", "list: |\n    root:1TUEle4ORso9Wv", "list:\n    - 1TUEle4ORso9Wv"),),
    ),
    Case(
        "chpasswd-password-list",
        (replace("user.yml", "password: aKVhcOSXyzrZNe", "password: [aKVhcOSXyzrZNe]"),),
    ),
    Case(
        "chpasswd-password-in-type",
        (
            replace("user.yml", "password: aKVhcOSXyzrZNe", "password: text"),
            replace("user.yml", "type: text", "type: aKVhcOSXyzrZNe"),
        ),
    ),
    Case(
        "password-mapping",
        (replace("user.yml", "password: Iwm9hv47FpY6Lc", "password: {value: Iwm9hv47FpY6Lc}"),),
    ),
    Case(
        "private-key-content-list",
        (replace("user.yml", PRIVATE_KEY_CONTENT, PRIVATE_KEY_CONTENT.replace("|", "\n    - |")),),
    ),
    Case(
        "ssh-keys-private-list",
        (
            replace(
                "user.yml", "ed25519_private: |\n    -----", "ed25519_private:\n  - |\n    -----"
            ),
        ),
    ),
    Case(
        "private-key-as-authorized-key",
        (
            replace(
                "user.yml",
                PUBLIC_KEY,
                "      - -----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXktdjEAAAAA"
                "DFWfLIxox04cBm -----END OPENSSH PRIVATE KEY-----\n" + PUBLIC_KEY,
            ),
        ),
    ),
    Case(
        "admin-pass-list",
        (
            replace("meta.yml", "admin_pass: Qx4R", "admin_pass: [Qx4R"),
            replace("meta.yml", "mS6Ew", "mS6Ew]"),
        ),
    ),
    Case(
        "admin-pass-number",
        (replace("meta.yml", "admin_pass: Qx4RKl4a4mS6Ew", "admin_pass: 5550123456789"),),
    ),
    Case("random-seed-not-base64", (replace("meta.yml", SEED, "random_seed: nDpLTLWEMEBSVy!!"),)),
    Case(
        "meta-secret-names",
        (
            replace(
                "meta.yml",
                "  role: db",
                "  role: db\n  db_password: 80417362950183\n  api_key: [80417362950183]",
            ),
        ),
    ),
    Case(
        "meta-password-number",
        (replace("meta.yml", "password: sIytysxXpoHlFo", "password: 80417362950183"),),
    ),
    # Bad base64 and gzip content.
    Case("b64-content-broken", (replace("user.yml", B64_CONTENT, "content: api=UGSPXOtyVWwxJa!"),)),
    Case(
        "gz-content-not-gzip",
        (replace("user.yml", GZ_CONTENT, f"content: {_b64('token=aVqUedDxydyDGo')}"),),
    ),
    Case(
        "gzip-user-data-truncated",
        (truncated_gzip("script.sh", "script.sh.gz"),),
        args=("script.sh.gz",),
    ),
    Case("script-with-bom", (with_byte_order_mark("script.sh"),), args=("script.sh",)),
    # YAML syntax broken on the line of a secret.
    Case(
        "yaml-unterminated-quote",
        (replace("user.yml", PLAIN, f'plain_text_passwd: "{PLAIN_SECRET}'),),
    ),
    Case("yaml-mapping-in-value", (replace("user.yml", PLAIN, f"{PLAIN}: again"),)),
    Case("yaml-tab", (replace("user.yml", f"    {PLAIN}", f"\t{PLAIN}"),)),
    Case("yaml-control-character", (replace("user.yml", PLAIN, f"{PLAIN}\x07"),)),
    Case(
        "yaml-bad-escape", (replace("user.yml", PLAIN, f'plain_text_passwd: "{PLAIN_SECRET}\\q"'),)
    ),
    Case("yaml-duplicate-key", (replace("user.yml", PLAIN, f"{PLAIN}\n    {PLAIN}"),)),
    # A password starting with * or ! is an alias or a tag to YAML.
    Case("yaml-alias", (replace("user.yml", PLAIN, f"plain_text_passwd: *{PLAIN_SECRET}"),)),
    Case("yaml-tag", (replace("user.yml", PLAIN, f"plain_text_passwd: !{PLAIN_SECRET}"),)),
    Case("yaml-int-tag", (replace("user.yml", PLAIN, f"plain_text_passwd: !!int {PLAIN_SECRET}"),)),
    Case(
        "yaml-bool-tag", (replace("user.yml", PLAIN, f"plain_text_passwd: !!bool {PLAIN_SECRET}"),)
    ),
    Case(
        "yaml-timestamp-tag",
        (replace("user.yml", PLAIN, f"plain_text_passwd: !!timestamp {PLAIN_SECRET}"),),
    ),
    Case(
        "yaml-binary-tag",
        (replace("user.yml", PLAIN, f"plain_text_passwd: !!binary {PLAIN_SECRET}!"),),
    ),
    Case("meta-yaml-alias", (replace("meta.yml", "admin_pass: Qx4R", "admin_pass: *Qx4R"),)),
    Case(
        "meta-json-syntax",
        (replace("meta.json", '"admin_pass": "Qx4RKl4a4mS6Ew"', '"admin_pass": Qx4RKl4a4mS6Ew'),),
        args=("script.sh", "--meta-data", "meta.json"),
    ),
    Case(
        "vendor-json-unterminated",
        (replace("vendor.json", '"pm4Bv9y0U0T2Hg"\n', '"pm4Bv9y0U0T2Hg\n'),),
    ),
    Case("vendor2-yaml-syntax", (replace("vendor2.yml", "token: FrYP", "token: FrYP: x"),)),
    Case(
        "mime-part-yaml-alias",
        (replace("mime.txt", "password: XVs2", "password: *XVs2"),),
        args=("mime.txt",),
    ),
    Case(
        "ignition-json-syntax",
        (replace("ignition.json", '"passwordHash":', '"passwordHash"'),),
        args=("ignition.json",),
    ),
    # Any line of a part's header block is user data; a stray one is a MIME defect.
    Case(
        "mime-part-header-line",
        (
            replace(
                "mime.txt",
                'Content-Type: text/x-shellscript; charset="us-ascii"\n',
                'Content-Type: text/x-shellscript; charset="us-ascii"\nFrom KKdF4yHcSzlxOb\n'
                "MIME-Version: 1.0\n",
            ),
        ),
        args=("mime.txt",),
    ),
    # Private keys given where a public key belongs: a key file, and its text pasted inline.
    Case("private-key-file", args=("script.sh", "--ssh-key", "id_ed25519")),
    Case(
        "private-key-inline",
        args=("script.sh", "--ssh-key", (SECRETS / "id_ed25519").read_text()),
    ),
    Case(
        "typo-warning-strict",
        (replace("user.yml", PLAIN, f"{PLAIN}\n    pasword: Hq7ZtP3vWcLm2K"),),
        args=(*ALL_INPUTS, "--strict"),
    ),
]

MODES = {"text": [], "json": ["--json"], "debug": ["--debug"]}


def invoke(folder: Path, args: list[str]) -> tuple[int, str, str]:
    """Run the command in-process (dozens of runs: no interpreter start-up for each)."""
    runner = CliRunner()
    result = runner.invoke(app, ["build", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[[Case], Path]:
    def prepare(case: Case) -> Path:
        folder = case.prepare(tmp_path)
        monkeypatch.chdir(folder)
        return folder

    return prepare


@pytest.mark.parametrize("case", VALID_CASES + INVALID_CASES, ids=lambda case: case.id)
def test_no_secret_in_any_output(case: Case, in_folder: Callable[[Case], Path]) -> None:
    folder = in_folder(case)
    for mode, extra in MODES.items():
        target = folder / f"{mode}.iso"
        code, stdout, stderr = invoke(folder, [*case.args, *extra, "-o", str(target)])
        shown = f"{case.id} ({mode}): exit {code}\n{stdout}{stderr}"
        assert leaks(stdout + stderr) == [], shown
        # Invalid input is reported as such: an internal error's --debug traceback would
        # print the exception, and exceptions may quote the input.
        assert code == case.exit_code, shown
        assert target.exists() == (code == 0), shown


def test_the_real_command_line_keeps_secrets_too(tmp_path: Path) -> None:
    """The same, through `python -m configdrive` (the in-process runs share its code)."""
    folder = Case("real").prepare(tmp_path)
    built = run_cli("build", *ALL_INPUTS, "-o", tmp_path / "d.iso", cwd=folder)
    assert built.returncode == 0, built.stderr
    assert "Built" in built.stdout
    broken = Case(
        "real-broken",
        (
            replace("meta.yml", "admin_pass: Qx4R", "admin_pass: [Qx4R"),
            replace("meta.yml", "mS6Ew", "mS6Ew]"),
        ),
    )
    folder = broken.prepare(tmp_path / "broken")
    failed = run_cli("build", *ALL_INPUTS, "--debug", "-o", tmp_path / "e.iso", cwd=folder)
    assert failed.returncode == 1
    assert "admin_pass: the value is not of type 'string'" in failed.stderr
    assert leaks(built.stdout + built.stderr + failed.stdout + failed.stderr) == []


# --- secrets told by what they are and where they sit ---------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "password", "passwd", "hashed_passwd", "plain_text_passwd", "chpasswd", "admin_pass",
        "passwordHash", "db_password", "wifi_password", "etcd-password", "DB_PASSWORD",
        "token", "registration_token", "client_secret", "aws_secret_access_key", "secret",
        "api_key", "apiKey", "API_KEY", "private_key", "secret_key", "access_key", "host_key",
        "ssh_keys", "passphrase", "credentials", "psk", "content", "random_seed",
    ],
)  # fmt: skip
def test_a_secret_is_told_by_the_words_of_its_name(name: str) -> None:
    assert secret_name(name)
    assert is_secret(("meta", name, 0))
    assert describe(9999, ("meta", name)) == "the value"


@pytest.mark.parametrize(
    "name",
    [
        "public_keys", "public-keys", "ssh_authorized_keys", "sshAuthorizedKeys", "keys", "key",
        "keyid", "keyserver", "keyboard", "key_type", "ssh_pwauth", "passthrough", "hostname",
        "uuid", "role", "ssh_genkeytypes", "ssh_key_console_blacklist", "pin", "pin-priority",
    ],
)  # fmt: skip
def test_public_keys_and_plain_names_stay_visible(name: str) -> None:
    assert not secret_name(name)
    assert describe(9999, ("meta", name)) == "9999"


def test_a_private_key_is_a_secret_wherever_it_sits() -> None:
    key = (SECRETS / "id_ed25519").read_text()
    assert secret_value(key)
    assert secret_value(f"note: {key.splitlines()[0]}")
    assert secret_value("-----BEGIN RSA PRIVATE KEY-----\nMIIE")
    assert not secret_value("-----BEGIN PUBLIC KEY-----\nMIIB")
    assert not secret_value(["-----BEGIN RSA PRIVATE KEY-----"])  # a list is walked, not read
    assert describe(key, ("meta", "note")) == "the value"


def _inspect(drive: Path, *extra: str) -> str:
    result = run_cli("inspect", drive, *extra)
    assert result.returncode in (0, 1), result.stderr
    return result.stdout + result.stderr


@pytest.mark.parametrize("layout", ["openstack", "nocloud"])
def test_inspect_shows_no_secret_of_a_drive_full_of_them(tmp_path: Path, layout: str) -> None:
    """Our own drive of every fixture: not one secret in inspect's text or --json."""
    folder = Case("inspect").prepare(tmp_path)
    drive = tmp_path / "drive.iso"
    # A NoCloud seed has one vendor data document.
    inputs = ALL_INPUTS if layout == "openstack" else ALL_INPUTS[:-4] + ALL_INPUTS[-2:]
    built = run_cli("build", *inputs, "--layout", layout, "-o", drive, "-q", cwd=folder)
    assert built.returncode == 0, built.stderr
    for extra in ([], ["--json"]):
        assert leaks(_inspect(drive, *extra)) == [], extra
    # --show user-data prints the user data as asked: its own secrets, and no other.
    in_user_data = leaks((folder / "user.yml").read_text())
    shown = leaks(_inspect(drive, "--show", "user-data"))
    assert "password" in shown
    assert set(shown) <= set(in_user_data)
    revealed = json.loads(run_cli("inspect", drive, "--json", "--show", "secrets").stdout)
    assert "sIytysxXpoHlFo" in json.dumps(revealed)  # meta.password, as asked


def test_inspect_hides_secrets_by_name_value_and_place(tmp_path: Path) -> None:
    """meta keys named as secrets, vendor data's cloud-config and token, a private key."""
    private_key = (SECRETS / "id_ed25519").read_text()
    meta = {
        "uuid": UUID,
        "hostname": "web-1",
        "meta": {
            "db_password": "Zk3pWq9RtY2mLx",
            "api_key": "Jh7VbN2cXz4QsD",
            "aws_secret_access_key": "Tg5HyU8iKo1PlM",
            "motd": private_key,
            "role": "db",
        },
    }
    vendor = (SECRETS / "vendor.json").read_bytes()
    files = openstack_files(
        meta, versions=("latest",), extra={"openstack/latest/vendor_data.json": vendor}
    )
    drive = write(tmp_path / "d.iso", iso_image(files))
    secrets = ["Zk3pWq9RtY2mLx", "Jh7VbN2cXz4QsD", "Tg5HyU8iKo1PlM", "pm4Bv9y0U0T2Hg"]
    for extra in ([], ["--json"]):
        shown = _inspect(drive, *extra)
        assert [secret for secret in secrets if secret in shown] == [], extra
        assert leaks(shown) == [], extra
    document = json.loads(_inspect(drive, "--json"))
    assert document["cloud_init"]["metadata"]["meta"]["role"] == "db"
    assert document["cloud_init"]["metadata"]["meta"]["motd"] == "<hidden>"
    assert document["cloud_init"]["vendor_data"] == {
        "cloud-init": "<hidden>",
        "registration_token": "<hidden>",
    }
    revealed = _inspect(drive, "--json", "--show", "secrets")
    assert all(secret in revealed for secret in secrets)


def test_inspect_hides_nocloud_meta_data_secrets(tmp_path: Path) -> None:
    meta_data = (
        b"instance-id: iid-1\nlocal-hostname: web-1\nroot_password: Vc6BnM1aSd9FgH\n"
        b"app:\n  apiToken: Qw2ErT5yUi8OpA\n  user: admin\n"
    )
    seed = {"user-data": b"#cloud-config\n", "meta-data": meta_data}
    drive = write(tmp_path / "seed.iso", iso_image(seed, label="cidata"))
    shown = _inspect(drive, "--json")
    assert "Vc6BnM1aSd9FgH" not in shown
    assert "Qw2ErT5yUi8OpA" not in shown
    assert json.loads(shown)["cloud_init"]["metadata"]["app"]["user"] == "admin"
