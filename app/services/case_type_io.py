"""Export and import of case types: copying a case type from one clinic to another (the seed's
"kopiera ärendetyper"). The document is self-contained content; ids, unit and status stay home.

The request schema has already checked the document's shape (format version, known fields,
types, lengths); here the form's own rules apply, and everything is checked before anything is
written, so a bad document creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import case_types as repo
from app.domain import case_types as rules
from app.domain.case_types import CaseTypeOrigin
from app.domain.errors import Conflict, NotFound
from app.services import case_types


async def export_case_type(conn: AsyncConnection, unit_id: UUID, case_type_id: UUID) -> dict[str, Any]:
    row = await repo.get_case_type(conn, unit_id, case_type_id)
    if row is None:
        raise NotFound("case type not found")
    if row["origin"] == CaseTypeOrigin.CENTRAL:
        raise Conflict("a central case type is activated at each unit, not copied between units")
    return rules.export_document(row)


async def import_case_type(
    conn: AsyncConnection, unit_id: UUID, document: Mapping[str, Any]
) -> dict[str, Any]:
    content = {f: document[f] for f in rules.CONTENT_FIELDS}
    # Ids in a document would be another unit's; the copy's answer templates get new ones.
    content["answer_templates"] = [
        {"title": t["title"], "body": t["body"]} for t in content["answer_templates"]
    ]
    return await case_types.create_case_type(conn, unit_id, content, origin=CaseTypeOrigin.LOCAL)
