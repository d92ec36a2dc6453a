"""Everything the CLI prints goes through here: problems, summaries, failures, progress.

A command picks its Reporter once, as it starts (reporter_for): TextReporter for people,
JsonReporter for machines. Each has one method per result, so no method asks which form
it is in; the text lines of validate, inspect, extract and diff come from drive_report.
"""

from __future__ import annotations

import re
import sys
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from configdrive.errors import ConfigDriveError, ExitCode, InvalidInputError
from configdrive.problems import Problem, Severity, errors_in
from configdrive.strict_json import dumps

if TYPE_CHECKING:
    from pathlib import Path

    from configdrive.api import BuildResult
    from configdrive.cli.progress import ProgressBar
    from configdrive.disks.inject import InjectFailed, InjectResult
    from configdrive.disks.inspection import DiskInspection
    from configdrive.distro.image import ImportResult, VerifyResult
    from configdrive.distro.oem import Platform
    from configdrive.distro.oem_kit import KitFile
    from configdrive.drives.diff import DriveDiff
    from configdrive.drives.extract import ExtractResult
    from configdrive.drives.inspection import Inspection
    from configdrive.inputs.fleet import Outcome
    from configdrive.serve.log import ServeLog
    from configdrive.serve.machines import Served
    from configdrive.serve.server import ListenAddress
    from configdrive.serve.store import StoreResult
    from configdrive.trial.run import TrialResult
    from configdrive.validation.files import ValidationResult

_FAILURE_KIND = {
    ExitCode.INVALID_INPUT: "invalid input",
    ExitCode.USAGE: "usage",
    ExitCode.IO_FAILURE: "I/O failure",
}


# What a terminal must never receive raw: C0 and C1 controls (ESC starts the sequences that
# retitle a window, clear the screen or rewrite what was printed), DEL, the bidirectional
# overrides that reorder a line as it is shown, and lone surrogates (bytes that were not
# UTF-8, which no stream can encode). Newline and tab are layout.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def terminal_safe(text: str) -> str:
    """`text` with every character a terminal would act on written as a Python escape.

    Names and values come from drives and inputs anyone may have made; printed raw, an
    escape sequence in a host name could rewrite the screen. A byte that was not UTF-8
    (kept as a surrogate) is shown as the byte, `\\xff`, as read_drive.printable shows it.
    """
    return _UNSAFE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return ascii(match.group())[1:-1]


NOTHING_WRITTEN = "nothing was written"


def _counted_errors(problems: Sequence[Problem]) -> str:
    """`1 error`, `3 errors`: the errors among `problems`, as failure lines count them."""
    errors = len(errors_in(problems))
    return f"{errors} error{'s' if errors != 1 else ''}"


def _failure_json(error: ConfigDriveError, problems: Sequence[Problem]) -> dict[str, Any]:
    """A failure as --json reports it: the command's, or one image's of an inject run."""
    return {
        "ok": False,
        "exit_code": int(error.exit_code),
        "error": _FAILURE_KIND.get(error.exit_code, "error"),
        "message": str(error),
        "problems": [problem.to_json() for problem in problems],
    }


def reporter_for(
    json_output: bool, *, quiet: bool = False, outcome: str = NOTHING_WRITTEN
) -> Reporter:
    """The reporter of one command run, chosen once as the command starts.

    `json_output` for machines (quiet changes nothing there: the document is the result), else
    text for people: `quiet` for nothing but errors, `outcome` for the closing line of a
    failure's problems.
    """
    if json_output:
        return JsonReporter()
    return TextReporter(quiet=quiet, outcome=outcome)


