"""Cases, citizen side: contactable units, case types, own cases and messages."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
