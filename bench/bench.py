"""mkconfigdrive against the tools people use today, side by side, in one run.

Run by hand with `bench/run` (which installs the peers first), never as a test:
timings depend on the machine. Every case runs each contender once per round,
in an order that rotates between rounds, and reports medians and ratios. The
table is printed and written as JSON.

Cases:
  cli     the README's example as a whole process, `--help` and `validate` of one file;
          peers: cloud-localds, and genisoimage / xorriso on a tree made beforehand
          (their best case)
  api     distinct drives through the Python API on one core, durable (fsynced) and not,
          against the openstacksdk way (write a temporary tree, run genisoimage, read back)
  big     1 GiB of injected files: wall time and peak memory
  size    Nova's full version list: image size against genisoimage's
  fleet   build-many's engine: drives per second on one core and on all cores

After the cases, every target of issue 16 is printed with its measured ratio and
whether it is met (`TARGETS`).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from configdrive import api  # noqa: E402
from configdrive.layouts.drive_layout import DriveLayout, FileContent  # noqa: E402

EXAMPLE = ROOT / "fixtures" / "valid" / "container-linux"
EXAMPLE_ARGS = [
    str(EXAMPLE / "user.yml"),
    "--meta-data",
    str(EXAMPLE / "machine.yml"),
    "--network-data",
    str(EXAMPLE / "network.json"),
]
MKCONFIGDRIVE = Path(sys.executable).with_name("mkconfigdrive")
# The flags Nova's configdrive.py passes to genisoimage (openstacksdk's pack() uses the same).
NOVA_FLAGS = [
    "-ldots",
    "-allow-lowercase",
    "-allow-multidot",
    "-l",
    "-publisher",
    "OpenStack Compute",
    "-quiet",
    "-J",
    "-r",
    "-V",
    "config-2",
]
MIB = 1024 * 1024
# The core the one-core cases run on (--cpu): the last, by default, away from interrupts.
CPU = max(os.sched_getaffinity(0))


@dataclass
class Result:
    """One case: every contender's samples (seconds, bytes or drives/s) and extra facts."""

    case: str
    unit: str
    samples: dict[str, list[float]] = field(default_factory=dict)
    notes: dict[str, Any] = field(default_factory=dict)

    def median(self, name: str) -> float:
        return statistics.median(self.samples[name])


def rounds(contenders: dict[str, Callable[[], float]], count: int) -> dict[str, list[float]]:
    """Run each contender once per round, rotating the order so none always goes first."""
    names = list(contenders)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(count):
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(contenders[name]())
    return samples


def timed(command: list[str], **kwargs: Any) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, **kwargs)
    return time.perf_counter() - start


def timed_rss(command: list[str]) -> tuple[float, int]:
    """Wall time and the program's own peak RSS in bytes.

    GNU time measures it: a child forked from this (large) Python process would report
    this process's memory as its own peak until it execs.
    """
    report = tempfile.NamedTemporaryFile(prefix="rss-", delete=False)  # noqa: SIM115
    report.close()
    start = time.perf_counter()
    subprocess.run(
        ["/usr/bin/time", "-f", "%M", "-o", report.name, *command],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    elapsed = time.perf_counter() - start
    peak_kib = int(Path(report.name).read_text().split()[-1])
    Path(report.name).unlink()
    return elapsed, peak_kib * 1024


def example_layout(
    files: list[str] | None = None, hostname: str | None = None, uuid: str | None = None
) -> DriveLayout:
    spec = api.machine_spec(
        EXAMPLE / "user.yml",
        meta_data=EXAMPLE / "machine.yml",
        network_data=EXAMPLE / "network.json",
        files=files or [],
        hostname=hostname,
        uuid=uuid,
    )
    return api.layout_drive(api.validate_machine(spec))


def write_tree(layout: DriveLayout, root: Path) -> None:
    """The layout as files, the way Nova and openstacksdk stage a drive (payloads hard-linked)."""
    for path, content in layout.files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, FileContent):
            os.link(content.path, target)
        else:
            target.write_bytes(content)


