"""Property tests give the same examples on every run by default (the suite must stay
reproducible: a CI failure comes back with the same command), and stay within their budget."""

from __future__ import annotations

import inspect

import pytest

from tests import conftest
from tests.api import test_text
from tests.cases import test_deadline_calendar
from tests.identity import test_identifiers

PROPERTY_MODULES = (test_deadline_calendar, test_identifiers, test_text)


def _property_tests() -> list[object]:
    return [
        fn
        for module in PROPERTY_MODULES
        for _, fn in inspect.getmembers(module, inspect.isfunction)
        if getattr(fn, "is_hypothesis_test", False)
    ]


def test_every_property_test_is_derandomized_by_default() -> None:
    if conftest.HYPOTHESIS_PROFILE != "ci":
        pytest.skip(f"the {conftest.HYPOTHESIS_PROFILE} profile was asked for")
    tests = _property_tests()
    assert len(tests) >= 7
    for fn in tests:
        chosen = fn._hypothesis_internal_use_settings  # type: ignore[attr-defined]
        assert chosen.derandomize and chosen.database is None, fn
        assert chosen.max_examples <= 300, fn  # keep the suite fast
