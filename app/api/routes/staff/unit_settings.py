"""A unit's settings: service area, notification addresses, reminders (local_admin)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.unit_admin import Unit, UnitSettingsPatch
from app.api.strict_json import StrictJSONRoute
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import unit_settings

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"], route_class=StrictJSONRoute)

SettingsAdmin = Annotated[StaffActor, Depends(requires(P.UNIT_SETTINGS))]


@router.patch(
    "/settings",
    operation_id="update_unit_settings",
    response_model=Unit,
    responses=responses(401, 403, 404, 422),
)
async def update_settings(
    conn: Conn, unit_id: UUID, actor: SettingsAdmin, body: UnitSettingsPatch
) -> dict[str, Any]:
    """Change the unit's settings

    Service area, notification addresses, citizen reminders and provider reminders; only the fields
    sent change.

    - **Changes:** the unit's settings.
    - **Audit:** none (no patient data).
    - **Errors:** 403 not a local admin; 422 invalid settings (e.g. county codes).
    """
    return await unit_settings.update_settings(conn, unit_id, sent_fields(body))
