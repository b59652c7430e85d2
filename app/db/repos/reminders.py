"""Reminders, per unit settings (domain.md "Notifications"): when they fall due.

Who receives them is notifications.py's rule; this module finds the cases, set-based: one
INSERT … SELECT per kind of reminder, whatever the number of cases, each reading only a window
of an index instead of every case ever written:

- Citizen: the case's latest clinic message has stayed unread, or the clinic still awaits the
  citizen's answer (a counter-question or a questions form), for the unit's
  `citizen_reminder_after_days`. Such a message was written at most that long ago plus the
  look-back, and writing it bumped the case's `updated_at`, so `ix_cases_unit_updated` bounds
  the scan per unit. One reminder per message and channel (dedup key `citizen_reminder:<message
  id>:<channel>`): a later clinic message starts a new clock.
- Care provider: an open case past its `due_at` while the unit has `provider_reminder_enabled`
  (`ix_cases_unit_open_due`). One per case, deadline and address.

LOOK_BACK: a reminder more than a week late (the worker was down that long, or the setting was
switched on over an old backlog) is not sent at all — a burst of stale reminders helps nobody,
and the window is what keeps each run cheap.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import DateTime, Interval, Text, cast, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos.notifications import OUTBOX_COLUMNS, care_provider_addresses, citizen_rows
from app.db.tables import cases, citizens, messages, outbox, units
from app.domain.notifications import Template

LOOK_BACK = timedelta(days=7)
# pg_advisory_xact_lock key: one scheduler at a time among several workers (the dedup keys
# would make a second run harmless; the lock makes it skip the work).
SCHEDULER_LOCK = 0x6361726552454D  # "careREM"


def _at(now: datetime) -> Any:
    return literal(now, DateTime(timezone=True))


async def take_scheduler_turn(conn: AsyncConnection) -> bool:
    """Whether this transaction may schedule reminders now (no other worker is doing it)."""
    return bool((await conn.execute(select(func.pg_try_advisory_xact_lock(SCHEDULER_LOCK)))).scalar())


async def schedule_citizen_reminders(conn: AsyncConnection, now: datetime) -> int:
    """Outbox rows for citizens whose clinic message has waited for them; returns how many."""
    after = func.make_interval(0, 0, 0, units.c.citizen_reminder_after_days, type_=Interval)
    due_by, window = _at(now) - after, literal(LOOK_BACK, Interval)
    latest = (
        select(messages.c.id, messages.c.read_at, messages.c.created_at)
        .where(messages.c.case_id == cases.c.id, messages.c.author_type != "citizen")
        .order_by(messages.c.created_at.desc(), messages.c.id.desc())
        .limit(1)
        .lateral("latest")
    )
    waiting = (
        select()
        .select_from(
            units.join(cases, cases.c.unit_id == units.c.id)
            .join(latest, true())
            .join(citizens, citizens.c.id == cases.c.citizen_id)
        )
        .where(
            units.c.citizen_reminder_after_days.isnot(None),
            cases.c.updated_at > due_by - window,
            or_(cases.c.unread_by_citizen > 0, cases.c.status == "awaiting_citizen"),
            latest.c.created_at <= due_by,
            latest.c.created_at > due_by - window,
            or_(latest.c.read_at.is_(None), cases.c.status == "awaiting_citizen"),
        )
    )
    payload = func.jsonb_build_object("case_id", cases.c.id, "message_id", latest.c.id, type_=JSONB)
    stmt = citizen_rows(Template.CITIZEN_REMINDER, waiting, payload, latest.c.id)
    result = await conn.execute(stmt.returning(outbox.c.id))
    return len(result.all())


async def schedule_provider_reminders(conn: AsyncConnection, now: datetime) -> int:
    """Outbox rows for the care providers of open cases past their deadline; returns how many."""
    overdue = (
        select()
        .select_from(units.join(cases, cases.c.unit_id == units.c.id))
        .where(
            units.c.provider_reminder_enabled,
            cases.c.status != "closed",
            cases.c.due_at <= _at(now),
            cases.c.due_at > _at(now) - literal(LOOK_BACK, Interval),
        )
    )
    to = care_provider_addresses(overdue).subquery("to")
    template = Template.PROVIDER_OVERDUE
    deadline = cast(func.floor(func.extract("epoch", to.c.due_at)), Text)
    rows = select(
        literal("email"),
        to.c.addr,
        literal(template),
        func.jsonb_build_object("case_id", to.c.case_id, "unit_id", to.c.unit_id, type_=JSONB),
        func.concat(f"{template}:", to.c.case_id, ":", deadline, ":", to.c.addr),
    ).where(to.c.addr.isnot(None), to.c.addr != "")
    stmt = insert(outbox).from_select(OUTBOX_COLUMNS, rows).on_conflict_do_nothing()
    result = await conn.execute(stmt.returning(outbox.c.id))
    return len(result.all())
