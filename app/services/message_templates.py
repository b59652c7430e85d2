"""Message templates for outbound cases (domain.md glossary "message template").

`information` carries no form (the citizen cannot reply); `questions` carries a form in the same
question model as case types (app/domain/forms.py).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import decode_cursor, page
from app.db.repos import message_templates as repo
from app.domain.errors import NotFound, field_error
from app.domain.forms import parse_questions

EXPORT_FORMAT = "careinbox.message-template/1"


def check_content(content: dict[str, Any]) -> dict[str, Any]:
    """The whole template, checked together: the form must fit the kind."""
    questions = content.get("questions") or []
    if content["kind"] == "questions":
        if not questions:
            raise field_error(["questions"], "a questions template needs at least one question")
        questions = parse_questions(questions)
    elif questions:
        raise field_error(["questions"], "an information template has no questions")
    return {**content, "questions": questions}


def _export(template: dict[str, Any]) -> dict[str, Any]:
    # Content only, no ids or timestamps: the document means the same in any unit.
    return {"format": EXPORT_FORMAT, **{k: template[k] for k in repo.CONTENT}}


async def list_templates(
    conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await repo.list_templates(conn, unit_id, limit + 1, after)
    return page(rows, limit, lambda r: (r["name"], r["id"]))


async def get_template(conn: AsyncConnection, unit_id: UUID, template_id: UUID) -> dict[str, Any]:
    """Also for outbound sends from a template."""
    row = await repo.get_template(conn, unit_id, template_id)
    if row is None:
        raise NotFound("message template not found")
    return row


async def create_template(conn: AsyncConnection, unit_id: UUID, content: dict[str, Any]) -> dict[str, Any]:
    return await repo.insert_template(conn, unit_id, check_content(content))


async def update_template(
    conn: AsyncConnection, unit_id: UUID, template_id: UUID, changes: dict[str, Any]
) -> dict[str, Any]:
    """Partial update; the merged result is checked as a whole (e.g. a kind change needs a form)."""
    row = await repo.get_template(conn, unit_id, template_id, lock=True)
    if row is None:
        raise NotFound("message template not found")
    merged = {**{k: row[k] for k in repo.CONTENT}, **changes}
    return await repo.update_template(conn, unit_id, template_id, check_content(merged))


async def delete_template(conn: AsyncConnection, unit_id: UUID, template_id: UUID) -> None:
    if not await repo.delete_template(conn, unit_id, template_id):
        raise NotFound("message template not found")


async def export_template(conn: AsyncConnection, unit_id: UUID, template_id: UUID) -> dict[str, Any]:
    return _export(await get_template(conn, unit_id, template_id))


async def import_template(conn: AsyncConnection, unit_id: UUID, document: dict[str, Any]) -> dict[str, Any]:
    """A new template from an export document, checked exactly like a new one: any problem is a
    422 and nothing is created."""
    content = {k: document[k] for k in repo.CONTENT}
    return await repo.insert_template(conn, unit_id, check_content(content))
