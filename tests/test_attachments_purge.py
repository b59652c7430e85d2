"""Clean-up (issue 9 point 7): uploads nobody attached within 24 h go, rows and bytes, counted."""

from __future__ import annotations

import httpx
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.db.tables import attachment_chunks, attachments
from app.services.attachments import purge_unattached_uploads
from tests.attachment_fixtures import PDF, case_setup, staff_message, upload


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
