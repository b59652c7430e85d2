"""What the worker asks of a channel, and what a channel answers.

A channel (e-mail, SMS — and a later one, e.g. webhooks) is a `Sender`: it gets one `Notice`
and says how it went as an `Outcome`. The worker owns claiming, leases, retries, metrics and
logging, so a new channel is one class plus one entry in `app/notify/relay.py::build_senders`
(and its name in the outbox's channel check).

Outcome kinds: `sent`; `retry` (may work later: time-out, 5xx, connection refused); `failed`
(will never work as it stands: the receiver refused this message for good); `skipped` (the
channel is switched off here — the row says so instead of waiting for ever).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from app.notify.texts import StaffFacts

OutcomeKind = Literal["sent", "retry", "failed", "skipped"]


@dataclass(frozen=True, slots=True)
class Outcome:
    kind: OutcomeKind
    detail: str | None = None

    @classmethod
    def sent(cls) -> Outcome:
        return cls("sent")

    @classmethod
    def retry(cls, detail: str) -> Outcome:
        return cls("retry", redact(detail))

    @classmethod
    def failed(cls, detail: str) -> Outcome:
        return cls("failed", redact(detail))

    @classmethod
    def skipped(cls, detail: str) -> Outcome:
        return cls("skipped", detail)


@dataclass(frozen=True, slots=True)
class Notice:
    """One outbox row as a sender sees it."""

    id: int
    channel: str
    recipient: str
    template: str
    payload: dict[str, Any]
    dedup_key: str | None
    attempts: int
    facts: StaffFacts

    @property
    def idempotency_key(self) -> str:
        """Stable per (event, recipient, channel): the same row sent twice (a crash between the
        send and recording it) carries the same key, so the receiver can drop the copy. Hashed:
        some dedup keys contain the address, which an SMS gateway's logs need not hold."""
        return hashlib.sha256((self.dedup_key or f"outbox:{self.id}").encode()).hexdigest()

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Notice:
        return cls(
            id=row["id"],
            channel=row["channel"],
            recipient=row["recipient"],
            template=row["template"],
            payload=dict(row["payload"] or {}),
            dedup_key=row["dedup_key"],
            attempts=row["attempts"],
            facts=StaffFacts(unit_name=row.get("unit_name"), case_reference=row.get("case_reference")),
        )


class Sender(Protocol):
    channel: str

    async def send(self, notice: Notice) -> Outcome: ...

    async def close(self) -> None:
        """Called after each batch: drop connections held between sends."""


class SwitchedOff:
    """A channel with no configuration here: each row ends `skipped` with the reason."""

    def __init__(self, channel: str, reason: str) -> None:
        self.channel = channel
        self.reason = reason

    async def send(self, notice: Notice) -> Outcome:
        return Outcome.skipped(self.reason)

    async def close(self) -> None:
        return None


_EMAIL = re.compile(r"[^\s<>@,;:\"']+@[^\s<>@,;:\"']+")
_PHONE = re.compile(r"\+?\d[\d \-]{6,}\d")


def redact(text: str, limit: int = 500) -> str:
    """An error text without addresses or numbers (an SMTP reply often quotes the recipient):
    it is stored, logged and listed, and addresses are personal data."""
    return _PHONE.sub("<number>", _EMAIL.sub("<address>", text))[:limit]


def mask(recipient: str) -> str:
    """Enough of an address or number for an operator to tell rows apart, not to read it."""
    if "@" in recipient:
        local, _, domain = recipient.rpartition("@")
        tld = domain.rsplit(".", 1)[-1] if "." in domain else ""
        return f"{local[:1]}***@***.{tld}" if tld else f"{local[:1]}***@***"
    digits = recipient.strip()
    return f"{digits[:3]}*****{digits[-2:]}" if len(digits) > 5 else "*****"
