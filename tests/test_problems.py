"""How a problem's document path is written: unambiguous, one line, whatever the keys hold."""

from __future__ import annotations

import pytest

from configdrive.problems import Problem, format_path


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "$"),
        (("users", 0, "name"), "users[0].name"),
        (("meta", "a.b"), 'meta["a.b"]'),
        (("tier\n",), '["tier\\n"]'),  # a final newline must not pass as a bare key
        (('say "hi"',), '["say \\"hi\\""]'),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text


def test_a_problem_is_one_line_whatever_its_key() -> None:
    problem = Problem("user.yml", "unknown key", ("tier\n",), 3, 1)
    assert "\n" not in str(problem)