def case_cli(work: Path, count: int) -> Result:
    tree = work / "tree"
    write_tree(example_layout(), tree)
    seed_meta = work / "meta-data"
    seed_meta.write_text("instance-id: bench\nlocal-hostname: bench\n")
    out = work / "out.iso"

    def build_fresh() -> float:
        # A hook writes a new drive: no old one to read for the instance-id warning.
        out.unlink(missing_ok=True)
        return timed([str(MKCONFIGDRIVE), "build", *EXAMPLE_ARGS, "-o", str(out), "-q"])

    contenders = {
        "mkconfigdrive": build_fresh,
        "mkconfigdrive --help": lambda: timed([str(MKCONFIGDRIVE), "--help"]),
        "mkconfigdrive validate user.yml": lambda: timed(
            [str(MKCONFIGDRIVE), "validate", str(EXAMPLE / "user.yml"), "-q"]
        ),
        # What no start-up of ours can go below: Python importing the three libraries the
        # project is built on (Typer, PyYAML, pycdlib), and nothing else.
        "python: import typer, yaml, pycdlib": lambda: timed(
            [sys.executable, "-c", "import typer, yaml, pycdlib"]
        ),
        "cloud-localds": lambda: timed(
            ["cloud-localds", str(work / "seed.img"), str(EXAMPLE / "user.yml"), str(seed_meta)]
        ),
        "genisoimage (tree ready)": lambda: timed(
            ["genisoimage", "-o", str(work / "g.iso"), *NOVA_FLAGS, str(tree)]
        ),
        "xorriso -as mkisofs (tree ready)": lambda: timed(
            ["xorriso", "-as", "mkisofs", "-o", str(work / "x.iso"), *NOVA_FLAGS, str(tree)],
            stderr=subprocess.DEVNULL,
        ),
    }
    return Result("cli", "s", rounds(contenders, count))


