"""How a person's name is written for display (staff and citizens alike).

The SQL twin for names built inside a statement is app/db/repos/names.py; both leave out a
missing or empty part, so they agree on every name (tests/identity/test_display_names.py).
"""

from __future__ import annotations


def full_name(given: str | None, family: str | None) -> str:
    """Given and family name joined by a space; a missing or empty part is left out, so a
    citizen the register knows no name of is "" (callers that need words there add them)."""
    return " ".join(part for part in (given, family) if part)
