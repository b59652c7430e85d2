"""Outbound cases (domain.md "outbound case", the life-cycle rows "outbound case, information /
questions", "Rules with numbers: Outbound"): who receives a send, and how each case starts.

Pure: the recipients as written → the canonical personal numbers (or every problem at once), and
the kind of a send → the status, closure, assignee and message kind its cases start with. The
citizen's answer to a questions form goes through the case aggregate (`Case.citizen_reply`,
awaiting_citizen → assigned, same assignee) like an answer to a counter-question.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from app.domain.case import CaseStatus, Closure, MessageKind, OutboundKind
from app.domain.errors import ValidationFailed, field_error
from app.domain.identifiers import InvalidIdentifier, parse_personal_number

MAX_RECIPIENTS = 250  # distinct recipients per send; 251 is refused as a whole


@dataclass(frozen=True, slots=True)
class OutboundStart:
    """How every case of a send starts (one case event each: created → `status`)."""

    status: CaseStatus
    closure: Closure | None
    assignee_staff_id: UUID | None
    message_kind: MessageKind


def start(kind: OutboundKind, sender_id: UUID) -> OutboundStart:
    if kind == OutboundKind.INFORMATION:
        # The citizen reads it and cannot reply: a closed case takes no message (409).
        return OutboundStart(CaseStatus.CLOSED, Closure.INFORMATION_SENT, None, MessageKind.INFORMATION)
    # The sender awaits the answers; the citizen's reply brings the case back to them.
    return OutboundStart(CaseStatus.AWAITING_CITIZEN, None, sender_id, MessageKind.QUESTIONS)


def parse_recipients(raw: Sequence[str]) -> list[str]:
    """The distinct recipients as 12-digit personal numbers, in the order first written.

    Any written form is taken (10 or 12 digits, with or without `-`/`+`); two spellings of one
    number are one recipient. All or nothing: every invalid entry is named with its position
    (`["body", "recipients", i]`), and more than MAX_RECIPIENTS distinct numbers are refused.
    """
    errors: list[dict[str, Any]] = []
    distinct: dict[str, None] = {}
    for i, value in enumerate(raw):
        try:
            distinct.setdefault(parse_personal_number(value), None)
        except InvalidIdentifier as exc:
            errors.append(
                {"loc": ["body", "recipients", i], "msg": f"{value.strip()}: {exc}", "type": "value_error"}
            )
    if errors:
        raise ValidationFailed(
            f"{len(errors)} recipient(s) are not valid personal numbers; nothing was sent", errors=errors
        )
    if not distinct:
        raise field_error(["recipients"], "a send needs at least one recipient")
    if len(distinct) > MAX_RECIPIENTS:
        raise field_error(
            ["recipients"],
            f"at most {MAX_RECIPIENTS} distinct recipients per send, not {len(distinct)}; nothing was sent",
        )
    return list(distinct)
