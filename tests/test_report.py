"""The reporters: the output form is chosen once, and each form prints what it always did."""

from __future__ import annotations

import io
import json

from configdrive.cli.report import JsonReporter, Reporter, TextReporter, reporter_for
from configdrive.errors import InvalidInputError, UsageError
from configdrive.problems import Problem, Severity

PROBLEMS = [
    Problem("user.yml", "runcmd must be a list", ("runcmd",), 3, 1),
    Problem("user.yml", "unknown key 'x'", ("x",), 5, 1, Severity.WARNING),
]


def captured(reporter: Reporter) -> Reporter:
    reporter.out, reporter.err = io.StringIO(), io.StringIO()
    return reporter


def printed(reporter: Reporter) -> tuple[str, str]:
    assert isinstance(reporter.out, io.StringIO)
    assert isinstance(reporter.err, io.StringIO)
    return reporter.out.getvalue(), reporter.err.getvalue()


def test_the_form_is_chosen_once() -> None:
    assert isinstance(reporter_for(True, quiet=True), JsonReporter)
    text = reporter_for(False, quiet=True, outcome="")
    assert isinstance(text, TextReporter)
    assert (text.quiet, text.outcome) == (True, "")
    default = reporter_for(False)
    assert isinstance(default, TextReporter)
    assert (default.quiet, default.outcome) == (False, "nothing was written")


def test_a_failure_in_text_counts_errors_and_says_what_was_not_done() -> None:
    reporter = captured(TextReporter(outcome="nothing is served"))
    reporter.failed(InvalidInputError(PROBLEMS))
    out, err = printed(reporter)
    assert out == ""
    lines = err.splitlines()
    assert lines[-1] == "mkconfigdrive: 1 error; nothing is served"
    assert len(lines) == 3  # both problems, then the count


def test_quiet_text_keeps_errors_and_drops_warnings() -> None:
    reporter = captured(TextReporter(quiet=True))
    reporter.problems(PROBLEMS)
    _, err = printed(reporter)
    assert "runcmd must be a list" in err
    assert "unknown key" not in err


def test_a_failure_in_json_is_one_document_on_stdout() -> None:
    reporter = captured(JsonReporter())
    reporter.problems(PROBLEMS)  # kept for the document, not printed
    reporter.failed(UsageError("give --platform"))
    out, err = printed(reporter)
    assert err == ""
    assert json.loads(out) == {
        "ok": False,
        "exit_code": 2,
        "error": "usage",
        "message": "give --platform",
        "problems": [],
    }


def test_what_ends_a_run_early_is_the_same_text_in_both_forms() -> None:
    for reporter in (captured(TextReporter()), captured(JsonReporter())):
        reporter.interrupted("interrupted; nothing was written")
        reporter.io_failed(OSError(5, "Input/output error", "/dev/sr\x1b[0"))
        reporter.internal_error(RuntimeError("secret data"))
        out, err = printed(reporter)
        assert out == ""
        assert err.splitlines() == [
            "mkconfigdrive: interrupted; nothing was written",
            "mkconfigdrive: [Errno 5] Input/output error: '/dev/sr\\x1b[0'",
            "mkconfigdrive: internal error (RuntimeError); rerun with --debug and report it",
        ]
