"""Who is told: the one place that turns an event into outbox rows (domain.md "Notifications").

- New case at a unit → the unit's notification addresses and the receivers who asked for it
  (`notify_on_new_case`), one e-mail per distinct address.
- Case assigned → the assignee, or each member of the assigned group, who asked for it
  (`notify_on_assigned`), never the person who made the assignment. A citizen's reply goes to
  the same people, by the same wish.
- A staff message or an outbound case → the citizen, by e-mail and/or SMS as they chose in
  `/citizen/me` (`citizen_message_notices`: one case, or every case of an outbound send at once).
- Reminders (app/db/repos/reminders.py builds them set-based from the helpers here): the citizen
  as above; the care provider: the assignee (each member of an assigned group), else the unit's
  addresses.

Every row is written by the statement (or in the transaction) of the change that causes it, so
a rollback leaves nothing to send; each has a dedup key per (event, recipient, channel), so the
same event written twice is one row. Payloads hold ids only: the worker reads the case
reference and unit name when it renders a staff notice, and a citizen notice is a fixed text.
Staff notices go by e-mail only: the staff settings' phone number is kept for a later SMS
option, and domain.md names e-mail for them.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Select, Text, cast, func, literal, select, union, union_all
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import cases, citizens, group_members, outbox, staff, unit_role_assignments, units
from app.domain.notifications import Template

OUTBOX_COLUMNS = ["channel", "recipient", "template", "payload", "dedup_key"]

# The citizen's channels: (channel, their wish, their address).
CITIZEN_CHANNELS = (
    ("email", citizens.c.notify_by_email, citizens.c.email),
    ("sms", citizens.c.notify_by_sms, citizens.c.phone),
)


def staff_address() -> Any:
    """A staff member's address for notices: the one in their settings, else the catalog's."""
    return func.lower(func.coalesce(staff.c.notification_email, staff.c.email)).label("addr")


def unit_addresses(unit_id: Any) -> Select[Any]:
    """The unit's notification addresses (a value, a parameter or a correlated column)."""
    return select(func.lower(func.unnest(units.c.notification_emails)).label("addr")).where(
        units.c.id == unit_id
    )


def new_case_recipients(unit_id: Any) -> Any:
    """The unit's notification addresses and receivers who asked for new-case e-mail; `union`
    makes them distinct (addresses are compared in lower case)."""
    ura = unit_role_assignments
    return union(
        unit_addresses(unit_id),
        select(staff_address())
        .join(ura, ura.c.staff_id == staff.c.id)
        .where(ura.c.unit_id == unit_id, ura.c.role == "case_receiver", staff.c.notify_on_new_case),
    )


def is_assignee(staff_id: UUID | None, group_id: UUID | None) -> ColumnElement[bool]:
    """The staff member is the assignee, or a member of the assigned group (one index look-up
    either way; an OR of both would scan the staff table)."""
    if staff_id is not None:
        return staff.c.id == staff_id
    return staff.c.id.in_(select(group_members.c.staff_id).where(group_members.c.group_id == group_id))


def assignee_recipients(
    staff_id: UUID | None, group_id: UUID | None, *, not_staff_id: UUID | None = None
) -> Select[Any]:
    """The assignee, or each member of the assigned group, who asked for assignment e-mail; never
    `not_staff_id` (whoever made the assignment knows of it)."""
    stmt = select(staff_address()).where(is_assignee(staff_id, group_id), staff.c.notify_on_assigned)
    return stmt.where(staff.c.id != not_staff_id) if not_staff_id is not None else stmt


def notify_rows(template: str, recipients: Any, payload: Any, prefix: Any) -> Any:
    """E-mail outbox rows from `recipients` (an `addr` column) with `payload` and `prefix` +
    address as the dedup key: values, or parameters of a prebuilt statement."""
    addr = recipients.subquery("recipients")
    rows = select(
        literal("email"),
        addr.c.addr,
        literal(template),
        payload,
        prefix + addr.c.addr,
    ).where(addr.c.addr.isnot(None), addr.c.addr != "")
    return insert(outbox).from_select(OUTBOX_COLUMNS, rows).on_conflict_do_nothing()


def notify(template: str, recipients: Any, case_id: UUID, unit_id: UUID, dedup: str) -> Any:
    """E-mail outbox rows, one per distinct address; ids only, never case content."""
    payload = literal(notify_payload(case_id, unit_id), JSONB)
    return notify_rows(template, recipients, payload, literal(dedup_prefix(template, dedup)))


