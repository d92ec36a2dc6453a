"""No test asserts on elapsed time: a result that depends on the machine's load is no result.

A test bounds work instead (bytes read, entries visited, peak memory from the OS, a count of
calls) or waits for an event with a generous hang guard that ends in pytest.fail, never in an
assertion about speed. Timings belong in bench/.
"""

from __future__ import annotations

import ast

from tests.helpers import ROOT

TESTS = ROOT / "tests"
# Readings of a clock that only mean something as a difference: elapsed time.
CLOCKS = {"monotonic", "monotonic_ns", "perf_counter", "perf_counter_ns", "process_time"}
# Names that hold such a difference.
ELAPSED_WORDS = ("elapsed", "duration", "seconds", "took")


def _named(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _reads_a_clock(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _named(node.func) in CLOCKS


def _is_wall_time(node: ast.AST) -> bool:
    """time.time() less a value kept earlier: the time since then (a date check is fine)."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)):
        return False
    operands = (node.left, node.right)
    return any(
        isinstance(clock, ast.Call) and _named(clock.func) == "time" for clock in operands
    ) and any(_named(operand) is not None for operand in operands)


def timing_assertions(source: str, filename: str) -> list[str]:
    """Every `assert` in `source` whose condition involves elapsed time, as `file:line`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Assert):
            continue
        for part in ast.walk(node.test):
            name = _named(part) or ""
            if (
                _reads_a_clock(part)
                or _is_wall_time(part)
                or any(word in name.lower() for word in ELAPSED_WORDS)
            ):
                found.append(f"{filename}:{node.lineno}")
                break
    return found


def test_no_test_asserts_on_elapsed_time() -> None:
    found = []
    for path in sorted(TESTS.rglob("*.py")):
        found += timing_assertions(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


def test_the_check_sees_timing_assertions() -> None:
    timed = """
import time
started = time.monotonic()
assert time.monotonic() - started < 5
begun = time.time()
assert time.time() - begun < 2.0
assert result.seconds < 1
elapsed = 3
assert elapsed < 2, "slow"
assert perf_counter() < deadline
"""
    assert timing_assertions(timed, "t.py") == ["t.py:4", "t.py:6", "t.py:7", "t.py:9", "t.py:10"]


def test_the_check_lets_work_bounds_and_dates_pass() -> None:
    bounded = """
import time
assert result.bytes_read < READ_LIMIT
assert result.peak_rss < MEMORY_LIMIT, "peaked"
assert date < time.time() - 86_400 * 365
assert "no answer within 0.3 seconds" in message
if time.monotonic() > guard:
    pytest.fail("hung")
"""
    assert timing_assertions(bounded, "t.py") == []