@dataclass(kw_only=True)
class Reporter(ABC):
    """What one command run prints, in one output form: TextReporter or JsonReporter."""

    # Looked up when the Reporter is made, so redirected streams (tests, hooks) are honoured.
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    @property
    @abstractmethod
    def shows_progress(self) -> bool:
        """Whether long jobs draw a progress bar: only for a person watching stderr."""

    def progress_bar(
        self, label: str, *, unit: str = "MiB", delay: float = 1.0
    ) -> ProgressBar | None:
        """A `progress(done, total)` bar on stderr, or None when no bar is shown."""
        if not self.shows_progress:
            return None
        from configdrive.cli.progress import ProgressBar

        return ProgressBar(self.err, label=label, unit=unit, delay=delay)

    # What ends a command early: the same text on stderr in either form.

    def interrupted(self, message: str) -> None:
        """Ctrl-C or a stop signal; `message` says what was left behind."""
        self._say(f"mkconfigdrive: {message}", self.err)

    def io_failed(self, error: OSError) -> None:
        """An I/O failure nothing more specific caught."""
        # An OSError names paths a hostile drive or input chose: shown escaped, like them.
        self._say(f"mkconfigdrive: {error}", self.err)

    def internal_error(self, error: BaseException) -> None:
        """A bug: its type only (its message may quote data)."""
        self._say(
            f"mkconfigdrive: internal error ({type(error).__name__}); "
            "rerun with --debug and report it",
            self.err,
        )

    @staticmethod
    def _say(text: str, stream: TextIO) -> None:
        """Print text for people; what a terminal would act on is shown escaped."""
        print(terminal_safe(text), file=stream)

    # Every command's results. Text forms print their problems on stderr; JSON forms put
    # them into the one document on stdout.

    @abstractmethod
    def problems(self, problems: Sequence[Problem]) -> None:
        """Problems found along the way (diff's unreadable entries, ...)."""

    @abstractmethod
    def failed(self, error: ConfigDriveError) -> None:
        """Why a command failed, in a form that matches its exit code."""

    @abstractmethod
    def built(self, result: BuildResult) -> None:
        """The summary of a finished build."""

    @abstractmethod
    def fleet_outcome(self, outcome: Outcome) -> None:
        """One machine of a fleet, as it finishes."""

    @abstractmethod
    def fleet_summary(self, outcomes: Sequence[Outcome], out_dir: Path) -> None:
        """How many drives a fleet build made, and which machines failed."""

    def step(self, text: str) -> None:  # noqa: B027 - text reporters say it; JSON does not
        """A step of a long job (inject's launch and copies), for a person watching."""

    @abstractmethod
    def injected(self, outcomes: Sequence[InjectResult | InjectFailed]) -> None:
        """What inject wrote onto each image, or why an image failed."""

    @abstractmethod
    def disk_inspected(self, inspection: DiskInspection) -> None:
        """inspect's report on a disk image."""

    @abstractmethod
    def validated(self, result: ValidationResult) -> None:
        """The files validate checked, what each is, and their warnings."""

    @abstractmethod
    def inspected(self, inspection: Inspection) -> None:
        """inspect's report, findings included (they are the command's output)."""

    @abstractmethod
    def extracted(self, result: ExtractResult) -> None:
        """What extract wrote, and what it refused."""

    @abstractmethod
    def diffed(self, diff: DriveDiff) -> None:
        """What differs between two drives."""

    @abstractmethod
    def imported(self, result: ImportResult) -> None:
        """An imported release image, and any warning about it."""

    @abstractmethod
    def verified(self, result: VerifyResult) -> None:
        """A good signature and who made it."""

    @abstractmethod
    def oem_platforms(self, platforms: Sequence[Platform]) -> None:
        """oem --list: each platform's name and what its cloud-config does at boot."""

    @abstractmethod
    def oem_config(self, platform: str, text: str) -> None:
        """An OEM cloud-config written to standard output."""

    @abstractmethod
    def oem_written(self, platform: str, path: Path) -> None:
        """Where the OEM cloud-config went."""

    @abstractmethod
    def oem_tree_written(self, platform: str, folder: Path, files: Sequence[KitFile]) -> None:
        """The OEM partition's files written to a folder: each one's size and SHA-256."""

    @abstractmethod
    def serving(self, served: Served, bound: ListenAddress, *, require_token: bool) -> None:
        """serve has started: where it listens, and which machine answers which client."""

    @abstractmethod
    def serve_log(self, *, access_lines: bool, debug: bool) -> ServeLog:
        """serve's log on stderr, in this form: access lines (unless quiet) and events."""

    @abstractmethod
    def machines_stored(self, result: StoreResult) -> None:
        """load-machines has committed: the database's new version and what changed."""

    @abstractmethod
    def tried(self, result: TrialResult) -> None:
        """try's report: each thing the drive asked for, what the machine got, and
        cloud-init's warnings."""


