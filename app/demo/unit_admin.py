"""Demo data for unit administration: notification address, a handler group, message
templates and a citizen grant at Vårdcentralen Norrmalm. Idempotent (found by name)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import citizen_grants, groups, message_templates, people, unit_settings
from app.services.message_templates import check_content

HANDLERS = ("SE2321000131-P000000000002", "SE2321000131-P000000000003", "SE2321000131-P000000000007")
GRANTED_CITIZEN = "191212121212"  # Tolvan, who may use the restricted case type
TEMPLATES: list[dict[str, Any]] = [
    {
        "name": "Provsvar klara",
        "kind": "information",
        "subject": "Dina provsvar",
        "body": "Hej!\nDina provsvar är klara och finns under Journalen. Inget avvikande.",
        "questions": [],
    },
    {
        "name": "Uppföljning efter besök",
        "kind": "questions",
        "subject": "Hur mår du efter besöket?",
        "body": "Hej!\nVi vill gärna veta hur det har gått sedan ditt besök.",
        "questions": [
            {
                "key": "feeling",
                "label": "Hur mår du nu?",
                "type": "single_choice",
                "required": True,
                "options": ["Bättre", "Som förut", "Sämre"],
            },
            {"key": "more", "label": "Vill du berätta mer?", "type": "textarea", "required": False},
        ],
    },
]


async def load(conn: AsyncConnection, ids: dict[str, Any]) -> dict[str, Any]:
    north: UUID = ids["north"]
    await unit_settings.update_settings(conn, north, {"notification_emails": ["norrmalm@demo.careinbox.se"]})
    out: dict[str, Any] = {}
    existing = {g["name"]: g["id"] for g in await groups.list_groups(conn, north)}
    group_id = existing.get("Sjuksköterskor")
    if group_id is None:
        group = await groups.insert_group(conn, north, "Sjuksköterskor")
        assert group is not None
        group_id = group["id"]
        members = [await people.staff_id_by_hsa(conn, h) for h in HANDLERS]
        await groups.replace_members(conn, group_id, [m for m in members if m is not None])
    out["group_nurses"] = group_id
    templates = {t["name"]: t["id"] for t in await message_templates.list_templates(conn, north)}
    for content in TEMPLATES:
        if content["name"] not in templates:
            row = await message_templates.insert_template(conn, north, check_content(content))
            templates[content["name"]] = row["id"]
    out["message_templates"] = [templates[t["name"]] for t in TEMPLATES]
    restricted = ids.get("ct_restricted")
    if restricted is not None:
        held = await citizen_grants.list_grants(conn, north, GRANTED_CITIZEN, 100, None)
        found = next((g["id"] for g in held if g["case_type_id"] == restricted), None)
        if found is None:
            granter = await people.staff_id_by_hsa(conn, HANDLERS[0])  # None outside the demo
            row = await citizen_grants.insert_grant(conn, north, GRANTED_CITIZEN, restricted, None, granter)
            found = row["id"]
        out["grant_tolvan"] = found
    return out
