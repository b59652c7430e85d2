"""Unit settings (domain.md "Service area", "Notifications"): the rules the schema cannot hold."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import unit_settings
from app.domain.errors import NotFound, field_error
from app.services.units import unit_view


def service_area(scope: str, county_codes: list[str]) -> tuple[str, list[str]]:
    """`counties` needs at least one county; `national` and `none` name none."""
    codes = sorted(set(county_codes))
    if scope == "counties" and not codes:
        raise field_error(["service_area", "county_codes"], "choose at least one county")
    if scope != "counties" and codes:
        raise field_error(["service_area", "county_codes"], f"a {scope} service area names no counties")
    return scope, codes


def dedupe_emails(emails: list[str]) -> list[str]:
    """One entry per address, compared case-insensitively; the first spelling is kept."""
    seen: set[str] = set()
    out: list[str] = []
    for email in emails:
        if email.casefold() not in seen:
            seen.add(email.casefold())
            out.append(email)
    return out


async def update_settings(conn: AsyncConnection, unit_id: UUID, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` holds only the fields the caller sent (already type-checked by the API)."""
    values: dict[str, Any] = {}
    if "service_area" in changes:
        area = changes["service_area"]
        scope, codes = service_area(area["scope"], area.get("county_codes", []))
        values["service_area_scope"] = scope
        values["service_area_counties"] = codes
    if "notification_emails" in changes:
        values["notification_emails"] = dedupe_emails(changes["notification_emails"])
    for key in ("citizen_reminder_after_days", "provider_reminder_enabled"):
        if key in changes:
            values[key] = changes[key]
    if not await unit_settings.update_settings(conn, unit_id, values):
        raise NotFound("unit not found")
    return await unit_view(conn, unit_id)
