"""Case transitions, staff side: distribute, reassign, claim, messages, close, notes.

One path for every change: lock the case row (scoped to the actor: out of reach → 404), check
If-Match (412), let the aggregate decide (403 / 409), then persist state + case event + audit
event (+ message, outbox row) in the request's transaction. The row lock serialises concurrent
transitions on one case, so with or without If-Match no update is lost.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import audit, case_reach, notifications
from app.db.repos import cases as repo
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction
from app.domain.case import Assignee, Case, CaseActor, CaseStatus, Closure, MessageKind, Transition
from app.domain.errors import Conflict, DomainError, NotFound, check_version, field_error
from app.domain.events import CaseRef, CaseState, MessageRef, changed
from app.domain.policy import Role
from app.domain.reach import CaseReach
from app.services import attachments, denied_access
from app.services.case_messages import compose_staff_message, notify_citizen

AUDIT_FOR_ACTION = {
    "distributed": AuditAction.CASE_DISTRIBUTED,
    "reassigned": AuditAction.CASE_REASSIGNED,
    "claimed": AuditAction.CASE_CLAIMED,
    "answered": AuditAction.MESSAGE_SENT,
    "partial_reply": AuditAction.MESSAGE_SENT,
    "counter_question": AuditAction.MESSAGE_SENT,
    "closed": AuditAction.CASE_CLOSED,
    "note_added": AuditAction.NOTE_ADDED,
}


@contextmanager
def _refusals_logged(actor: StaffActor, unit_id: UUID, case_id: UUID, action: AuditAction) -> Iterator[None]:
    """A 404 (out of reach) or 403 (the aggregate: the role or the assignment may not) on this
    case becomes a PDL event with outcome `denied`, written after the rollback
    (app/services/denied_access.py; a 404 on a case the actor reaches writes nothing)."""
    try:
        yield
    except DomainError as error:
        denied_access.tag(error, actor, unit_id, case_id, action)
        raise


@dataclass(slots=True)
class Loaded:
    """A locked case: the aggregate plus what persisting and auditing it needs."""

    case: Case
    actor: CaseActor
    row: dict[str, Any]
    before: CaseState  # as locked, for the events of the change


async def _load(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    case_id: UUID,
    if_match: frozenset[int] | None,
    *,
    claiming: bool = False,
) -> Loaded:
    if not await case_reach.reaches(conn, unit_id, case_id, CaseReach.of(actor, unit_id)):
        # A group member whose colleague claimed the case first learns it was taken (409 from
        # the aggregate), whether their request came just before or just after the winner's.
        if not (claiming and await case_reach.claimed_from_my_group(conn, case_id, actor.staff_id)):
            raise NotFound("case not found")
    row = await repo.lock_for_staff(conn, unit_id, case_id, actor.staff_id)
    if row is None:
        raise NotFound("case not found")
    check_version("case", row["version"], if_match)
    assignee = None
    if row["assignee_staff_id"] is not None:
        assignee = Assignee("staff", row["assignee_staff_id"])
    elif row["assignee_group_id"] is not None:
        assignee = Assignee("group", row["assignee_group_id"])
    case = Case(
        id=row["id"],
        unit_id=unit_id,
        status=CaseStatus(row["status"]),
        assignee=assignee,
        version=row["version"],
        closure=Closure(row["closure"]) if row["closure"] else None,
    )
    roles = actor.roles_at(unit_id)
    case_actor = CaseActor(
        staff_id=actor.staff_id,
        is_receiver=Role.CASE_RECEIVER in roles,
        is_handler=Role.CASE_HANDLER in roles,
        group_ids=frozenset(row["my_group_ids"] or ()),
    )
    return Loaded(case, case_actor, row, CaseState(case.status, case.assignee, case.closure))


async def _persist(
    conn: AsyncConnection,
    actor: StaffActor,
    loaded: Loaded,
    t: Transition,
    *,
    unread_increment: int = 0,
    detail: dict[str, Any] | None = None,
    message: dict[str, Any] | None = None,
) -> int:
    case = loaded.case
    event_detail = {**t.detail, **(detail or {})}
    events = changed(
        CaseRef(case.id, loaded.row["reference"]),
        loaded.before,
        CaseState(case.status, case.assignee, case.closure),
        MessageRef(message["id"], message["kind"], "staff") if message is not None else None,
    )
    version = await repo.save_transition(
        conn,
        case.id,
        read_version=case.version,
        status=case.status.value,
        assignee_staff_id=case.assignee.id if case.assignee and case.assignee.type == "staff" else None,
        assignee_group_id=case.assignee.id if case.assignee and case.assignee.type == "group" else None,
        closure=case.closure.value if case.closure else None,
        unread_increment=unread_increment,
        action=t.action,
        from_status=t.from_status.value,
        actor_staff_id=actor.staff_id,
        detail=event_detail,
        events=events,
    )
    if version is None:  # cannot happen under the row lock; never overwrite a newer state
        raise Conflict("the case changed while this request ran; reload it and try again")
    await audit.record(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=case.unit_id,
        unit_hsa_id=loaded.row["unit_hsa_id"],
        action=AUDIT_FOR_ACTION[t.action],
        personal_number=loaded.row["personal_number"],
        case_id=case.id,
        detail=event_detail,
    )
    return version


def _assign_action(actor: StaffActor, unit_id: UUID) -> AuditAction:
    """What an assignment attempt is, for the log of a refused one: a receiver distributes."""
    receiver = Role.CASE_RECEIVER in actor.roles_at(unit_id)
    return AuditAction.CASE_DISTRIBUTED if receiver else AuditAction.CASE_REASSIGNED


async def _check_assignee(conn: AsyncConnection, unit_id: UUID, assignee: Assignee | None) -> None:
    if assignee is not None and not await repo.valid_assignee(conn, unit_id, assignee.type, assignee.id):
        what = "a case handler at this unit" if assignee.type == "staff" else "a group of this unit"
        raise field_error(["assignee", "id"], f"the assignee must be {what}")


async def assign(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    case_id: UUID,
    assignee: Assignee | None,
    partial_reply: str | None,
    if_match: frozenset[int] | None,
) -> int:
    """Receiver: distribute (optionally with a partial reply). The assigned handler who is not a
    receiver: reassign. Either may put the case back in the inbox (assignee None)."""
    with _refusals_logged(actor, unit_id, case_id, _assign_action(actor, unit_id)):
        loaded = await _load(conn, actor, unit_id, case_id, if_match)
        case, who = loaded.case, loaded.actor
        if who.is_receiver:
            t = (
                case.distribute_with_partial_reply(who, assignee)
                if partial_reply is not None
                else case.distribute(who, assignee)
            )
        else:
            if partial_reply is not None:
                case.reassign(who, assignee)  # 403/409 first when the handler may not even reassign
                raise field_error(["partial_reply"], "only a case receiver distributes with a partial reply")
            t = case.reassign(who, assignee)
        await _check_assignee(conn, unit_id, assignee)
        if partial_reply is None:
            version = await _persist(conn, actor, loaded, t)
        else:
            message = await _write_message(conn, actor, loaded, MessageKind.PARTIAL_REPLY, partial_reply)
            version = await _persist(
                conn,
                actor,
                loaded,
                t,
                unread_increment=1,
                detail={"message_id": str(message["id"])},
                message=message,
            )
        if assignee is not None:
            await notifications.enqueue_assigned(
                conn, unit_id, case_id, assignee.type, assignee.id, actor.staff_id, version
            )
        return version


async def claim(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, case_id: UUID, if_match: frozenset[int] | None
) -> int:
    with _refusals_logged(actor, unit_id, case_id, AuditAction.CASE_CLAIMED):
        loaded = await _load(conn, actor, unit_id, case_id, if_match, claiming=True)
        t = loaded.case.claim(loaded.actor)
        return await _persist(conn, actor, loaded, t)


async def send_message(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    case_id: UUID,
    *,
    kind: MessageKind,
    body: str | None,
    attachment_ids: list[UUID],
    answer_template_id: str | None,
    if_match: frozenset[int] | None,
) -> tuple[dict[str, Any], int]:
    """Answer, partial reply or counter-question; returns the message and the new version."""
    with _refusals_logged(actor, unit_id, case_id, AuditAction.MESSAGE_SENT):
        loaded = await _load(conn, actor, unit_id, case_id, if_match)
        t = loaded.case.staff_message(loaded.actor, kind)
        text = await _message_text(conn, loaded, body, answer_template_id)
        message = await _write_message(conn, actor, loaded, kind, text)
        owner = attachments.staff_owner(actor, unit_id)
        message["attachments"] = await attachments.attach_to_message(
            conn, owner, attachment_ids, message["id"]
        )
        detail: dict[str, Any] = {"message_id": str(message["id"])}
        if answer_template_id is not None:
            detail["answer_template_id"] = answer_template_id
        if message["attachments"]:
            detail["attachment_ids"] = [str(a["id"]) for a in message["attachments"]]
        version = await _persist(conn, actor, loaded, t, unread_increment=1, detail=detail, message=message)
        return message, version


async def _message_text(
    conn: AsyncConnection, loaded: Loaded, body: str | None, template_id: str | None
) -> str:
    if template_id is None:
        if body is None:
            raise field_error(["body"], "a message needs a body (or an answer_template_id)")
        return body
    case_type_id = loaded.row["case_type_id"]
    templates = await repo.answer_templates(conn, case_type_id) if case_type_id else []
    wanted = _template_key(template_id)
    template = next((x for x in templates if _template_key(str(x.get("id"))) == wanted), None)
    if template is None:
        raise field_error(["answer_template_id"], "not an answer template of this case's case type")
    # The handler may edit the template's text before sending; without a body it goes as is.
    return body if body is not None else str(template.get("body") or "")


def _template_key(value: str) -> str:
    """Answer-template ids are UUIDs: any spelling of one (upper case, braces) names it."""
    try:
        return str(UUID(value))
    except ValueError:
        return value


async def _write_message(
    conn: AsyncConnection, actor: StaffActor, loaded: Loaded, kind: MessageKind, text: str
) -> dict[str, Any]:
    author = await repo.staff_author(conn, actor.staff_id)
    if author is None:
        raise NotFound("your staff account no longer exists")
    composed = compose_staff_message(text, author, loaded.row["unit_name"])
    message = await repo.insert_message(
        conn,
        loaded.case.id,
        kind=kind.value,
        body=composed.body,
        author_type="staff",
        author_staff_id=actor.staff_id,
        author_display_name=composed.citizen_facing_name,
        author_staff_name=composed.staff_name,
    )
    await notify_citizen(conn, loaded.row, message["id"])
    return message


async def close(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    case_id: UUID,
    note: str | None,
    if_match: frozenset[int] | None,
) -> int:
    with _refusals_logged(actor, unit_id, case_id, AuditAction.CASE_CLOSED):
        loaded = await _load(conn, actor, unit_id, case_id, if_match)
        t = loaded.case.close_without_answer(loaded.actor)
        detail: dict[str, Any] = {}
        if note:
            saved = await repo.insert_note(conn, case_id, actor.staff_id, note)
            detail["note_id"] = str(saved["id"])
        return await _persist(conn, actor, loaded, t, detail=detail)


async def add_note(
    conn: AsyncConnection,
    actor: StaffActor,
    unit_id: UUID,
    case_id: UUID,
    body: str,
    if_match: frozenset[int] | None,
) -> tuple[dict[str, Any], int]:
    """An internal note, never citizen-visible. It bumps the version like any change."""
    with _refusals_logged(actor, unit_id, case_id, AuditAction.NOTE_ADDED):
        loaded = await _load(conn, actor, unit_id, case_id, if_match)
        t = loaded.case.add_note(loaded.actor)
        note = await repo.insert_note(conn, case_id, actor.staff_id, body)
        version = await _persist(conn, actor, loaded, t, detail={"note_id": str(note["id"])})
        return note, version
