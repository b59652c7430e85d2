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

from app.db.repos import cases as repo
from app.domain.names import full_name
from app.domain.signature import citizen_facing_name, default_signature

# The notifier renders a fixed text per template: no case content, unit name or staff name.
CITIZEN_NEW_MESSAGE = "citizen_new_message"


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
    """Outbox rows for a new staff message, by the channels the citizen chose; the payload holds
    ids only (for reminders and de-duplication), never case content."""
    payload = {"case_id": str(case_row["id"]), "message_id": str(message_id)}
    channels = []
    if case_row["email"] and case_row["notify_by_email"]:
        channels.append(("email", case_row["email"]))
    if case_row["phone"] and case_row["notify_by_sms"]:
        channels.append(("sms", case_row["phone"]))
    for channel, recipient in channels:
        await repo.enqueue_notification(
            conn,
            channel=channel,
            recipient=recipient,
            template=CITIZEN_NEW_MESSAGE,
            payload=payload,
            dedup_key=f"{CITIZEN_NEW_MESSAGE}:{message_id}:{channel}",
        )
