"""Case references (`2026-0000042`): what staff and citizens quote on the phone."""

from __future__ import annotations

from datetime import datetime

from app.domain.calendar import STOCKHOLM


def case_reference(created_at: datetime, number: int) -> str:
    """The Swedish calendar year the case was created in and its number from
    `case_reference_seq`, at least seven digits."""
    return f"{created_at.astimezone(STOCKHOLM).year}-{number:07d}"
