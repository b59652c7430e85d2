"""Case types, categories, regional templates, central case types, export and import."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