def openstacksdk_way(layout: DriveLayout) -> bytes:
    """openstacksdk's configdrive.build without gzip and base64: tree, genisoimage, read back."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        write_tree(layout, tree)
        image = Path(folder) / "drive.iso"
        subprocess.run(
            ["genisoimage", "-o", str(image), *NOVA_FLAGS, str(tree)],
            check=True,
            capture_output=True,
        )
        return image.read_bytes()


def case_api(work: Path, count: int, drives: int) -> Result:
    """Per-drive time through the API on one core: distinct machines, as in a fleet."""
    os.sched_setaffinity(0, {CPU})
    machines = [
        (f"web-{index}", f"00000000-0000-4000-8000-{index:012d}") for index in range(drives)
    ]

    def ours(durable: bool) -> float:
        # Every drive a new file, as a provisioning hook writes it; the folder is emptied
        # between rounds, untimed.
        folder = work / ("durable" if durable else "scratch")
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        os.sync()
        start = time.perf_counter()
        for index, (hostname, uuid) in enumerate(machines):
            api.build(
                EXAMPLE / "user.yml",
                folder / f"web-{index}.iso",
                meta_data=EXAMPLE / "machine.yml",
                network_data=EXAMPLE / "network.json",
                hostname=hostname,
                uuid=uuid,
                durable=durable,
            )
        return drives / (time.perf_counter() - start)

    # The peer gets its files ready-made: only the tree, genisoimage and the read-back are timed.
    peer_layouts = [
        example_layout(hostname=hostname, uuid=uuid)
        for hostname, uuid in machines[: max(drives // 10, 5)]
    ]

    def peer() -> float:
        start = time.perf_counter()
        for layout in peer_layouts:
            openstacksdk_way(layout)
        return len(peer_layouts) / (time.perf_counter() - start)

    samples = rounds(
        {
            "mkconfigdrive API (durable)": lambda: ours(True),
            "mkconfigdrive API, durable=False": lambda: ours(False),
            "openstacksdk way (no fsync)": peer,
        },
        count,
    )
    os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))
    return Result("api", "drives/s", samples, {"drives per round": drives, "cores": 1})


def case_big(work: Path, count: int, gib: float) -> Result:
    payload = work / "payload"
    payload.mkdir()
    files = []
    quarter = int(gib * 1024 * MIB) // 4
    for index in range(4):
        path = payload / f"blob{index}"
        with path.open("wb") as stream:
            for _ in range(quarter // MIB):
                stream.write(os.urandom(MIB))
        files.append(f"{path}:/opt/payload/blob{index}")
    tree = work / "bigtree"
    write_tree(example_layout(files), tree)
    flags = [arg for spec in files for arg in ("--file", spec)]
    out = work / "big.iso"
    rss: dict[str, list[int]] = {
        "mkconfigdrive": [],
        "mkconfigdrive, uuid derived": [],
        "mkconfigdrive --no-sync": [],
        "genisoimage": [],
        "genisoimage, then fsync": [],
        "xorriso": [],
    }

    def run(name: str, command: list[str], output: Path) -> float:
        output.unlink(missing_ok=True)
        # Nobody pays for another's dirty pages: each run starts with the disk caught up.
        os.sync()
        elapsed, peak = timed_rss(command)
        rss[name].append(peak)
        output.unlink()
        return elapsed

    # The peers' tree holds a uuid already, as Nova's does: ours is given it too. The second
    # row derives it instead, which reads every payload once more to hash it.
    uuid = ["--uuid", "6f2e1c3a-8d4b-4f5e-9a7c-1b2c3d4e5f60"]
    ours = [str(MKCONFIGDRIVE), "build", *EXAMPLE_ARGS, *flags, *uuid, "-o", str(out), "-q"]
    derived = [str(MKCONFIGDRIVE), "build", *EXAMPLE_ARGS, *flags, "-o", str(out), "-q"]
    contenders = {
        "mkconfigdrive": lambda: run("mkconfigdrive", ours, out),
        "mkconfigdrive, uuid derived": lambda: run("mkconfigdrive, uuid derived", derived, out),
        # genisoimage's own durability: the drive left to the page cache.
        "mkconfigdrive --no-sync": lambda: run(
            "mkconfigdrive --no-sync", [*ours, "--no-sync"], out
        ),
        "genisoimage": lambda: run(
            "genisoimage",
            ["genisoimage", "-o", str(work / "g.iso"), *NOVA_FLAGS, str(tree)],
            work / "g.iso",
        ),
        # We fsync the drive before it takes its name; genisoimage leaves it to the page
        # cache. This row pays for the same durability: genisoimage, then `sync FILE`.
        "genisoimage, then fsync": lambda: run(
            "genisoimage, then fsync",
            [
                "sh",
                "-c",
                'genisoimage "$@" && sync "$2"',
                "sh",
                "-o",
                str(work / "gs.iso"),
                *NOVA_FLAGS,
                str(tree),
            ],
            work / "gs.iso",
        ),
        "xorriso": lambda: run(
            "xorriso",
            [
                "xorriso",
                "-as",
                "mkisofs",
                "-quiet",
                "-o",
                str(work / "x.iso"),
                *NOVA_FLAGS,
                str(tree),
            ],
            work / "x.iso",
        ),
    }
    samples = rounds(contenders, count)
    notes = {
        "payload MiB": 4 * quarter // MIB,
        "peak RSS MiB": {name: round(max(values) / MIB, 1) for name, values in rss.items()},
    }
    shutil.rmtree(payload)
    shutil.rmtree(tree)
    return Result("big", "s", samples, notes)


def case_size(work: Path) -> Result:
    tree = work / "sizetree"
    layout = example_layout()
    write_tree(layout, tree)
    ours = work / "ours.iso"
    api.build(
        EXAMPLE / "user.yml",
        ours,
        meta_data=EXAMPLE / "machine.yml",
        network_data=EXAMPLE / "network.json",
        force=True,
    )
    subprocess.run(
        ["genisoimage", "-o", str(work / "g.iso"), *NOVA_FLAGS, str(tree)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    subprocess.run(
        ["xorriso", "-as", "mkisofs", "-quiet", "-o", str(work / "x.iso"), *NOVA_FLAGS, str(tree)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    sizes = {
        "mkconfigdrive": [float(ours.stat().st_size)],
        "genisoimage": [float((work / "g.iso").stat().st_size)],
        "xorriso": [float((work / "x.iso").stat().st_size)],
    }
    return Result("size", "bytes", sizes, {"files on the drive": len(layout.files)})


def case_fleet(work: Path, count: int, drives: int) -> Result:
    """build_fleet over `drives` distinct machines, one worker and one per core."""
    from configdrive.inputs.fleet import build_fleet, load_fleet

    lines = ["machines:"]
    for index in range(drives):
        lines.append(
            f"  - {{name: web-{index}, hostname: web-{index}.example.com, "
            f"user_data_file: {EXAMPLE / 'user.yml'}, meta_data_file: {EXAMPLE / 'machine.yml'}, "
            f"network_data_file: {EXAMPLE / 'network.json'}}}"
        )
    fleet = work / "fleet.yml"
    fleet.write_text("\n".join(lines) + "\n")
    machines = load_fleet(fleet)
    cores = os.cpu_count() or 1

    def run(jobs: int, durable: bool = True) -> float:
        # A new folder each round, as a fleet is built (replacing drives reads each old one
        # first, for the instance-id warning: another case).
        folder = work / f"drives-{jobs}-{durable}"
        shutil.rmtree(folder, ignore_errors=True)
        os.sync()
        start = time.perf_counter()
        outcomes = build_fleet(machines, folder, jobs=jobs, durable=durable)
        elapsed = time.perf_counter() - start
        if not all(outcome.ok for outcome in outcomes):
            raise RuntimeError("a fleet machine failed")
        return drives / elapsed

    samples = rounds(
        {
            f"build-many, {cores} cores": lambda: run(cores),
            "build-many, 1 core": lambda: run(1),
            f"build-many --no-sync, {cores} cores": lambda: run(cores, durable=False),
            "build-many --no-sync, 1 core": lambda: run(1, durable=False),
        },
        count,
    )
    return Result("fleet", "drives/s", samples, {"machines": drives})


def table(results: list[Result]) -> str:
    """Medians, and each peer against mkconfigdrive (x > 1: we are better)."""
    lines = [f"{'case':6} {'contender':34} {'median':>14} {'vs mkconfigdrive':>18}"]
    for result in results:
        names = list(result.samples)
        ours = result.median(names[0])
        for name in names:
            value = result.median(name)
            if name == names[0]:
                ratio = ""
            elif result.unit == "drives/s":
                ratio = f"{ours / value:.1f}x faster"
            else:
                ratio = f"{value / ours:.2f}x"
            lines.append(f"{result.case:6} {name:34} {_show(value, result.unit):>14} {ratio:>18}")
        for key, note in result.notes.items():
            lines.append(f"{'':6} {key}: {note}")
    return "\n".join(lines)


@dataclass
class Target:
    """One of issue 16's targets: a measured ratio (or rate) against its limit."""

    name: str
    value: float
    limit: float
    at_least: bool  # True: the value must be >= limit; False: <= limit
    shown: str  # the figures the value comes from
    stretch: float | None = None

    def met(self, limit: float | None = None) -> bool:
        bound = self.limit if limit is None else limit
        return self.value >= bound if self.at_least else self.value <= bound


