"""How staff appear to citizens (domain.md "Staff with protected identity")."""

from __future__ import annotations

GREETING = "Med vänlig hälsning"


def default_signature(
    given_name: str,
    family_name: str,
    title: str,
    *,
    protected_identity: bool,
    unit_name: str | None,
) -> str:
    if protected_identity:
        parts = [GREETING, title, unit_name or ""]
    else:
        parts = [GREETING, f"{given_name} {family_name}".strip(), title]
    return "\n".join(p for p in parts if p)


def citizen_facing_name(
    given_name: str, family_name: str, title: str, unit_name: str, *, show_name: bool
) -> str:
    """The author line a citizen sees: the name only when the person allows it."""
    if show_name:
        name = f"{given_name} {family_name}".strip()
        return f"{name}, {title}" if title else name
    return f"{title}, {unit_name}" if title else unit_name
