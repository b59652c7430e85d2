"""Cases, citizen side (api.md "Cases, citizen side"; domain.md "Case life cycle").

Out-of-reach things are 404 throughout: a unit the citizen may not contact, a case type not open
to them (inactive, restricted without a valid grant, another unit's) and another citizen's case
are indistinguishable from ones that do not exist. Citizens never see internal notes, staff
HSA-ids or staff names beyond the display name fixed on each message when it was written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_id, cursor_time, decode_cursor, page
from app.db.repos import citizen_cases as repo
from app.db.repos import citizen_new_case as new_case
from app.db.repos import citizen_threads as threads
from app.db.repos import citizen_units as reach
from app.domain.actors import CitizenActor
from app.domain.calendar import due_at, today
from app.domain.case import Assignee, Case, CaseOrigin, CaseStatus, MessageKind
from app.domain.errors import NotFound, ValidationFailed, check_version, field_error
from app.domain.events import CaseRef, CaseState, MessageRef, case_created, changed
from app.domain.forms import validate_answers
from app.domain.names import full_name
from app.domain.references import case_reference
from app.domain.text import search_key
from app.services.attachments import refuse_unusable
from app.services.rate_limits import RateLimits

MAX_SEARCH = 100


def _who(actor: CitizenActor) -> reach.Who:
    return reach.Who(actor.citizen_id, actor.personal_number, today())


async def contactable_units(
    conn: AsyncConnection, actor: CitizenActor, q: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    key = search_key(q or "")[:MAX_SEARCH]
    after = decode_cursor(cursor, (int, str, UUID))
    rows = await reach.contactable_units(conn, _who(actor), key, limit, after)
    return page(rows, limit, lambda r: (r["rank"], r["name"], r["id"]))


async def open_case_types(
    conn: AsyncConnection, actor: CitizenActor, unit_id: UUID, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, (str, UUID))
    rows = await reach.open_case_types(conn, _who(actor), unit_id, limit, after)
    if not rows and after is None:
        # A unit is contactable exactly when some case type is open to the citizen there.
        raise NotFound("unit not found")
    return page(rows, limit, lambda r: (r["name"], r["id"]))


def _author_name(row: dict[str, Any]) -> str:
    """The author line of a citizen's message: a citizen the register knows no name of writes
    as "Invånaren" (the resident), never as an empty line."""
    return full_name(row["given_name"], row["family_name"]) or "Invånaren"


def _check_attachments(ids: list[UUID], usable: list[dict[str, Any]], allowed: bool) -> None:
    if not ids:
        return
    if not allowed:
        raise field_error(["attachment_ids"], "this case type does not take attachments from citizens")
    refuse_unusable(ids, (u["id"] for u in usable))


def _answers_view(form: list[dict[str, Any]], answers: dict[str, Any]) -> list[dict[str, Any]]:
    """The answers with the labels they were given under, in the form's order."""
    return [
        {"key": q["key"], "label": q["label"], "type": q["type"], "value": answers[q["key"]]}
        for q in form
        if q["key"] in answers
    ]


def _message_view(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "body": row["body"],
        "answers": row["answers"],
        # The name as fixed when written (staff who hide their name show title and unit).
        "author": {"type": row["author_type"], "display_name": row["author_display_name"]},
        "created_at": row["created_at"],
        "read_at": row["read_at"],
        "attachments": row["attachments"],
    }


async def create_case(
    conn: AsyncConnection,
    actor: CitizenActor,
    *,
    limits: RateLimits | None = None,
    unit_id: UUID,
    case_type_id: UUID,
    answers: dict[str, Any],
    message: str | None,
    attachment_ids: list[UUID],
) -> dict[str, Any]:
    # Counted in this transaction: a case that is not created (refused, invalid) does not count.
    # None: no limit (the demo loader writes its cases directly).
    if limits is not None:
        await limits.count_citizen_case(conn, actor.citizen_id)
    ids = list(dict.fromkeys(attachment_ids))
    found = await new_case.load_for_new_case(conn, _who(actor), unit_id, case_type_id, ids)
    if found is None:
        raise NotFound("no such case type is open to you at this unit")
    form = found["questions"]
    clean = validate_answers(form, answers)
    _check_attachments(ids, found["usable_attachments"], found["citizen_attachments_allowed"])
    now: datetime = found["now"]
    case_id = uuid4()
    case_row = {
        "id": case_id,
        "unit_id": unit_id,
        "citizen_id": actor.citizen_id,
        "case_type_id": case_type_id,
        "reference": case_reference(now, found["reference_number"]),
        "status": CaseStatus.NEW.value,
        "origin": CaseOrigin.CITIZEN.value,
        "subject": found["case_type_name"],
        "form": form,
        "answers": clean,
        "due_at": due_at(now),
        "created_at": now,
        "updated_at": now,
    }
    text = (message or "").strip()
    message_row = None
    if text or ids:
        message_row = {
            "id": uuid4(),
            "case_id": case_id,
            "kind": MessageKind.CITIZEN.value,
            "body": text,
            "author_type": "citizen",
            "author_display_name": _author_name(found),
            "created_at": now,
        }
    created = case_created(CaseRef(case_id, case_row["reference"]), CaseOrigin.CITIZEN.value, case_type_id)
    if await new_case.insert_case(conn, case_row, message_row, ids, created) != len(ids):
        raise field_error(["attachment_ids"], "an attachment was sent with another message meanwhile")
    messages = []
    if message_row is not None:
        messages.append(
            _message_view(
                {**message_row, "answers": None, "read_at": None, "attachments": found["usable_attachments"]}
            )
        )
    return {
        **case_row,
        "unit": {"id": unit_id, "name": found["unit_name"]},
        "case_type": {"id": case_type_id, "name": found["case_type_name"]},
        "answers": _answers_view(form, clean),
        "closed_at": None,
        "closure": None,
        "version": 1,
        "unread_count": 0,
        "messages": messages,
        "events": [{"action": "created", "from_status": None, "to_status": "new", "created_at": now}],
    }


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        **row,
        "unit": {"id": row["unit_id"], "name": row["unit_name"]},
        "case_type": {"id": row["case_type_id"], "name": row["case_type_name"]}
        if row["case_type_id"]
        else None,
    }