def targets(results: list[Result]) -> list[Target]:
    """Every target the run has the figures for (a case not run gives none)."""
    found: list[Target] = []
    by_case = {result.case: result for result in results}
    if cli := by_case.get("cli"):
        peer = cli.median("cloud-localds")
        for name, label, stretch in (
            ("mkconfigdrive", "CLI build of the README's example", 3.0),
            ("mkconfigdrive --help", "mkconfigdrive --help", None),
            ("mkconfigdrive validate user.yml", "validate of one file", None),
            ("python: import typer, yaml, pycdlib", "(the floor: importing the libraries)", None),
        ):
            ours = cli.median(name)
            found.append(
                Target(
                    f"{label} / cloud-localds",
                    ours / peer,
                    5.0,
                    False,
                    f"{ours * 1000:.0f} ms / {peer * 1000:.0f} ms",
                    stretch,
                )
            )
    if api_result := by_case.get("api"):
        durable = api_result.median("mkconfigdrive API (durable)")
        scratch = api_result.median("mkconfigdrive API, durable=False")
        peer = api_result.median("openstacksdk way (no fsync)")
        found.append(
            Target(
                "API drives/s, durable, distinct machines, 1 core",
                durable,
                600.0,
                True,
                f"{durable:,.0f}/s (durable=False: {scratch:,.0f}/s)",
            )
        )
        found.append(
            Target(
                "API durable / openstacksdk way",
                durable / peer,
                5.0,
                True,
                f"{durable:,.0f}/s / {peer:,.0f}/s",
            )
        )
    if fleet := by_case.get("fleet"):
        names = list(fleet.samples)
        for durable_name, single_name in ((names[0], names[1]), (names[2], names[3])):
            many, one = fleet.median(durable_name), fleet.median(single_name)
            found.append(
                Target(
                    f"{durable_name} / 1 core",
                    many / one,
                    1.8,
                    True,
                    f"{many:,.0f}/s / {one:,.0f}/s",
                )
            )
    if big := by_case.get("big"):
        # Like for like: each side's drive flushed to the disk, or each left to the page cache.
        for ours_name, peer_name in (
            ("mkconfigdrive", "genisoimage, then fsync"),
            ("mkconfigdrive --no-sync", "genisoimage"),
        ):
            ours, peer = big.median(ours_name), big.median(peer_name)
            found.append(
                Target(
                    f"{big.notes['payload MiB']} MiB of files: {ours_name} / {peer_name}",
                    ours / peer,
                    1.2,
                    False,
                    f"{ours * 1000:,.0f} ms / {peer * 1000:,.0f} ms",
                )
            )
        peak = big.notes["peak RSS MiB"]["mkconfigdrive"]
        found.append(Target("the same, peak RSS (MiB)", peak, 64.0, False, f"{peak} MiB"))
    if size := by_case.get("size"):
        ours, peer = size.median("mkconfigdrive"), size.median("genisoimage")
        found.append(
            Target(
                "image size / genisoimage's",
                ours / peer,
                0.5,
                False,
                f"{ours / 1024:,.0f} KiB / {peer / 1024:,.0f} KiB",
            )
        )
    return found


