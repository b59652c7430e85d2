"""Attachments: upload (judged by content, stripped of JPEG metadata, counted against a quota),
use by a message or an outbound send, download (staff: PDL-audited), and the purge.

Uploads stream: the bytes go from the request to the store in pieces, never whole in memory
(a JPEG is the exception: held once, at most MAX_BYTES, to take its metadata out).
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterable, AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.engine import Database
from app.db.repos import attachments as repo
from app.db.repos import audit
from app.db.repos.attachments import Owner
from app.domain import attachments as rules
from app.domain.actors import CitizenActor, StaffActor
from app.domain.audit import AuditAction
from app.domain.errors import NotFound, ValidationFailed, field_error
from app.domain.reach import CaseReach
from app.observability import ATTACHMENTS_PURGED
from app.services import denied_access
from app.services.jpeg_metadata import DamagedJpeg, strip_metadata
from app.storage.ports import CHUNK_BYTES, AttachmentStore

PURGE_BATCH = 500


def citizen_owner(actor: CitizenActor) -> Owner:
    return Owner(citizen_id=actor.citizen_id)


def staff_owner(actor: StaffActor, unit_id: UUID) -> Owner:
    return Owner(staff_id=actor.staff_id, unit_id=unit_id)


# ---- upload ------------------------------------------------------------------------------


async def _check_quota(conn: AsyncConnection, owner: Owner) -> None:
    count, oldest, now = await repo.unused(conn, owner)
    if count >= rules.MAX_UNATTACHED:
        # Retry-After: when the oldest unused upload expires (attaching one frees a place sooner).
        expires = (oldest or now) + rules.UNATTACHED_TTL
        raise rules.UploadQuotaExceeded(
            f"you hold {count} unused uploads, the most allowed; attach or wait for one to expire",
            retry_after=max(1, math.ceil((expires - now).total_seconds())),
        )


async def _bounded(chunks: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    """The file's bytes, refused (413) the moment they pass MAX_BYTES."""
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > rules.MAX_BYTES:
            raise rules.too_large()
        yield chunk


async def _head(chunks: AsyncIterator[bytes]) -> bytes:
    """The first bytes of the file: enough to judge its type (and name a refused one)."""
    head = b""
    async for chunk in chunks:
        head += chunk
        if len(head) >= 512:
            break
    return head


def _detected_name(head: bytes) -> str:
    # filetype knows some 80 formats by signature: the 415 says what the file really is
    # ("application/x-executable"), which the allow-list itself cannot.
    import filetype

    guess = filetype.guess(head)
    # filetype is looser than the allow-list ("GIF" + anything is a GIF to it): a file it
    # takes for an accepted type has failed the exact signature, so it is nothing known.
    if guess is None or (rules.accepted_type(head) is None and guess.mime in rules.ACCEPTED):
        return "application/octet-stream"
    return str(guess.mime)


