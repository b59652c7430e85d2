"""Clean-up (docs/attachments.md): uploads nobody attached within 24 h go, rows and bytes, counted."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.db.repos.attachments import Owner, insert_upload
from app.db.tables import attachment_chunks, attachments
from app.notify.relay import build_senders, build_worker
from app.services.attachments import purge_unattached_uploads
from tests.fixtures.attachments import PDF, case_setup, staff_message, upload
from tests.fixtures.cases import add_citizen
from tests.notify.conftest import make_worker, relay_settings, until


async def _pieces(data: bytes) -> AsyncIterator[bytes]:
    yield data


def _purged_total() -> float:
    return REGISTRY.get_sample_value("careinbox_attachments_purged_total") or 0.0


async def test_purge_deletes_stale_unused_uploads_and_their_bytes_only(
    client: httpx.AsyncClient, conn: AsyncConnection, services: Services
) -> None:
    s = await case_setup(client, conn)
    ids = []
    for _ in range(4):
        r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, PDF + b"x" * 300_000)
        ids.append(r.json()["id"])
    stale, stale_too, fresh, used = ids
    assert (await staff_message(client, s, "h1", [used])).status_code == 201
    await conn.execute(
        text("UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = ANY(:i)"),
        {"i": [stale, stale_too, used]},
    )
    keys = {
        str(k): i for i, k in (await conn.execute(select(attachments.c.id, attachments.c.storage_key))).all()
    }
    before = _purged_total()
    assert await purge_unattached_uploads(services.db, services.attachment_store) == 2
    assert _purged_total() - before == 2
    left = {str(i) for i in (await conn.execute(select(attachments.c.id))).scalars()}
    assert left == {fresh, used}
    blobs = {str(b) for b in (await conn.execute(select(attachment_chunks.c.blob_id).distinct())).scalars()}
    assert blobs == {k for k, i in keys.items() if str(i) in left}
    # The used one is still downloadable; a second run finds nothing.
    r = await client.get(
        f"/api/v1{s.unit}/cases/{s.case_id}/attachments/{used}", headers=s.clinic["h1"].headers
    )
    assert r.status_code == 200
    assert await purge_unattached_uploads(services.db, services.attachment_store) == 0
    count = (await conn.execute(select(func.count()).select_from(attachment_chunks))).scalar_one()
    assert count == 2 * 2  # two files of two chunks each


# ---- the notification worker's periodic purge ------------------------------------------------


async def _age(conn: AsyncConnection, *ids: str) -> None:
    await conn.execute(
        text("UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = ANY(:i)"),
        {"i": list(ids)},
    )


async def _left(conn: AsyncConnection) -> set[str]:
    return {str(i) for i in (await conn.execute(select(attachments.c.id))).scalars()}


async def test_the_workers_periodic_step_purges_expired_uploads_once_per_interval(
    client: httpx.AsyncClient, conn: AsyncConnection, settings: Settings, services: Services
) -> None:
    s = await case_setup(client, conn)
    ids = []
    for _ in range(3):
        r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, PDF)
        ids.append(r.json()["id"])
    stale, later, fresh = ids
    await _age(conn, stale)
    worker = make_worker(settings, services.db, store=services.attachment_store, purge_interval_seconds=3600)
    before = _purged_total()

    await worker.periodic()
    assert await _left(conn) == {later, fresh}
    assert _purged_total() - before == 1

    # The next step within the interval leaves a newly expired upload for the next run.
    await _age(conn, later)
    await worker.periodic()
    assert await _left(conn) == {later, fresh}
    # A worker without the attachment store (a caller that gave it none) purges nothing.
    await make_worker(settings, services.db).periodic()
    assert await _left(conn) == {later, fresh}


async def test_a_worker_built_from_settings_purges_in_its_run_loop(
    settings: Settings, committed_services: Services
) -> None:
    """As `python -m app.cli worker` and the in-app relay build it (ATTACHMENT_PURGE_INTERVAL_
    SECONDS), on committed rows: the running loop deletes an expired upload, rows and bytes."""
    store = committed_services.attachment_store
    async with committed_services.db.transaction() as c:
        citizen_id, _ = await add_citizen(c)
        owner = Owner(citizen_id=citizen_id)
        blobs = [await store.put(c, _pieces(PDF)) for _ in range(2)]
        stale, fresh = [(await insert_upload(c, owner, "f.pdf", "application/pdf", b))["id"] for b in blobs]
        await _age(c, str(stale))
    configured = settings.model_copy(update={"attachment_purge_interval_seconds": 60.0})
    worker = build_worker(configured, committed_services.db, build_senders(relay_settings(settings)), store)
    assert worker.purge_interval_seconds == 60.0

    async def purged() -> bool:
        async with committed_services.db.transaction() as c:
            return await _left(c) == {str(fresh)}

    stop = asyncio.Event()
    running = asyncio.create_task(worker.run(stop))
    try:
        await until(purged)
    finally:
        stop.set()
        await running
    async with committed_services.db.transaction() as c:
        keys = {str(k) for k in (await c.execute(select(attachment_chunks.c.blob_id).distinct())).scalars()}
    assert keys == {blobs[1].key}
