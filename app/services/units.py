"""A unit's own view: settings and whether citizens can find it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import org, unit_settings
from app.domain.errors import NotFound


async def unit_view(conn: AsyncConnection, unit_id: UUID) -> dict[str, Any]:
    row = await org.get_unit(conn, unit_id)
    if row is None:
        raise NotFound("unit not found")
    scope = row["service_area_scope"]
    return {
        "id": row["id"],
        "hsa_id": row["hsa_id"],
        "name": row["name"],
        "region_id": row["region_id"],
        "settings": {
            "service_area": {"scope": scope, "county_codes": list(row["service_area_counties"])},
            "notification_emails": list(row["notification_emails"]),
            "citizen_reminder_after_days": row["citizen_reminder_after_days"],
            "provider_reminder_enabled": row["provider_reminder_enabled"],
        },
        # Citizens can find the unit only when it serves someone and offers something to ask.
        "searchable": scope != "none" and await unit_settings.has_active_case_type(conn, unit_id),
    }
