"""Whatever the input, the answer is a drive or a list of problems: never a traceback."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from configdrive import InvalidInputError, build

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    user_data=st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode()),
    meta=st.dictionaries(st.text(max_size=12), json_values, max_size=5),
)
def test_arbitrary_input_builds_or_is_rejected(user_data: bytes, meta: dict[str, object]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "d.iso"
        try:
            size = build(user_data, target, meta_data=meta).size
        except InvalidInputError as error:
            problems = error.problems
        else:
            assert target.stat().st_size == size
            return
        assert problems
        assert not target.exists()


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_cloud_config_text(body: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        try:
            build(("#cloud-config\n" + body).encode(), Path(folder) / "d.iso")
        except InvalidInputError as error:
            problems = error.problems
        else:
            return
        assert problems
        assert all(str(problem) for problem in problems)
