"""Faults: a build that is killed, interrupted, out of space or racing another build.

Every test runs the real command line (`python -m configdrive build`) in a child
process and looks only at what a user would see afterwards: the exit code, stderr,
and the files in the output folder. The promise under test is the README's: the
drive appears at its path whole or not at all, a file already there is untouched
unless the new drive replaced it completely, and nothing else is left behind
(except after SIGKILL, which no program can clean up after: then the leftover is
recognisably ours and private).

Signals are sent at seeded random points of the run, measured in bytes of the drive
written so far, never in seconds (stratified, so that every part of the write is hit), so
a failure can be replayed and no load on the machine moves them. At that point the build
is paused (SIGSTOP) before the signal is sent and resumed after it (SIGCONT): the signal
lands exactly where the build was seen to be, not some scheduler-dependent time later.
"""

from __future__ import annotations

import io
import json
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pycdlib
import pytest

from configdrive.formats.atomic import temporary_name_pattern
from tests.helpers import file_sha256

SEED = 5  # issue 5; change it to explore other timings
LARGE_FILE_SIZE = 64 << 20  # a write of many blocks, to be interrupted in the middle
RACE_FILE_SIZE = 32 << 20
MIB = 1 << 20
TARGET = "drive.iso"
PARTIAL = re.compile(r"\.partial$")
INTERRUPTED_EXIT = 130
TERMINATED_EXIT = 143
# A hang guard, not a measure: a build that has not reached a point by then has hung.
HANG_GUARD = 120


# --- running the command line -------------------------------------------------------------


def _default_stop_signals() -> None:
    # A child of a test run may inherit SIG_IGN for SIGINT (pytest started from a
    # non-interactive shell in the background); a user's foreground command never has it.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)


