"""How a staff message reaches the citizen: signature, author line, notification.

The citizen-facing author line and signature are fixed when the message is written, from the
author's settings at that time (domain.md "Staff with protected identity"): while
`show_name_to_citizens` is false no text the system writes for the citizen carries the name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import notifications
from app.domain.names import full_name
from app.domain.signature import citizen_facing_name, default_signature


@dataclass(frozen=True, slots=True)
class ComposedMessage:
    body: str  # as stored and shown to the citizen: the text plus the signature
    citizen_facing_name: str
    staff_name: str  # for staff eyes only


def compose_staff_message(text: str, author: dict[str, Any], unit_name: str) -> ComposedMessage:
    show_name = bool(author["show_name_to_citizens"])
    signature = author["signature"] or default_signature(
        author["given_name"],
        author["family_name"],
        author["title"],
        # The name-free form also for anyone who chose to hide their name.
        protected_identity=bool(author["protected_identity"]) or not show_name,
        unit_name=unit_name,
    )
    body = f"{text.rstrip()}\n\n{signature}" if signature else text
    return ComposedMessage(
        body=body,
        citizen_facing_name=citizen_facing_name(
            author["given_name"], author["family_name"], author["title"], unit_name, show_name=show_name
        ),
        staff_name=full_name(author["given_name"], author["family_name"]),
    )


async def notify_citizen(conn: AsyncConnection, case_row: dict[str, Any], message_id: UUID) -> None:
    """A new staff message tells the citizen by the channels they chose (the rule and the fixed
    text live in app/db/repos/notifications.py and app/notify/texts.py); ids only in the row."""
    await notifications.enqueue_citizen_notice(conn, case_row["id"], message_id)