async def _rest(head: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield head
    async for chunk in chunks:
        yield chunk


async def _slices(pieces: Iterable[memoryview | bytes]) -> AsyncIterator[bytes]:
    for piece in pieces:
        view = memoryview(piece)
        for start in range(0, len(view), CHUNK_BYTES):
            yield bytes(view[start : start + CHUNK_BYTES])


async def _without_metadata(head: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterable[bytes]:
    whole = bytearray(head)
    async for chunk in chunks:
        whole += chunk
    try:
        pieces = strip_metadata(whole)
    except DamagedJpeg as exc:
        raise field_error(["file"], f"the JPEG file is damaged: {exc}") from exc
    return _slices(pieces)


async def upload(
    conn: AsyncConnection,
    store: AttachmentStore,
    owner: Owner,
    filename: str,
    chunks: AsyncIterable[bytes],
    *,
    idle_seconds: float,
) -> dict[str, Any]:
    """Store one uploaded file; 201's body `{id, filename, content_type, size, sha256}`.
    `idle_seconds`: how long the transaction may wait on the client between writes."""
    await repo.allow_idle_while_receiving(conn, idle_seconds)
    await _check_quota(conn, owner)  # early, before the body is read; again under the lock
    stream = _bounded(chunks)
    head = await _head(stream)
    if not head:
        raise field_error(["file"], "the file is empty")
    content_type = rules.accepted_type(head)
    if content_type is None:
        raise rules.unsupported(_detected_name(head))
    source = await _without_metadata(head, stream) if content_type == rules.JPEG else _rest(head, stream)
    blob = await store.put(conn, source)
    try:
        await repo.lock_uploader(conn, owner)
        await _check_quota(conn, owner)
        return await repo.insert_upload(conn, owner, rules.clean_filename(filename), content_type, blob)
    except BaseException:
        await store.abandon(blob.key)
        raise


# ---- use ---------------------------------------------------------------------------------


def refuse_unusable(ids: list[UUID], usable: Iterable[Any]) -> None:
    """422 naming each of `ids` that is not among `usable` (ids or their strings): another
    person's, already used, expired or unknown look alike, so none is revealed."""
    have = {str(u) for u in usable}
    bad = [(i, x) for i, x in enumerate(ids) if str(x) not in have]
    if bad:
        names = ", ".join(str(x) for _, x in bad)
        raise ValidationFailed(
            f"not an unused upload of yours: {names}",
            errors=[
                {
                    "loc": ["body", "attachment_ids", i],
                    "msg": f"{x} is not an unused upload of yours (unknown, already sent, or expired)",
                    "type": "value_error",
                }
                for i, x in bad
            ],
        )


async def attach_to_message(
    conn: AsyncConnection, owner: Owner, ids: list[UUID], message_id: UUID
) -> list[dict[str, Any]]:
    """Use the caller's uploads `ids` on a message just written (same transaction): all or a
    422 naming the others. Returns the message's `attachments` (id, filename, type, size)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    claimed = await repo.claim_for_message(conn, owner, ids, message_id)
    refuse_unusable(ids, (r["id"] for r in claimed))
    return claimed


async def attach_to_outbound(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, ids: list[UUID], outbound_id: UUID
) -> list[dict[str, Any]]:
    """For outbound sends: use the sender's uploads `ids` (made at this unit) for the send
    `outbound_id`, shown on the first message of each of its cases (`cases.outbound_id`) and
    stored once. Call it after those cases and messages are written, in the same transaction;
    a 422 naming any unusable id rolls the whole send back."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    claimed = await repo.claim_for_outbound(conn, staff_owner(actor, unit_id), ids, outbound_id)
    refuse_unusable(ids, (r["id"] for r in claimed))
    return claimed


# ---- download ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Download:
    filename: str
    content_type: str
    size: int
    sha256: str
    storage_key: str


def _download(row: dict[str, Any]) -> Download:
    return Download(row["filename"], row["content_type"], row["size"], row["sha256"], row["storage_key"])


async def staff_download(
    conn: AsyncConnection, actor: StaffActor, unit_id: UUID, case_id: UUID, attachment_id: UUID
) -> Download:
    """An attachment on a case the staff member reaches (the case reach rule, as the case view
    applies it); the read is PDL-logged in this transaction. Out of reach, or not on that
    case → 404."""
    row = await repo.for_staff(conn, unit_id, case_id, attachment_id, CaseReach.of(actor, unit_id))
    if row is None:
        error = NotFound("attachment not found")
        # Logged as denied only if the case is out of the actor's reach (not a wrong file id).
        denied_access.tag(error, actor, unit_id, case_id, AuditAction.ATTACHMENT_READ)
        raise error
    await audit.record(
        conn,
        staff_id=actor.staff_id,
        staff_hsa_id=actor.hsa_id,
        unit_id=unit_id,
        unit_hsa_id=row["unit_hsa_id"],
        action=AuditAction.ATTACHMENT_READ,
        personal_number=row["personal_number"],
        case_id=case_id,
        detail={"attachment_id": str(attachment_id), "filename": row["filename"]},
    )
    return _download(row)


async def citizen_download(
    conn: AsyncConnection, actor: CitizenActor, case_id: UUID, attachment_id: UUID
) -> Download:
    row = await repo.for_citizen(conn, actor.citizen_id, case_id, attachment_id)
    if row is None:
        raise NotFound("attachment not found")
    return _download(row)


# ---- purge -------------------------------------------------------------------------------


async def purge_unattached_uploads(db: Database, store: AttachmentStore) -> int:
    """Delete uploads never used within UNATTACHED_TTL, rows and stored bytes, in batches of
    their own transactions; for `python -m app.cli purge` and the notification worker. The
    bytes go before the rows commit: an expired upload can never be used again, so a failure
    in between leaves only a row the next run deletes."""
    total = 0
    while True:
        async with db.transaction() as conn:
            keys = await repo.purge_batch(conn, PURGE_BATCH)
            await store.delete(conn, keys)
        total += len(keys)
        ATTACHMENTS_PURGED.inc(len(keys))
        if len(keys) < PURGE_BATCH:
            return total