def start_build(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """Start `mkconfigdrive build ARGS` as a user's foreground command would run."""
    return subprocess.Popen(
        [sys.executable, "-m", "configdrive", "build", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=_default_stop_signals,  # noqa: PLW1509 - the tests start no threads
    )


@dataclass(frozen=True)
class Finished:
    """How one child process ended."""

    returncode: int
    stdout: str
    stderr: str


def finish(process: subprocess.Popen[bytes]) -> Finished:
    stdout, stderr = process.communicate(timeout=60)
    return Finished(process.returncode, stdout.decode(), stderr.decode())


def build_now(args: list[str], cwd: Path) -> Finished:
    return finish(start_build(args, cwd))


# --- looking at the output folder ---------------------------------------------------------


def others(folder: Path, target: Path) -> list[str]:
    """Every name in `folder` except the target's: what a build left behind."""
    return sorted(path.name for path in folder.iterdir() if path != target)


def read_from_drive(image: Path, path: str) -> bytes:
    """A file of the drive, read through its Rock Ridge names with pycdlib."""
    iso = pycdlib.PyCdlib()
    iso.open(str(image))
    try:
        out = io.BytesIO()
        iso.get_file_from_iso_fp(out, rr_path=path)
        return out.getvalue()
    finally:
        iso.close()


@dataclass(frozen=True)
class Previous:
    """A file at the target before a run, to prove it is untouched afterwards."""

    data: bytes
    inode: int

    @classmethod
    def place(cls, target: Path, data: bytes) -> Previous:
        target.write_bytes(data)
        return cls(data, target.stat().st_ino)

    def untouched(self, target: Path) -> bool:
        return target.stat().st_ino == self.inode and target.read_bytes() == self.data


def stratified_points(rounds: int, start: float, end: float, rng: random.Random) -> list[float]:
    """One random point in each of `rounds` equal slices of [start, end), shuffled."""
    span = end - start
    points = [start + span * (index + rng.random()) / rounds for index in range(rounds)]
    rng.shuffle(points)
    return points


def partial_size(folder: Path) -> int | None:
    """How many bytes of the drive the build has written so far; None while none is being."""
    for path in folder.iterdir():
        if PARTIAL.search(path.name):
            try:
                return path.stat().st_size
            except FileNotFoundError:  # moved into place meanwhile
                return None
    return None


def pause_at(process: subprocess.Popen[bytes], out: Path, target: Path, point: float,
             drive_size: int) -> str:  # fmt: skip
    """Pause the build (SIGSTOP) at `point`, a fraction of the drive written, and say where.

    point < 0: at once, while it starts. 0 <= point < 1: once the temporary file holds that
    fraction of the drive's bytes. point >= 1: once the drive is in place. Returns the build's
    state when it stopped: "starting", "writing", "in place" or "ended" (it finished first).
    """
    if point >= 0:
        wanted = point * drive_size
        guard = time.monotonic() + HANG_GUARD
        while process.poll() is None:
            written = partial_size(out)
            if point < 1 and written is not None and written >= wanted:
                break
            if point >= 1 and target.exists() and written is None:
                break
            if time.monotonic() > guard:
                process.kill()
                pytest.fail(f"the build never reached {point:.3f} of its drive: hung")
            time.sleep(0.0005)
    if process.poll() is not None:
        return "ended"
    process.send_signal(signal.SIGSTOP)
    if partial_size(out) is not None:
        return "writing"
    return "starting" if point < 0 or not target.exists() else "in place"


def signal_paused(process: subprocess.Popen[bytes], signum: int) -> None:
    """Send `signum` to a build paused by pause_at, then let it run on to receive it."""
    if process.poll() is None:
        process.send_signal(signum)
        process.send_signal(signal.SIGCONT)


# --- inputs -------------------------------------------------------------------------------


def write_spread_file(path: Path, size: int, rng: random.Random) -> None:
    """A sparse file of `size` bytes with random blocks spread over it (distinctive, cheap)."""
    with path.open("wb") as stream:
        stream.truncate(size)
        for offset in range(0, size, 8 * MIB):
            stream.seek(offset)
            stream.write(rng.randbytes(64 * 1024))


@dataclass(frozen=True)
class LargeBuild:
    """A build of a large drive, and what an uninterrupted run of it gives and takes."""

    inputs: Path
    args: list[str]
    reference_sha256: str
    drive_size: int  # bytes: how far a write runs, to pick points along it
    previous: bytes  # a small real drive, the file a --force build would replace


@pytest.fixture(scope="module")
def large_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LargeBuild]:
    folder = tmp_path_factory.mktemp("large")
    inputs = folder / "inputs"
    inputs.mkdir()
    (inputs / "user.yml").write_text("#cloud-config\nhostname: large-1\n")
    write_spread_file(inputs / "large.bin", LARGE_FILE_SIZE, random.Random(SEED))
    (inputs / "small.yml").write_text("#cloud-config\nhostname: previous-1\n")
    args = ["user.yml", "--file", "large.bin:/opt/large.bin", "--mode", "0644", "-q"]

    out = folder / "reference"
    out.mkdir()
    target = out / TARGET
    result = build_now([*args, "-o", str(target)], inputs)
    assert result.returncode == 0, result.stderr
    reference = file_sha256(target)
    drive_size = target.stat().st_size
    target.unlink()
    small = build_now(["small.yml", "-q", "-o", str(target)], inputs)
    assert small.returncode == 0, small.stderr
    previous = target.read_bytes()
    yield LargeBuild(inputs, args, reference, drive_size, previous)
    # Hundreds of MiB: do not leave them for pytest's kept temporary folders.
    shutil.rmtree(folder)


# --- killed and interrupted builds --------------------------------------------------------


def target_state(target: Path, build: LargeBuild, previous: Previous | None) -> str:
    """What is at the target now: `absent`, the untouched `previous` file, the whole `new`
    drive (with the mode asked for), or `other` (which is always a failure)."""
    if not target.exists():
        return "absent"
    if previous is not None and previous.untouched(target):
        return "previous"
    if file_sha256(target) == build.reference_sha256 and target.stat().st_mode & 0o777 == 0o644:
        return "new"
    return "other"


def test_sigkill_at_random_points_leaves_the_old_file_or_a_whole_drive(
    large_build: LargeBuild, tmp_path: Path
) -> None:
    rng = random.Random(f"{SEED}-kill")
    rounds = 8
    hit_while_writing = 0
    # A few points while the command starts (below 0), the rest spread over the write.
    for number, point in enumerate(stratified_points(rounds, -0.25, 1.0, rng)):
        out = tmp_path / f"round-{number}"
        out.mkdir()
        target = out / TARGET
        previous = Previous.place(target, large_build.previous) if number % 2 else None
        force = ["--force"] if previous is not None else []
        process = start_build([*large_build.args, *force, "-o", str(target)], large_build.inputs)
        where = pause_at(process, out, target, point, large_build.drive_size)
        signal_paused(process, signal.SIGKILL)
        result = finish(process)
        note = f"round {number} (seed {SEED}), SIGKILL at {point:.3f} ({where}): {result}"
        before = "previous" if previous is not None else "absent"
        state = target_state(target, large_build, previous)
        if result.returncode == 0:
            assert state == "new", note
        else:
            assert result.returncode == -signal.SIGKILL, note
            # Killed before the rename: what was there; after it: the whole new drive.
            assert state in (before, "new"), f"{state}: {note}"
        leftovers = others(out, target)
        assert len(leftovers) <= 1, note
        for name in leftovers:
            # Nothing could remove it; its name says whose it is, and a partial drive
            # (user data, passwords) is private even when --mode asks for 0644.
            assert temporary_name_pattern(target).fullmatch(name), note
            assert (out / name).stat().st_mode & 0o777 == 0o600, note
            hit_while_writing += 1
        shutil.rmtree(out)
    assert hit_while_writing > 0, "no round killed the build while it was writing"


STOP_SIGNALS = [
    pytest.param(signal.SIGINT, (INTERRUPTED_EXIT,), id="SIGINT"),
    pytest.param(signal.SIGTERM, (INTERRUPTED_EXIT, TERMINATED_EXIT), id="SIGTERM"),
    pytest.param(signal.SIGHUP, (INTERRUPTED_EXIT, 128 + signal.SIGHUP), id="SIGHUP"),
]


@pytest.mark.parametrize(("signum", "stopped_exits"), STOP_SIGNALS)
def test_a_stop_signal_while_writing_cleans_up(
    large_build: LargeBuild, tmp_path: Path, signum: int, stopped_exits: tuple[int, ...]
) -> None:
    """Ctrl-C, SIGTERM, SIGHUP: the old file or none, no temporary, no traceback, exit 130.

    Exit 0 means the build finished first; death by the signal itself is allowed only
    once the complete drive is in place (there is nothing left to undo then).
    """
    rng = random.Random(f"{SEED}-{signal.Signals(signum).name}")
    rounds = 6 if signum == signal.SIGINT else 4
    stopped = 0
    # Spread over the write, and a little past it: once the drive is in place.
    for number, point in enumerate(stratified_points(rounds, 0.0, 1.1, rng)):
        out = tmp_path / f"round-{number}"
        out.mkdir()
        target = out / TARGET
        previous = Previous.place(target, large_build.previous) if number % 2 else None
        force = ["--force"] if previous is not None else []
        process = start_build([*large_build.args, *force, "-o", str(target)], large_build.inputs)
        where = pause_at(process, out, target, point, large_build.drive_size)
        signal_paused(process, signum)
        result = finish(process)
        note = f"round {number} (seed {SEED}), {signal.Signals(signum).name} at {point:.3f} "
        note += f"of the write ({where}): {result}"
        assert "Traceback" not in result.stderr, note
        assert others(out, target) == [], note
        state = target_state(target, large_build, previous)
        if result.returncode in stopped_exits:
            stopped += 1
            assert "interrupted" in result.stderr, note
            assert state == ("previous" if previous is not None else "absent"), f"{state}: {note}"
        else:
            # Finished first (0), or stopped by the signal itself once the drive was in place.
            assert result.returncode in (0, -signum), note
            assert state == "new", f"{state}: {note}"
        shutil.rmtree(out)
    assert stopped > 0, "no round stopped the build while it was writing"


# The rename is an instant: random delays will almost never hit it, so a signal is sent at
# exactly that moment, from inside the child, to prove it lands before or after, never within.
COMMIT_WINDOW_CHILD = """
import os, signal, sys
from pathlib import Path
from configdrive.formats import atomic, signals

target, signum, install = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "cli"
if install:
    signals.install_stop_handlers()
move_into_place = atomic._move_into_place

def signalled_move(temporary, target, *, force):
    os.kill(os.getpid(), signum)
    move_into_place(temporary, target, force=force)

atomic._move_into_place = signalled_move
try:
    with atomic.atomic_output(target, force=True, mode=0o600) as stream:
        stream.write(b"the whole new drive")
except KeyboardInterrupt:
    print("KeyboardInterrupt after the rename")
    raise SystemExit(130) from None
print("the signal was lost")
"""


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_stop_signal_during_the_rename_ends_the_command_with_the_drive_in_place(
    tmp_path: Path, signum: int
) -> None:
    target = tmp_path / TARGET
    Previous.place(target, b"previous drive")
    result = subprocess.run(
        [sys.executable, "-c", COMMIT_WINDOW_CHILD, str(target), str(int(signum)), "cli"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_default_stop_signals,
    )
    # Nothing is left to undo, so the process ends by the signal: no "nothing was written".
    assert (result.returncode, result.stdout, result.stderr) == (-signum, "", "")
    assert target.read_bytes() == b"the whole new drive"
    assert others(tmp_path, target) == []


def test_a_library_caller_gets_the_interrupt_after_the_rename(tmp_path: Path) -> None:
    target = tmp_path / TARGET
    result = subprocess.run(
        [sys.executable, "-c", COMMIT_WINDOW_CHILD, str(target), str(int(signal.SIGINT)), "lib"],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_default_stop_signals,
    )
    assert (result.returncode, result.stdout) == (130, "KeyboardInterrupt after the rename\n")
    assert target.read_bytes() == b"the whole new drive"
    assert others(tmp_path, target) == []


def test_stop_signals_the_parent_ignores_stay_ignored() -> None:
    child = (
        "import signal; from configdrive.formats.signals import install_stop_handlers; "
        "install_stop_handlers(); print(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN, "
        "signal.getsignal(signal.SIGTERM) is signal.SIG_IGN)"
    )

    def ignore_hangups() -> None:
        _default_stop_signals()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as nohup does

    result = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        text=True,
        check=True,
        preexec_fn=ignore_hangups,
    )
    assert result.stdout == "True False\n"


# --- a full disk --------------------------------------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs), so ENOSPC comes from the kernel, not from a mock."""
    folder = tmp_path / "small"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m,mode=0755", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.fail(f"this test needs root to mount a tmpfs: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


@pytest.fixture
def payload(tmp_path: Path) -> Path:
    """Inputs whose drive is larger than the small file system: user.yml and 2 MiB to inject."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / "user.yml").write_text("#cloud-config\nhostname: full-1\n")
    (inputs / "payload.bin").write_bytes(random.Random(SEED).randbytes(2 * MIB))
    return inputs


FULL_ARGS = ["user.yml", "--file", "payload.bin:/opt/payload.bin"]


def test_a_full_disk_fails_with_exit_3_and_leaves_nothing(
    small_filesystem: Path, payload: Path
) -> None:
    target = small_filesystem / TARGET
    result = build_now([*FULL_ARGS, "-o", str(target)], payload)
    assert result.returncode == 3, result
    assert result.stderr == f"mkconfigdrive: {target}: no space left on device\n"
    assert result.stdout == ""
    assert list(small_filesystem.iterdir()) == []
    # The partial file is gone, so is the space it took.
    assert shutil.disk_usage(small_filesystem).used < 64 * 1024


def test_a_full_disk_keeps_the_previous_drive(small_filesystem: Path, payload: Path) -> None:
    target = small_filesystem / TARGET
    made = build_now(["user.yml", "-q", "-o", str(target)], payload)
    assert made.returncode == 0, made
    previous = Previous(target.read_bytes(), target.stat().st_ino)
    result = build_now([*FULL_ARGS, "--force", "--json", "-o", str(target)], payload)
    assert result.returncode == 3, result
    document = json.loads(result.stdout)
    assert document["ok"] is False
    assert document["exit_code"] == 3
    assert "no space left on device" in document["message"]
    assert previous.untouched(target)
    assert others(small_filesystem, target) == []


# --- builds racing for the same output ----------------------------------------------------


@dataclass(frozen=True)
class Racers:
    """Inputs of builds that differ only in their host name, and each one's reference drive."""

    inputs: Path
    references: dict[str, str]  # host name -> sha256 of its drive

    def args(self, hostname: str) -> list[str]:
        return [f"{hostname}.yml", "--file", "race.bin:/opt/race.bin", "-q"]


@pytest.fixture(scope="module")
def racers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Racers]:
    folder = tmp_path_factory.mktemp("race")
    inputs = folder / "inputs"
    inputs.mkdir()
    write_spread_file(inputs / "race.bin", RACE_FILE_SIZE, random.Random(f"{SEED}-race"))
    partial = Racers(inputs, {})
    references = {}
    for hostname in ("race-a", "race-b", "race-c"):
        (inputs / f"{hostname}.yml").write_text(f"#cloud-config\nhostname: {hostname}\n")
        image = folder / f"{hostname}.iso"
        made = build_now([*partial.args(hostname), "-o", str(image)], inputs)
        assert made.returncode == 0, made
        references[hostname] = file_sha256(image)
        image.unlink()
    assert len(set(references.values())) == 3
    yield Racers(inputs, references)
    shutil.rmtree(folder)


