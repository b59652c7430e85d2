"""A unit's settings: service area, notification addresses, reminders (local_admin)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends

from app.api.deps import Conn, requires
from app.api.problems import responses
from app.api.schemas.unit_admin import Unit, UnitSettingsPatch
from app.api.types import sent_fields
from app.domain.actors import StaffActor
from app.domain.policy import Permission as P
from app.services import unit_settings

router = APIRouter(prefix="/units/{unit_id}", tags=["unit administration"])

SettingsAdmin = Annotated[StaffActor, Depends(requires(P.UNIT_SETTINGS))]


@router.patch("/settings", response_model=Unit, responses=responses(401, 403, 404, 422))
async def update_settings(
    conn: Conn, unit_id: UUID, actor: SettingsAdmin, body: UnitSettingsPatch
) -> dict[str, Any]:
    return await unit_settings.update_settings(conn, unit_id, sent_fields(body))
