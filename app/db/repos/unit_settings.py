"""A unit's settings and the facts its view derives from other tables."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import exists, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import case_types, units

# API field -> column; the service passes only the fields the caller sent (partial update).
SETTING_COLUMNS = {
    "service_area_scope": units.c.service_area_scope,
    "service_area_counties": units.c.service_area_counties,
    "notification_emails": units.c.notification_emails,
    "citizen_reminder_after_days": units.c.citizen_reminder_after_days,
    "provider_reminder_enabled": units.c.provider_reminder_enabled,
}


async def update_settings(conn: AsyncConnection, unit_id: UUID, values: dict[str, Any]) -> bool:
    """False when the unit does not exist."""
    unknown = set(values) - set(SETTING_COLUMNS)
    if unknown:
        raise ValueError(f"not a unit setting: {sorted(unknown)}")
    if not values:
        found = await conn.execute(select(units.c.id).where(units.c.id == unit_id))
        return found.first() is not None
    result = await conn.execute(
        update(units).where(units.c.id == unit_id).values(**values).returning(units.c.id)
    )
    return result.first() is not None


async def has_active_case_type(conn: AsyncConnection, unit_id: UUID) -> bool:
    """At least one case type citizens can use right now (one half of `searchable`)."""
    stmt = select(exists().where(case_types.c.unit_id == unit_id, case_types.c.status == "active"))
    return bool((await conn.execute(stmt)).scalar())