def race(racers: Racers, target: Path, extra: list[str]) -> dict[str, Finished]:
    """Start one build per host name at once, all to `target`, and wait for them all."""
    processes = {
        hostname: start_build([*racers.args(hostname), *extra, "-o", str(target)], racers.inputs)
        for hostname in racers.references
    }
    return {hostname: finish(process) for hostname, process in processes.items()}


def assert_one_whole_drive(racers: Racers, target: Path, hostname: str, note: str) -> None:
    """`target` is exactly `hostname`'s reference drive, and it opens as an ISO holding it."""
    assert file_sha256(target) == racers.references[hostname], note
    meta_data = json.loads(read_from_drive(target, "/openstack/latest/meta_data.json"))
    assert meta_data["hostname"] == hostname, note
    assert len(read_from_drive(target, "/openstack/content/0000")) == RACE_FILE_SIZE, note


def test_racing_builds_with_force_leave_one_whole_drive(racers: Racers, tmp_path: Path) -> None:
    for number in range(3):
        out = tmp_path / f"round-{number}"
        out.mkdir()
        target = out / TARGET
        results = race(racers, target, ["--force"])
        note = f"round {number}: {results}"
        assert all(result.returncode == 0 for result in results.values()), note
        winners = [name for name, sha in racers.references.items() if sha == file_sha256(target)]
        assert len(winners) == 1, note
        assert_one_whole_drive(racers, target, winners[0], note)
        assert others(out, target) == [], note
        shutil.rmtree(out)


def test_racing_builds_without_force_one_wins_the_others_fail_cleanly(
    racers: Racers, tmp_path: Path
) -> None:
    for number in range(3):
        out = tmp_path / f"round-{number}"
        out.mkdir()
        target = out / TARGET
        results = race(racers, target, [])
        note = f"round {number}: {results}"
        winners = [name for name, result in results.items() if result.returncode == 0]
        assert len(winners) == 1, note
        for name, result in results.items():
            if name != winners[0]:
                assert result.returncode == 3, note
                assert result.stderr == (
                    f"mkconfigdrive: {target}: exists already; use --force to replace it\n"
                ), note
        assert_one_whole_drive(racers, target, winners[0], note)
        assert others(out, target) == [], note
        shutil.rmtree(out)