def target_table(found: list[Target]) -> str:
    lines = [f"{'target':52} {'limit':>9} {'measured':>9}  {'met':5} figures"]
    for target in found:
        sign = ">=" if target.at_least else "<="
        met = "yes" if target.met() else "NO"
        if target.stretch is not None:
            met += (
                f" (stretch {target.stretch:g}x: {'yes' if target.met(target.stretch) else 'no'})"
            )
        lines.append(
            f"{target.name:52} {sign} {target.limit:>6g} {target.value:>9.2f}  {met:5} "
            f"{target.shown}"
        )
    return "\n".join(lines)


def _show(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:,.0f} ms"
    if unit == "bytes":
        return f"{value / 1024:,.0f} KiB"
    return f"{value:,.0f} {unit}"


def machine() -> dict[str, Any]:
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "genisoimage": _version(["genisoimage", "--version"]),
        "xorriso": _version(["xorriso", "-version"]),
    }


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()


def _version(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).splitlines()[0].strip()


def main() -> None:
    global CPU  # noqa: PLW0603 - one run, one setting
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="*", default=["cli", "api", "big", "size", "fleet"])
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--drives", type=int, default=200, help="drives per API round")
    parser.add_argument("--fleet", type=int, default=1000, help="machines per build-many round")
    parser.add_argument("--gib", type=float, default=1.0, help="payload of the big case")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "results.json")
    parser.add_argument("--cpu", type=int, default=CPU, help="the core of the one-core cases")
    options = parser.parse_args()
    CPU = options.cpu
    results = []
    with tempfile.TemporaryDirectory(prefix="mkconfigdrive-bench-", dir="/var/tmp") as folder:
        work = Path(folder)
        for case in options.cases:
            case_work = work / case
            case_work.mkdir()
            if case == "cli":
                results.append(case_cli(case_work, options.rounds))
            elif case == "api":
                results.append(case_api(case_work, options.rounds, options.drives))
            elif case == "big":
                results.append(case_big(case_work, max(options.rounds - 2, 3), options.gib))
            elif case == "size":
                results.append(case_size(case_work))
            elif case == "fleet":
                results.append(case_fleet(case_work, max(options.rounds // 2, 3), options.fleet))
            else:
                parser.error(f"unknown case {case!r}")
            print(table(results[-1:]), flush=True)
    found = targets(results)
    report = {
        "machine": machine(),
        "command": " ".join(["bench/run", *sys.argv[1:]]),
        "targets": [
            {
                "target": target.name,
                "value": target.value,
                "limit": target.limit,
                "at_least": target.at_least,
                "met": target.met(),
                "figures": target.shown,
            }
            for target in found
        ],
        "results": [
            {
                "case": result.case,
                "unit": result.unit,
                "medians": {name: result.median(name) for name in result.samples},
                "samples": result.samples,
                "notes": result.notes,
            }
            for result in results
        ],
    }
    options.json.write_text(json.dumps(report, indent=2) + "\n")
    print()
    print(table(results))
    print()
    print(target_table(found))
    print(f"\nmachine: {json.dumps(report['machine'])}\nwritten to {options.json}")


if __name__ == "__main__":
    main()
