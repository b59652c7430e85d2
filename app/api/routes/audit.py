"""PDL audit log for reviewers, the citizen's access log, and follow-up."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
