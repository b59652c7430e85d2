"""Files sent with an outbound send: linked once to the send (`attachments.outbound_id`), shown
with the first message of every recipient's case (app/db/repos/citizen_threads.py,
case_view.py).

The seam for the attachments work: whichever way files come to belong to messages, this is the
one place an outbound send claims them.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import ARRAY, any_, bindparam, cast, update
from sqlalchemy.dialects.postgresql import UUID as PgUUID
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.prepared import Prepared
from app.db.tables import attachments

_UUID = PgUUID(as_uuid=True)

_LINK_ATTACHMENTS = Prepared(
    update(attachments)
    .where(
        attachments.c.id == any_(cast(bindparam("attachment_ids", type_=ARRAY(_UUID)), ARRAY(_UUID))),
        attachments.c.unit_id == bindparam("unit_id", type_=_UUID),
        attachments.c.uploaded_by_staff_id == bindparam("sender_id", type_=_UUID),
        attachments.c.message_id.is_(None),
        attachments.c.outbound_id.is_(None),
    )
    .values(outbound_id=bindparam("send_id", type_=_UUID))
    .returning(attachments.c.id)
)


async def link_attachments(
    conn: AsyncConnection, send_id: UUID, unit_id: UUID, sender_id: UUID, attachment_ids: list[UUID]
) -> set[UUID]:
    """Link the sender's own not yet sent uploads at this unit to the send: stored once, shown
    in every recipient's case. Returns the ids linked; the others are not the sender's to send."""
    rows = await _LINK_ATTACHMENTS.rows(
        conn, attachment_ids=attachment_ids, unit_id=unit_id, sender_id=sender_id, send_id=send_id
    )
    return {r[0] for r in rows}