@dataclass(kw_only=True)
class TextReporter(Reporter):
    """For people: results on stdout, problems and failures on stderr, escaped."""

    quiet: bool = False  # nothing but errors
    # What a failure means for this command's output, for the closing line of its problems
    # ("" for the commands that write nothing in any case: validate, inspect, diff).
    outcome: str = NOTHING_WRITTEN

    @property
    def shows_progress(self) -> bool:
        return not self.quiet and self.err.isatty()

    def problems(self, problems: Sequence[Problem]) -> None:
        """Problems one a line on stderr; with quiet, errors only."""
        for problem in problems:
            if self.quiet and problem.severity is Severity.WARNING:
                continue
            self._say(str(problem), self.err)

    def failed(self, error: ConfigDriveError) -> None:
        problems = error.problems if isinstance(error, InvalidInputError) else []
        if problems:
            self.problems(problems)
            outcome = f"; {self.outcome}" if self.outcome else ""
            self._say(f"mkconfigdrive: {_counted_errors(problems)}{outcome}", self.err)
        else:
            self._say(f"mkconfigdrive: {error}", self.err)

    def built(self, result: BuildResult) -> None:
        """The one-screen summary, after the build's warnings."""
        self.problems(result.warnings)
        if self.quiet:
            return
        # Where the uuid came from, always: a derived one changes exactly when its source does.
        uuid_note = f"  ({result.uuid_note})" if result.uuid_note else ""
        from configdrive.formats.registry import describe_reported

        packaging = describe_reported(result.format)
        lines = [
            f"Built {result.path} ({result.size:,} bytes)",
            f"  label      {result.label} ({packaging})",
            f"  uuid       {result.uuid}{uuid_note}",
        ]
        if result.instance_id and result.instance_id != result.uuid:
            lines.append(f"  instance-id {result.instance_id}")
        lines += [
            f"  hostname   {result.hostname or '(none)'}",
            f"  keys       {result.keys}",
            f"  files      {result.files}",
            f"  user data  {result.user_data or '(none)'}",
        ]
        if result.warnings:
            count = len(result.warnings)
            lines.append(f"  warnings   {count} (above)")
        self._lines(lines)

    def fleet_outcome(self, outcome: Outcome) -> None:
        """A failed machine's problems on stderr; a built one's warnings, named by machine."""
        if outcome.ok:
            # Named by machine: a flag-like name alone would not say whose warning it is.
            if not self.quiet:
                for warning in outcome.problems:
                    self._say(f"{outcome.name}: {warning}", self.err)
            return
        self.problems(outcome.problems)
        errors = errors_in(outcome.problems)
        reason = _counted_errors(errors) if errors else outcome.message
        self._say(f"mkconfigdrive: {outcome.name}: {reason}; no drive was written", self.err)

    def fleet_summary(self, outcomes: Sequence[Outcome], out_dir: Path) -> None:
        if self.quiet:
            return
        failed = [outcome.name for outcome in outcomes if not outcome.ok]
        built = len(outcomes) - len(failed)
        # A machine with `inject:` made a disk image, not a drive: say which is which.
        injected = sum(1 for outcome in outcomes if outcome.ok and "system" in outcome.summary)
        made = f"{built} of {len(outcomes)} drives"
        if injected:
            drives, images = built - injected, injected
            made = (
                f"{drives} drive{'s' if drives != 1 else ''} and {images} injected "
                f"image{'s' if images != 1 else ''} for {built} of {len(outcomes)} machines"
            )
        line = f"Built {made} in {out_dir}"
        if failed:
            shown = ", ".join(failed[:10]) + (", ..." if len(failed) > 10 else "")
            line += f"; {len(failed)} failed: {shown}"
        self._say(line, self.out)

    def step(self, text: str) -> None:
        if not self.quiet:
            self._say(f"mkconfigdrive: {text}", self.err)

    def injected(self, outcomes: Sequence[InjectResult | InjectFailed]) -> None:
        """Each image's summary on stdout (its warnings first), each failure on stderr."""
        for outcome in outcomes:
            if isinstance(outcome, ConfigDriveError):
                if outcome.problems:
                    self.problems(outcome.problems)
                    counted = _counted_errors(outcome.problems)
                    self._say(
                        f"mkconfigdrive: {outcome.image}: {counted}; nothing was written to it",
                        self.err,
                    )
                else:
                    self._say(f"mkconfigdrive: {outcome}", self.err)
                continue
            self.problems(outcome.warnings)
            if self.quiet:
                continue
            where = (
                f"{outcome.output} (in place)"
                if outcome.in_place
                else f"{outcome.output} (a copy of {outcome.image})"
            )
            lines = [
                f"Injected into {where}, {outcome.format}",
                f"  system     {outcome.system_name} ({outcome.system})",
                *(f"  found      {each}" for each in outcome.evidence),
            ]
            if outcome.system != "cloud-init":
                flag = outcome.first_boot or "none (Ignition will not run)"
                lines.append(f"  first boot {flag}")
            for each in outcome.written:
                replaced = ", replaced" if each.replaced else ""
                lines.append(
                    f"  wrote      {each.role}: {each.path} ({each.size:,} bytes, "
                    f"{each.mode:04o}{replaced}, sha256 {each.sha256[:16]})"
                )
            lines += [f"  removed    {path} (an older seed's)" for path in outcome.removed]
            lines.append(f"  read back  {len(outcome.written)} files, identical")
            self._lines(lines)

    def disk_inspected(self, inspection: DiskInspection) -> None:
        """On stdout; nothing with quiet (the exit code tells)."""
        if self.quiet:
            return
        system = inspection.system
        size = f"{inspection.size:,} bytes"
        lines = [f"{inspection.path}: disk image ({inspection.format}, {size}, "
                 f"{inspection.scheme or 'no'} partition table)"]  # fmt: skip
        for part in inspection.partitions:
            name = f" name {part.gpt_name}" if part.gpt_name else ""
            lines.append(f"  partition  {part.shown}{name}, {part.size:,} bytes")
        if system is None:
            lines.append(f"  system     none found: {inspection.no_system}")
        else:
            lines.append(f"  system     {system.name} ({system.system.value})")
            if system.container_linux:
                lines.append(
                    f"  first boot {system.first_boot or 'no flag: Ignition will not run'}"
                )
            if inspection.oem_kit:
                lines.append(f"  oem kit    {', '.join(inspection.oem_kit)}")
        if system is not None and not inspection.configs:
            lines.append("  config     none injected")
        for config in inspection.configs:
            lines.append(
                f"  {config.reader:<17}{config.verdict} {config.path} on {config.partition} "
                f"({config.size:,} bytes): {config.reason}"
            )
        self._lines(lines)
        for config in inspection.configs:
            self.problems(config.problems)

    # The read side: validate, inspect, extract and diff (their lines: drive_report).

    def validated(self, result: ValidationResult) -> None:
        self.problems(result.warnings)
        if not self.quiet:
            from configdrive.cli.drive_report import validated_lines

            self._lines(validated_lines(result))

    def inspected(self, inspection: Inspection) -> None:
        """On stdout, findings included; nothing with quiet (the exit code tells)."""
        if not self.quiet:
            from configdrive.cli.drive_report import inspection_lines

            self._lines(inspection_lines(inspection))

    def extracted(self, result: ExtractResult) -> None:
        """What extract wrote on stdout; what it refused on stderr, as problems."""
        self.problems(result.problems)
        if not self.quiet:
            from configdrive.cli.drive_report import extracted_lines

            self._lines(extracted_lines(result))

    def diffed(self, diff: DriveDiff) -> None:
        if not self.quiet:
            from configdrive.cli.drive_report import diff_lines

            self._lines(diff_lines(diff))

    # The distributor's kit: image import and verify, OEM cloud-configs.

    def imported(self, result: ImportResult) -> None:
        if self.quiet:
            return
        for warning in result.warnings:
            self._say(f"mkconfigdrive: warning: {warning}", self.err)
        signature = result.signature
        self._lines(
            [
                f"Imported {result.path} ({result.size:,} bytes)",
                f"  version    {result.version.version}",
                f"  signed by  {signature.fingerprint}  {signature.user_id}".rstrip(),
                f"  signed at  {signature.to_json()['signed_at']}",
                f"  from       {result.file_url}",
                f"  sha256     {result.sha256}",
                f"  record     {result.record}",
            ]
        )

    def verified(self, result: VerifyResult) -> None:
        if self.quiet:
            return
        signature = result.signature
        lines = [
            f"Good signature on {result.path}",
            f"  signed by  {signature.fingerprint}  {signature.user_id}".rstrip(),
        ]
        if signature.signing_key != signature.fingerprint:
            lines.append(f"  subkey     {signature.signing_key}")
        lines += [
            f"  signed at  {signature.to_json()['signed_at']}",
            f"  sha256     {result.sha256}",
        ]
        self._lines(lines)

    def oem_platforms(self, platforms: Sequence[Platform]) -> None:
        """Shown even with quiet: the list is what was asked for."""
        width = max(len(item.name) for item in platforms)
        self._lines([f"{item.name:<{width}}  {item.summary}" for item in platforms])

    def oem_config(self, platform: str, text: str) -> None:
        """The text as it is: it is the output, meant for a file."""
        self.out.write(text)

    def oem_written(self, platform: str, path: Path) -> None:
        if not self.quiet:
            from configdrive.distro.oem import OEM_CONFIG_PATH

            self._say(
                f"Wrote {path}: the OEM cloud-config for {platform}; "
                f"install it in the image as {OEM_CONFIG_PATH}",
                self.out,
            )

    def oem_tree_written(self, platform: str, folder: Path, files: Sequence[KitFile]) -> None:
        if not self.quiet:
            from configdrive.distro.oem_kit import OEM_PARTITION_LABEL

            width = max(len(item.path) for item in files)
            self._lines(
                [
                    f"Wrote {folder}: the OEM partition's files for {platform}; copy them to "
                    f"the root of the partition labelled {OEM_PARTITION_LABEL}",
                    *(
                        f"  {item.path:<{width}}  {item.size:>6} bytes  sha256 {item.sha256}"
                        for item in files
                    ),
                ]
            )

    # serve

    def serving(self, served: Served, bound: ListenAddress, *, require_token: bool) -> None:
        """The machines' warnings on stderr; where it listens and who is served, on stdout."""
        self.problems(served.warnings)
        if not self.quiet:
            from configdrive.serve.machines import machines_text

            width = max(len(machine.name) for machine in served.machines)
            first = f"Serving {machines_text(served)} on {bound.url}"
            lines = [first + (" (IMDSv2 token required)" if require_token else "")]
            for machine in served.machines:
                address = machine.address or "every client"
                lines.append(f"  {machine.name:<{width}}  {address:<15}  {machine.uuid}")
            self._lines(lines)
        self.out.flush()  # whoever started the service waits for this line

    def serve_log(self, *, access_lines: bool, debug: bool) -> ServeLog:
        from configdrive.serve.log import ServeLog

        return ServeLog(self.err, json=False, access_lines=access_lines, debug=debug)

    def machines_stored(self, result: StoreResult) -> None:
        if self.quiet:
            return
        count = f"{result.machines} machine{'s' if result.machines != 1 else ''}"
        lines = [f"Loaded {count} into the database: version {result.version}"]
        for label, names in (
            ("added", result.added),
            ("changed", result.changed),
            ("removed", result.removed),
        ):
            lines.append(f"  {label:<8} {len(names)}" + (f"  {', '.join(names)}" if names else ""))
        self._lines([terminal_safe(line) for line in lines])

    def tried(self, result: TrialResult) -> None:
        """Checks on stdout; cloud-init's warnings on stdout too (they are the result)."""
        if self.quiet and result.ok:
            return
        lines = [
            f"{result.drive} on {result.image}: "
            + ("applied as asked" if result.ok else "NOT applied as asked"),
            "  drive    "
            + (
                f"from the metadata service at {result.service} (OpenStack, 169.254.169.254)"
                if result.delivery == "metadata service"
                else "attached"
            ),
            f"  boot     {result.accelerator}, {result.seconds:.0f} s"
            + (", timed out" if result.timed_out else "")
            + ("" if result.finished_line else ", cloud-init did not finish")
            + ("" if result.powered_off else ", not powered off cleanly"),
        ]
        for check in result.checks:
            mark = "ok  " if check.ok else "FAIL"
            lines.append(
                f"  {mark} {check.what}: {check.applied}"
                + ("" if check.ok else f" (asked: {check.expected})")
            )
        for note in result.expected.not_checked:
            lines.append(f"  not checked: {note}")
        if result.applied is not None and not result.applied.found_root:
            lines.append("  no root file system with /etc/passwd found on the overlay")
        warnings = result.warnings
        lines.append(f"  cloud-init warnings: {len(warnings)}")
        lines += [f"    {line}" for line in warnings]
        self._lines([terminal_safe(line) for line in lines])

    def _lines(self, lines: Sequence[str]) -> None:
        self._say("\n".join(lines), self.out)


