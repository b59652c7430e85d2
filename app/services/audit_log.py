"""PDL log follow-up: the reviewer's list and CSV export, and the citizen's own extract."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.keyset import cursor_time, decode_cursor, page
from app.db.repos import audit, audit_read
from app.db.repos.audit_read import AuditFilter
from app.domain.actors import CitizenActor, StaffActor
from app.domain.audit import AuditAction
from app.domain.calendar import STOCKHOLM
from app.domain.errors import NotFound, ValidationFailed
from app.domain.names import full_name
from app.domain.signature import staff_name_for_citizens

# An export beyond this is refused with a hint to narrow the period: it keeps one request bounded.
EXPORT_MAX_ROWS = 100_000
CSV_COLUMNS = (
    "occurred_at",
    "staff_hsa_id",
    "staff_name",
    "unit_hsa_id",
    "personal_number",
    "action",
    "case_id",
    "case_reference",
    "outcome",
    "personal_numbers",  # a list event's citizens, space-separated
)

# What the citizen reads in the extract (Swedish, the citizen app's language).
ACTION_TEXT: dict[str, str] = {
    AuditAction.CASE_READ: "Läste ditt ärende",
    AuditAction.CASE_LIST_SEARCH: "Sökte fram dina ärenden",
    AuditAction.CASE_LIST_READ: "Såg ditt ärende i ärendelistan",
    AuditAction.ATTACHMENT_READ: "Öppnade en bifogad fil",
    AuditAction.CASE_DISTRIBUTED: "Fördelade ditt ärende",
    AuditAction.CASE_REASSIGNED: "Lämnade över ditt ärende",
    AuditAction.CASE_CLAIMED: "Tog ditt ärende",
    AuditAction.MESSAGE_SENT: "Skrev ett meddelande till dig",
    AuditAction.CASE_CLOSED: "Avslutade ditt ärende",
    AuditAction.NOTE_ADDED: "Skrev en intern anteckning",
    AuditAction.ATTACHMENT_UPLOADED: "Bifogade en fil",
    AuditAction.OUTBOUND_SENT: "Skickade ett ärende till dig",
    AuditAction.CITIZEN_GRANT_CHANGED: "Ändrade ditt godkännande",
    AuditAction.FOLLOW_UP_READ: "Såg ditt ärende i uppföljningen",
    AuditAction.AUDIT_LOG_EXPORTED: "Exporterade loggen över åtkomst till dina uppgifter",
}


def parse_bound(raw: str | None, name: str, *, end: bool) -> datetime | None:
    """A date (`YYYY-MM-DD`, a whole Stockholm day) or an RFC 3339 timestamp with a zone.

    `from` is inclusive; `to` is inclusive too (of the whole day, or of the instant).
    """
    if raw is None or raw == "":
        return None
    value = raw.strip().replace(" ", "+")  # an unescaped '+' in a query string arrives as ' '
    msg = "a date YYYY-MM-DD or a timestamp with a zone, e.g. 2026-11-25T08:00:00Z"
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, time(0), tzinfo=STOCKHOLM).astimezone(UTC)
        instant = datetime.fromisoformat(value)
        if instant.tzinfo is None:
            raise ValueError(msg)
        return (instant + timedelta(microseconds=1) if end else instant).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        # OverflowError: the day after 9999-12-31 and its like; a 422, never a 500.
        errors = [{"loc": ["query", name], "msg": msg, "type": "value_error"}]
        raise ValidationFailed(msg, errors=errors) from exc


def build_filter(
    personal_number: str | None,
    staff_hsa_id: str | None,
    action: str | None,
    since: str | None,
    until: str | None,
    outcome: str | None = None,
) -> AuditFilter:
    return AuditFilter(
        personal_number=personal_number,
        staff_hsa_id=staff_hsa_id,
        action=action,
        since=parse_bound(since, "from", end=False),
        until=parse_bound(until, "to", end=True),
        outcome=outcome,
    )


def _staff_name(row: dict[str, Any]) -> str | None:
    if row["staff_given_name"] is None:
        return None
    return full_name(row["staff_given_name"], row["staff_family_name"])


def _event(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "occurred_at": row["occurred_at"],
        "staff_hsa_id": row["staff_hsa_id"],
        "staff_id": row["staff_id"],
        "staff_name": _staff_name(row),
        "unit_hsa_id": row["unit_hsa_id"],
        "personal_number": row["personal_number"],
        "action": row["action"],
        "case_id": row["case_id"],
        "case_reference": row["case_reference"],
        "outcome": row["outcome"],
        "detail": row["detail"],
        "personal_numbers": row["personal_numbers"] or [],
    }


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["occurred_at"].isoformat(), row["id"])


def _bigint(raw: Any) -> int:
    value = int(raw)
    if not 0 < value < 2**63:
        raise ValueError("cursor id out of range")
    return value


# A forged cursor must end as a 422, never reach the database as a naive time or an overflow.
_CURSOR_TYPES = (cursor_time, _bigint)


async def unit_events(
    conn: AsyncConnection, unit_id: UUID, f: AuditFilter, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, _CURSOR_TYPES)
    rows = await audit_read.list_unit_events(conn, unit_id, f, after, limit + 1)
    return page([_event(r) for r in rows], limit, _key)


def _csv_cell(value: Any) -> str:
    text = "" if value is None else (value.isoformat() if isinstance(value, datetime) else str(value))
    # Spreadsheets run cells that start like a formula; names come from outside this system.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


async def export_csv(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, f: AuditFilter
) -> tuple[str, str]:
    """The filtered events as CSV, and a file name. The export is itself logged (PDL)."""
    unit_hsa = await audit_read.unit_hsa_id(conn, unit_id)
    if unit_hsa is None:
        raise NotFound("unit not found")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    async for row in audit_read.stream_unit_events(conn, unit_id, f, EXPORT_MAX_ROWS + 1):
        count += 1
        if count > EXPORT_MAX_ROWS:
            raise ValidationFailed(
                f"more than {EXPORT_MAX_ROWS} events match: narrow the period with from and to"
            )
        event = _event(row)
        event["personal_numbers"] = " ".join(event["personal_numbers"])
        writer.writerow([_csv_cell(event[c]) for c in CSV_COLUMNS])
    await audit.record(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=unit_id,
        unit_hsa_id=unit_hsa,
        action=AuditAction.AUDIT_LOG_EXPORTED,
        personal_number=f.personal_number,
        detail={"rows": count, **_filter_detail(f)},
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"audit-events-{unit_hsa}-{stamp}.csv", out.getvalue()


def _filter_detail(f: AuditFilter) -> dict[str, Any]:
    values = {
        "staff_hsa_id": f.staff_hsa_id,
        "action": f.action,
        "outcome": f.outcome,
        "from": f.since.isoformat() if f.since else None,
        "to": f.until.isoformat() if f.until else None,
    }
    return {k: v for k, v in values.items() if v is not None}


def _citizen_event(row: dict[str, Any]) -> dict[str, Any]:
    staff_view = None
    if row["staff_title"] is not None:
        name = staff_name_for_citizens(
            row["staff_given_name"],
            row["staff_family_name"],
            show_name=row["show_name_to_citizens"],
            protected_identity=row["protected_identity"],
        )
        staff_view = {"title": row["staff_title"], "name": name}
    return {
        "id": row["id"],
        "occurred_at": row["occurred_at"],
        "unit": {"id": row["unit_id"], "name": row["unit_name"]},
        "action": row["action"],
        "description": ACTION_TEXT.get(row["action"], "Tog del av dina uppgifter"),
        "staff": staff_view,
    }


async def citizen_extract(
    conn: AsyncConnection, actor: CitizenActor, limit: int, cursor: str | None
) -> dict[str, Any]:
    after = decode_cursor(cursor, _CURSOR_TYPES)
    rows = await audit_read.list_citizen_events(conn, actor.personal_number, after, limit + 1)
    return page([_citizen_event(r) for r in rows], limit, _key)