async def list_cases(
    conn: AsyncConnection, actor: CitizenActor, limit: int, cursor: str | None
) -> dict[str, Any]:
    before = decode_cursor(cursor, (cursor_time, cursor_id))
    rows = await repo.list_cases(conn, actor.citizen_id, limit, before)
    result = page(rows, limit, lambda r: (r["created_at"].isoformat(), r["id"]))
    result["items"] = [_summary(r) for r in result["items"]]
    return result


async def get_case(conn: AsyncConnection, actor: CitizenActor, case_id: UUID) -> dict[str, Any]:
    """The citizen's own case; reading it marks the clinic's messages read."""
    row = await repo.get_case(conn, actor.citizen_id, case_id)
    if row is None:
        raise NotFound("case not found")
    messages = await threads.thread_marking_read(conn, actor.citizen_id, case_id)
    events = await threads.status_history(conn, actor.citizen_id, case_id)
    return {
        **_summary(row),
        "unread_count": 0,
        "answers": _answers_view(row["form"], row["answers"]),
        "messages": [_message_view(m) for m in messages],
        "events": events,
    }


async def reply(
    conn: AsyncConnection,
    actor: CitizenActor,
    case_id: UUID,
    *,
    body: str,
    answers: dict[str, Any] | None,
    attachment_ids: list[UUID],
    expected_versions: frozenset[int] | None = None,
) -> tuple[dict[str, Any], int]:
    """The citizen answers a counter-question or a questions form. Returns (message, version)."""
    ids = list(dict.fromkeys(attachment_ids))
    state = await threads.lock_for_reply(conn, actor.citizen_id, case_id, ids)
    if state is None:
        raise NotFound("case not found")
    check_version("case", state["version"], expected_versions)
    transition = _aggregate(state).citizen_reply()  # 409 with the status unless awaiting_citizen
    # Answers belong to a questions form (an outbound case's form, in cases.form); a reply to a
    # counter-question is free text only.
    asks = state["last_clinic_kind"] == MessageKind.QUESTIONS.value and bool(state["form"])
    if answers is not None and not asks:
        raise field_error(["answers"], "this case asks no questions to answer")
    clean = validate_answers(state["form"], answers or {}) if asks else None
    text = body.strip()
    if not text and not clean and not ids:
        raise field_error(["body"], "write a message")
    _check_attachments(ids, state["usable_attachments"], state["citizen_attachments_allowed"])
    message_row = {
        "id": uuid4(),
        "case_id": case_id,
        "kind": MessageKind.CITIZEN.value,
        "body": text,
        "answers": clean,
        "author_type": "citizen",
        "author_display_name": _author_name(state),
        "created_at": state["now"],
    }
    event = {
        "action": transition.action,
        "from_status": transition.from_status.value,
        "to_status": transition.to_status.value,
    }
    case = _aggregate(state)
    events = changed(
        CaseRef(case_id, state["reference"]),
        CaseState(transition.from_status, case.assignee),
        CaseState(transition.to_status, case.assignee),
        MessageRef(message_row["id"], MessageKind.CITIZEN.value, "citizen"),
    )
    version, linked = await threads.save_reply(
        conn, state, transition.to_status.value, event, message_row, ids, events
    )
    if linked != len(ids):
        raise ValidationFailed("an attachment was sent with another message meanwhile")
    view = _message_view(
        {
            **message_row,
            "read_at": None,
            "attachments": state["usable_attachments"],
        }
    )
    return view, version


def _aggregate(state: dict[str, Any]) -> Case:
    assignee = None
    if state["assignee_staff_id"]:
        assignee = Assignee("staff", state["assignee_staff_id"])
    elif state["assignee_group_id"]:
        assignee = Assignee("group", state["assignee_group_id"])
    return Case(state["id"], state["unit_id"], CaseStatus(state["status"]), assignee, state["version"])
