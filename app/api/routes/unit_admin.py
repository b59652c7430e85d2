"""Unit settings, groups, message templates and citizen grants."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