@dataclass(kw_only=True)
class JsonReporter(Reporter):
    """For machines: one strict JSON document on stdout (build-many: a line per machine)."""

    @property
    def shows_progress(self) -> bool:
        return False  # stderr is for people; a program reading the JSON has no use for a bar

    def problems(self, problems: Sequence[Problem]) -> None:
        """Nothing now: problems go into the command's document."""

    def failed(self, error: ConfigDriveError) -> None:
        problems = error.problems if isinstance(error, InvalidInputError) else []
        self._json(_failure_json(error, problems))

    def built(self, result: BuildResult) -> None:
        self._json({"ok": True, **result.to_json()})

    def fleet_outcome(self, outcome: Outcome) -> None:
        """A JSON line per machine, written as it finishes."""
        print(dumps(outcome.to_json()), file=self.out, flush=True)

    def fleet_summary(self, outcomes: Sequence[Outcome], out_dir: Path) -> None:
        """Nothing: the lines said it all."""

    def injected(self, outcomes: Sequence[InjectResult | InjectFailed]) -> None:
        images: list[dict[str, Any]] = []
        for outcome in outcomes:
            if isinstance(outcome, ConfigDriveError):
                images.append(
                    {"image": str(outcome.image), **_failure_json(outcome, outcome.problems)}
                )
            else:
                images.append({"ok": True, **outcome.to_json()})
        self._json({"ok": all(image["ok"] for image in images), "images": images})

    def disk_inspected(self, inspection: DiskInspection) -> None:
        self._json(inspection.to_json())

    def validated(self, result: ValidationResult) -> None:
        self._json({"ok": True, **result.to_json()})

    def inspected(self, inspection: Inspection) -> None:
        self._json(inspection.to_json())

    def extracted(self, result: ExtractResult) -> None:
        self._json(result.to_json())

    def diffed(self, diff: DriveDiff) -> None:
        self._json(diff.to_json())

    def imported(self, result: ImportResult) -> None:
        document = {"ok": True, "path": str(result.path), "record": str(result.record)}
        self._json({**document, **result.to_json(), "warnings": list(result.warnings)})

    def verified(self, result: VerifyResult) -> None:
        self._json({"ok": True, **result.to_json()})

    def oem_platforms(self, platforms: Sequence[Platform]) -> None:
        listed = [{"name": item.name, "summary": item.summary} for item in platforms]
        self._json({"ok": True, "platforms": listed})

    def oem_config(self, platform: str, text: str) -> None:
        self._json({"ok": True, "platform": platform, "cloud_config": text})

    def oem_written(self, platform: str, path: Path) -> None:
        self._json({"ok": True, "platform": platform, "path": str(path)})

    def oem_tree_written(self, platform: str, folder: Path, files: Sequence[KitFile]) -> None:
        listed = [item.to_json() for item in files]
        self._json({"ok": True, "platform": platform, "path": str(folder), "files": listed})

    def serving(self, served: Served, bound: ListenAddress, *, require_token: bool) -> None:
        """One JSON line, flushed: a harness that started the service reads it to go on."""
        document = {
            "ok": True,
            "url": bound.url,
            "host": bound.host,
            "port": bound.port,
            "require_token": require_token,
            "machines": [
                {"name": machine.name, "address": machine.address, "uuid": machine.uuid}
                for machine in served.machines
            ],
            "warnings": [warning.to_json() for warning in served.warnings],
        }
        self.out.write(dumps(document) + "\n")
        self.out.flush()

    def serve_log(self, *, access_lines: bool, debug: bool) -> ServeLog:
        from configdrive.serve.log import ServeLog

        return ServeLog(self.err, json=True, access_lines=access_lines, debug=debug)

    def machines_stored(self, result: StoreResult) -> None:
        self._json({"ok": True, **result.to_json()})

    def tried(self, result: TrialResult) -> None:
        self._json(result.to_json())

    def _json(self, document: dict[str, Any]) -> None:
        print(dumps(document, indent=2), file=self.out)
