"""Everything the CLI prints goes through here: problems, summaries, failures; text or JSON."""

from __future__ import annotations

import base64
import datetime
import json
import math
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from configdrive.errors import ConfigDriveError, ExitCode, InvalidInputError
from configdrive.problems import Problem, Severity, errors_in

if TYPE_CHECKING:
    from pathlib import Path

    from configdrive.api import BuildResult
    from configdrive.distro.image import ImportResult, VerifyResult
    from configdrive.distro.oem import Platform
    from configdrive.drives.diff import DriveDiff
    from configdrive.drives.extract import ExtractResult
    from configdrive.drives.inspection import Inspection
    from configdrive.inputs.fleet import Outcome
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


def json_safe(value: Any) -> Any:
    """`value` as strict JSON can hold it: no NaN or infinity, no types JSON lacks.

    JSON has no NaN or Infinity (Python's json writes them anyway, and strict parsers
    refuse the document), yet Python's json and YAML read them from a drive. They are
    written as the strings "NaN", "Infinity" and "-Infinity"; YAML's dates as ISO 8601
    text, binary as base64, sets as lists, keys that are no strings as their JSON text.
    """
    if isinstance(value, str | bool | int) or value is None:
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {_json_key(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [json_safe(item) for item in items]
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def _json_key(key: Any) -> str:
    if isinstance(key, str):
        return key
    safe = json_safe(key)
    return safe if isinstance(safe, str) else json.dumps(safe)


def dumps(document: Any, *, indent: int | None = None) -> str:
    """Strict JSON text of `document`: what every --json output is made of."""
    return json.dumps(json_safe(document), indent=indent, allow_nan=False)


@dataclass
class Reporter:
    """Prints for one command run: `json` for machines, `quiet` for nothing but errors."""

    json: bool = False
    quiet: bool = False
    # What a failure means for this command's output, for the closing line of its problems
    # ("" for the commands that write nothing in any case: validate, inspect, diff).
    outcome: str = "nothing was written"
    # Looked up when the Reporter is made, so redirected streams (tests, hooks) are honoured.
    out: TextIO = field(default_factory=lambda: sys.stdout)
    err: TextIO = field(default_factory=lambda: sys.stderr)

    def problems(self, problems: Sequence[Problem]) -> None:
        """Problems one a line on stderr (in JSON mode they go into the final document)."""
        if self.json:
            return
        for problem in problems:
            if self.quiet and problem.severity is Severity.WARNING:
                continue
            self._say(str(problem), self.err)

    def built(self, result: BuildResult) -> None:
        """The one-screen summary of a finished build."""
        if self.json:
            self._json({"ok": True, **result.to_json()})
            return
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
        self._say("\n".join(lines), self.out)

    def failed(self, error: ConfigDriveError) -> None:
        """Why a command failed, in a form that matches its exit code."""
        problems = error.problems if isinstance(error, InvalidInputError) else []
        if self.json:
            self._json(
                {
                    "ok": False,
                    "exit_code": int(error.exit_code),
                    "error": _FAILURE_KIND.get(error.exit_code, "error"),
                    "message": str(error),
                    "problems": [problem.to_json() for problem in problems],
                }
            )
            return
        if problems:
            self.problems(problems)
            errors = len(errors_in(problems))
            counted = f"{errors} error{'s' if errors != 1 else ''}"
            outcome = f"; {self.outcome}" if self.outcome else ""
            self._say(f"mkconfigdrive: {counted}{outcome}", self.err)
        else:
            self._say(f"mkconfigdrive: {error}", self.err)

    def fleet_outcome(self, outcome: Outcome) -> None:
        """One machine of a fleet, as it finishes: a JSON line, or its problems on stderr."""
        if self.json:
            print(dumps(outcome.to_json()), file=self.out, flush=True)
            return
        if outcome.ok:
            # Its warnings, named by machine: a flag-like name alone would not say whose.
            if not self.quiet:
                for warning in outcome.problems:
                    self._say(f"{outcome.name}: {warning}", self.err)
            return
        self.problems(outcome.problems)
        errors = len(errors_in(outcome.problems))
        reason = outcome.message if not errors else f"{errors} error{'s' if errors != 1 else ''}"
        self._say(f"mkconfigdrive: {outcome.name}: {reason}; no drive was written", self.err)

    def fleet_summary(self, outcomes: Sequence[Outcome], out_dir: Path) -> None:
        """How many drives a fleet build made, and which machines failed."""
        if self.json or self.quiet:
            return
        failed = [outcome.name for outcome in outcomes if not outcome.ok]
        built = len(outcomes) - len(failed)
        line = f"Built {built} of {len(outcomes)} drives in {out_dir}"
        if failed:
            shown = ", ".join(failed[:10]) + (", ..." if len(failed) > 10 else "")
            line += f"; {len(failed)} failed: {shown}"
        self._say(line, self.out)

    def _json(self, document: dict[str, Any]) -> None:
        print(dumps(document, indent=2), file=self.out)

    @staticmethod
    def _say(text: str, stream: TextIO) -> None:
        """Print text for people; what a terminal would act on is shown escaped."""
        print(terminal_safe(text), file=stream)

    # The read side: validate, inspect, extract and diff (their texts: report_drive).

    def validated(self, result: ValidationResult) -> None:
        """The files validate checked, what each is, and their warnings."""
        if self.json:
            self._json({"ok": True, **result.to_json()})
            return
        self.problems(result.warnings)
        if not self.quiet:
            from configdrive.cli.drive_report import validated_lines

            self._lines(validated_lines(result))

    def inspected(self, inspection: Inspection) -> None:
        """inspect's report: on stdout, findings included (they are the command's output)."""
        if self.json:
            self._json(inspection.to_json())
        elif not self.quiet:
            from configdrive.cli.drive_report import inspection_lines

            self._lines(inspection_lines(inspection))

    def extracted(self, result: ExtractResult) -> None:
        """What extract wrote; what it refused goes to stderr as problems."""
        if self.json:
            self._json(result.to_json())
            return
        self.problems(result.problems)
        if not self.quiet:
            from configdrive.cli.drive_report import extracted_lines

            self._lines(extracted_lines(result))

    def diffed(self, diff: DriveDiff) -> None:
        """What differs between two drives."""
        if self.json:
            self._json(diff.to_json())
        elif not self.quiet:
            from configdrive.cli.drive_report import diff_lines

            self._lines(diff_lines(diff))

    def _lines(self, lines: Sequence[str]) -> None:
        self._say("\n".join(lines), self.out)

    # The distributor's kit: image import and verify, OEM cloud-configs.

    def imported(self, result: ImportResult) -> None:
        """The summary of an imported release image, after any warning about it."""
        if self.json:
            document = {"ok": True, "path": str(result.path), "record": str(result.record)}
            self._json({**document, **result.to_json(), "warnings": list(result.warnings)})
            return
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
        """A good signature and who made it."""
        if self.json:
            self._json({"ok": True, **result.to_json()})
            return
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
        """oem --list: each platform's name and what its cloud-config does at boot."""
        if self.json:
            listed = [{"name": item.name, "summary": item.summary} for item in platforms]
            self._json({"ok": True, "platforms": listed})
            return
        width = max(len(item.name) for item in platforms)
        self._lines([f"{item.name:<{width}}  {item.summary}" for item in platforms])

    def oem_config(self, platform: str, text: str) -> None:
        """An OEM cloud-config written to standard output: the text is the output."""
        if self.json:
            self._json({"ok": True, "platform": platform, "cloud_config": text})
            return
        self.out.write(text)

    def oem_written(self, platform: str, path: Path) -> None:
        """Where the OEM cloud-config went, and where it belongs in the image."""
        if self.json:
            self._json({"ok": True, "platform": platform, "path": str(path)})
            return
        if not self.quiet:
            from configdrive.distro.oem import OEM_CONFIG_PATH

            self._say(
                f"Wrote {path}: the OEM cloud-config for {platform}; "
                f"install it in the image as {OEM_CONFIG_PATH}",
                self.out,
            )
