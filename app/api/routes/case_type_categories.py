"""The fixed list of case-type categories (public: it holds no data of anyone)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import Public
from app.api.schemas.case_types import CaseTypeCategory
from app.api.schemas.common import Page
from app.domain.categories import all_categories

router = APIRouter(tags=["case types"])


@router.get("/case-type-categories", response_model=Page[CaseTypeCategory], dependencies=[Public])
async def list_categories() -> dict[str, Any]:
    """The fixed list; codes are stable (statistics use them), labels are Swedish."""
    return {"items": all_categories(), "next_cursor": None}
