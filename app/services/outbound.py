"""Outbound sends (api.md `POST /units/{unit_id}/outbound`; domain.md "outbound case").

All or nothing, in the request's one transaction: the recipients are checked first (every
invalid one named with its position), then the rate limit is counted, the unit, sender and
template loaded, recipients who never logged in created as citizens, and every case with its
first message, case event, PDL audit event and citizen notice written by one set-based
statement (app/db/repos/outbound.py). Any refusal rolls the whole send back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, page
from app.db.repos import outbound as repo
from app.db.repos import outbound_reads as reads
from app.domain.actors import StaffActor
from app.domain.case import OutboundKind
from app.domain.errors import NotFound, ValidationFailed, field_error
from app.domain.outbound import parse_recipients, start
from app.domain.references import case_reference
from app.services.attachments import attach_to_outbound
from app.services.case_messages import compose_staff_message
from app.services.message_templates import check_content
from app.services.rate_limits import RateLimits


def _free_text(
    subject: str | None, body: str | None, kind: str | None, questions: list[dict[str, Any]] | None
) -> dict[str, Any]:
    missing = [
        name for name, value in (("subject", subject), ("body", body), ("kind", kind)) if value is None
    ]
    if missing:
        msg = "without a template_id a send needs subject, body and kind"
        errors = [{"loc": ["body", name], "msg": msg, "type": "missing"} for name in missing]
        raise ValidationFailed(msg, errors=errors)
    # The same rule as a message template's: a questions send needs a form, information none.
    return check_content({"kind": kind, "subject": subject, "body": body, "questions": questions or []})


def _content(found: dict[str, Any], template_id: UUID | None, free: dict[str, Any] | None) -> dict[str, Any]:
    if free is not None:
        return {**free, "template_id": None, "template_name": None}
    if found["template_id"] is None:
        # Message templates have no status: a deleted template is as unknown as another unit's.
        raise field_error(["template_id"], "not a message template of this unit")
    return {
        "kind": found["template_kind"],
        "subject": found["template_subject"],
        "body": found["template_body"],
        "questions": found["template_questions"],
        "template_id": template_id,
        "template_name": found["template_name"],
    }


async def send(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    *,
    recipients: list[str],
    template_id: UUID | None,
    subject: str | None,
    body: str | None,
    kind: str | None,
    questions: list[dict[str, Any]] | None,
    attachment_ids: list[UUID],
    limits: RateLimits,
) -> dict[str, Any]:
    """Send to 1–250 distinct citizens; returns `{id, case_ids, recipient_count}` with the case
    ids in the order the recipients were first written."""
    numbers = parse_recipients(recipients)
    free = None
    if template_id is None:
        free = _free_text(subject, body, kind, questions)
    elif any(v is not None for v in (subject, body, kind, questions)):
        raise field_error(["template_id"], "send either a template_id or subject, body and kind, not both")
    await limits.count_outbound(conn, actor.staff_id)
    found = await repo.load_for_send(conn, unit_id, actor.staff_id, template_id, len(numbers))
    if found is None:
        raise NotFound("unit not found")
    content = _content(found, template_id, free)
    how = start(OutboundKind(content["kind"]), actor.staff_id)
    # One text for every recipient: the sender's signature and citizen-facing name follow the
    # protected-identity rules exactly as for any staff message.
    composed = compose_staff_message(content["body"], found, found["unit_name"])
    now: datetime = found["now"]
    send_id = uuid4()
    case_ids = [uuid4() for _ in numbers]
    detail = {"outbound_id": str(send_id), "kind": how.message_kind.value}
    if how.closure is not None:
        detail["closure"] = how.closure.value
    await repo.ensure_citizens(conn, numbers)
    created = await repo.insert_send(
        conn,
        {
            "id": send_id,
            "unit_id": unit_id,
            "sender_staff_id": actor.staff_id,
            "template_id": content["template_id"],
            "template_name": content["template_name"],
            "kind": content["kind"],
            "subject": content["subject"],
            "body": content["body"],
            "questions": content["questions"],
            "recipient_count": len(numbers),
            "created_at": now,
        },
        {
            "status": how.status.value,
            "closure": how.closure.value if how.closure else None,
            "form": content["questions"],
            "assignee_staff_id": how.assignee_staff_id,
            "closed_at": now if how.closure else None,
            "message_kind": how.message_kind.value,
            "message_body": composed.body,
            "author_display_name": composed.citizen_facing_name,
            "author_staff_name": composed.staff_name,
            "event_detail": detail,
            "sender_hsa_id": actor.hsa_id,
            "unit_hsa_id": found["unit_hsa_id"],
        },
        {
            "case_ids": case_ids,
            "message_ids": [uuid4() for _ in numbers],
            "references": [case_reference(now, n) for n in found["reference_numbers"]],
            "personal_numbers": numbers,
        },
    )
    if created != len(numbers):  # every recipient is a citizen after ensure_citizens
        raise RuntimeError(f"an outbound send created {created} cases for {len(numbers)} recipients")
    # The files: stored once, marked used by this send, shown on each case's first message (the
    # cases and messages exist now); an unusable id is a 422 that rolls the whole send back.
    await attach_to_outbound(conn, actor, unit_id, attachment_ids, send_id)
    return {"id": send_id, "case_ids": case_ids, "recipient_count": len(numbers)}


def _view(row: dict[str, Any]) -> dict[str, Any]:
    counts = {status: 0 for status in ("new", "assigned", "awaiting_citizen", "closed")}
    counts.update(row["status_counts"])
    template = None
    if row["template_name"] is not None:
        template = {"id": row["template_id"], "name": row["template_name"]}
    return {
        **row,
        "sender": {"id": row["sender_staff_id"], "name": row["sender_name"]},
        "template": template,
        "status_counts": counts,
    }


async def list_sends(conn: AsyncConnection, unit_id: UUID, limit: int, cursor: str | None) -> dict[str, Any]:
    before = decode_cursor(cursor, (cursor_time, cursor_id))
    rows = await reads.list_sends(conn, unit_id, limit, before)
    result = page(rows, limit, lambda r: (r["created_at"].isoformat(), r["id"]))
    result["items"] = [_view(r) for r in result["items"]]
    return result


async def get_send(conn: AsyncConnection, unit_id: UUID, send_id: UUID) -> dict[str, Any]:
    row = await reads.get_send(conn, unit_id, send_id)
    if row is None:
        raise NotFound("outbound send not found")
    return _view(row)
