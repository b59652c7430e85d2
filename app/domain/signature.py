"""How staff appear to citizens (domain.md "Staff with protected identity")."""

from __future__ import annotations

from app.domain.names import full_name

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
        parts = [GREETING, full_name(given_name, family_name), title]
    return "\n".join(p for p in parts if p)


def citizen_facing_name(
    given_name: str, family_name: str, title: str, unit_name: str, *, show_name: bool
) -> str:
    """The author line a citizen sees: the name only when the person allows it."""
    if show_name:
        name = full_name(given_name, family_name)
        return f"{name}, {title}" if title else name
    return f"{title}, {unit_name}" if title else unit_name


def staff_name_for_citizens(
    given_name: str, family_name: str, *, show_name: bool, protected_identity: bool
) -> str | None:
    """The staff name a citizen's access log shows: only where the person lets citizens see it,
    and never for protected identity."""
    return full_name(given_name, family_name) if show_name and not protected_identity else None
