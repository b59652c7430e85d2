"""The fixed list of case-type categories (public: it holds no data of anyone)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.api.deps import Public
from app.api.schemas.case_types import CaseTypeCategory
from app.api.schemas.common import Page
from app.api.strict_json import StrictJSONRoute
from app.domain.categories import all_categories

router = APIRouter(tags=["case types"], route_class=StrictJSONRoute)


@router.get(
    "/case-type-categories",
    operation_id="list_case_type_categories",
    response_model=Page[CaseTypeCategory],
    dependencies=[Public],
)
async def list_categories() -> dict[str, Any]:
    """The fixed category list

    Codes are stable (statistics use them), labels are Swedish.

    - **Changes:** nothing.
    - **Audit:** none (no patient data).
    """
    return {"items": all_categories(), "next_cursor": None}