def notify_payload(case_id: UUID, unit_id: UUID) -> dict[str, str]:
    return {"case_id": str(case_id), "unit_id": str(unit_id)}


def dedup_prefix(template: str, dedup: str) -> str:
    return f"{template}:{dedup}:"


def citizen_rows(template: str, base: Select[Any], payload: Any, event_key: Any) -> Any:
    """Outbox rows to the citizen of each row of `base` (a select joined to `citizens`), one per
    channel they chose and gave an address for. The dedup key is template, `event_key` (the
    message that caused it) and channel: the same event never reaches a channel twice."""
    parts = [
        base.add_columns(
            literal(channel),
            address,
            literal(template),
            payload,
            literal(f"{template}:") + cast(event_key, Text) + literal(f":{channel}"),
        ).where(wants, address.isnot(None), address != "")
        for channel, wants, address in CITIZEN_CHANNELS
    ]
    return insert(outbox).from_select(OUTBOX_COLUMNS, union_all(*parts)).on_conflict_do_nothing()


def care_provider_addresses(source: Select[Any]) -> Any:
    """For each case of `source` (a select over `units` joined to `cases`, without columns): the
    care provider's addresses as (case_id, unit_id, due_at, addr) — the assigned staff member,
    or each member of the assigned group, else (unassigned) the unit's notification addresses.

    A reminder is the unit's duty setting (`provider_reminder_enabled`), so it reaches the
    assignee whatever their personal notification wishes; a group case reaches each member, as
    "case assigned" does. Three joins rather than one OR, so each uses its index."""
    cols = (cases.c.id.label("case_id"), cases.c.unit_id, cases.c.due_at)
    gm = group_members
    to_staff = source.add_columns(*cols, staff_address()).join(staff, staff.c.id == cases.c.assignee_staff_id)
    to_group = (
        source.add_columns(*cols, staff_address())
        .join(gm, gm.c.group_id == cases.c.assignee_group_id)
        .join(staff, staff.c.id == gm.c.staff_id)
    )
    to_unit = source.add_columns(
        *cols, func.lower(func.unnest(units.c.notification_emails)).label("addr")
    ).where(cases.c.assignee_staff_id.is_(None), cases.c.assignee_group_id.is_(None))
    return union(to_staff, to_group, to_unit)


def citizen_message_notices(source: Select[Any], case_id: Any, message_id: Any) -> Any:
    """The "new message" notice to the citizen of each row of `source` (a select joined to
    `citizens`, without columns) about the message `message_id` in case `case_id` (columns of
    `source`, or values): one staff message, or every first message of an outbound send in the
    send's one statement. Either way the citizen's current choices decide, by `citizen_rows`."""
    payload = func.jsonb_build_object("case_id", case_id, "message_id", message_id, type_=JSONB)
    return citizen_rows(Template.CITIZEN_NEW_MESSAGE, source, payload, message_id)


async def enqueue_citizen_notice(conn: AsyncConnection, case_id: UUID, message_id: UUID) -> None:
    """A staff message for the citizen: one statement that reads the citizen's current choices,
    so no caller decides them from a copy."""
    case = cases.c.id
    source = select().select_from(cases.join(citizens, citizens.c.id == cases.c.citizen_id))
    stmt = citizen_message_notices(
        source.where(case == case_id), literal(case_id, case.type), literal(message_id, case.type)
    )
    await conn.execute(stmt)


async def enqueue_assigned(
    conn: AsyncConnection,
    unit_id: UUID,
    case_id: UUID,
    assignee_type: str,
    assignee_id: UUID,
    actor_id: UUID,
    version: int,
) -> None:
    """The "case assigned" notice: to the assignee, or each member of the group, who asked for it, never to
    the person who made the assignment. One per address and case version."""
    staff_id, group_id = (assignee_id, None) if assignee_type == "staff" else (None, assignee_id)
    recipients = assignee_recipients(staff_id, group_id, not_staff_id=actor_id)
    await conn.execute(notify(Template.CASE_ASSIGNED, recipients, case_id, unit_id, f"{case_id}:{version}"))


def citizen_replied(
    case_id: UUID, unit_id: UUID, staff_id: UUID | None, group_id: UUID | None, message_id: UUID
) -> Any:
    """A citizen's answer: to the assignee, or each group member, who asked for assignment
    e-mail (as a statement, for the reply's single-statement write)."""
    recipients = assignee_recipients(staff_id, group_id)
    return notify(Template.CASE_CITIZEN_REPLIED, recipients, case_id, unit_id, str(message_id))
