"""Cases, staff side: inbox, case view, transitions, messages, notes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
