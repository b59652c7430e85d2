"""The S3-compatible store (docs/attachments.md) against a real S3 server on 127.0.0.1: moto's
server mode, started here as a subprocess (its own process: it keeps objects in its memory,
which must not count as ours)."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from aiobotocore.session import get_session
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import Services, build_services
from app.db.tables import attachments
from app.main import attach_services, create_app
from app.services.attachments import purge_unattached_uploads
from app.storage.s3 import PART_BYTES, S3Store
from tests.conftest import RolledBackDatabase
from tests.fixtures.attachments import PDF, case_setup, multipart, staff_message, streamed, upload
from tests.fixtures.clinic import API

BUCKET = "careinbox-test"
KEYS = {"aws_access_key_id": "test-key", "aws_secret_access_key": "test-secret"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def s3_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx.get(f"{url}/moto-api/", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.05)
        else:
            raise RuntimeError("the local S3 server did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def _client_call(url: str, method: str, **kwargs: object) -> dict:  # type: ignore[type-arg]
    async with get_session().create_client("s3", endpoint_url=url, region_name="us-east-1", **KEYS) as s3:
        result: dict = await getattr(s3, method)(**kwargs)  # type: ignore[type-arg]
        return result


@pytest.fixture
async def bucket(s3_url: str) -> AsyncIterator[str]:
    """An empty bucket for each test."""
    await _client_call(s3_url, "create_bucket", Bucket=BUCKET)
    yield BUCKET
    listed = await _client_call(s3_url, "list_objects_v2", Bucket=BUCKET)
    for obj in listed.get("Contents", []):
        await _client_call(s3_url, "delete_object", Bucket=BUCKET, Key=obj["Key"])
    await _client_call(s3_url, "delete_bucket", Bucket=BUCKET)


async def _keys(url: str) -> list[str]:
    listed = await _client_call(url, "list_objects_v2", Bucket=BUCKET)
    return [o["Key"] for o in listed.get("Contents", [])]


async def _pending_uploads(url: str) -> list[object]:
    return list((await _client_call(url, "list_multipart_uploads", Bucket=BUCKET)).get("Uploads", []))


@pytest.fixture
def s3_settings(settings: Settings, s3_url: str, bucket: str) -> Settings:
    return settings.model_copy(
        update={
            "attachment_store": "s3",
            "s3_endpoint_url": s3_url,
            "s3_bucket": bucket,
            "s3_access_key_id": KEYS["aws_access_key_id"],
            "s3_secret_access_key": KEYS["aws_secret_access_key"],
        }
    )


@pytest.fixture
async def s3_services(
    s3_settings: Settings, engine: AsyncEngine, conn: AsyncConnection
) -> AsyncIterator[Services]:
    services = build_services(s3_settings, RolledBackDatabase(engine, conn))
    yield services
    await services.attachment_store.close()


@pytest.fixture
async def s3_client(s3_settings: Settings, s3_services: Services) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(s3_settings)
    attach_services(app, s3_services)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_the_store_puts_in_parts_and_reads_in_chunks(
    s3_services: Services, s3_url: str, conn: AsyncConnection
) -> None:
    store = s3_services.attachment_store
    assert isinstance(store, S3Store)
    size, sent = 2 * PART_BYTES + 12345, [0]
    blob = await store.put(conn, streamed(b"%PDF-", size, sent))
    assert blob.size == size and await _keys(s3_url) == [blob.key]
    digest, biggest, total = hashlib.sha256(), 0, 0
    async for piece in store.open(blob.key):
        digest.update(piece)
        biggest, total = max(biggest, len(piece)), total + len(piece)
    assert total == size and digest.hexdigest() == blob.sha256 and biggest <= 256 * 1024
    small = await store.put(conn, streamed(b"GIF89a", 100, [0]))
    await store.delete(conn, [blob.key])
    assert await _keys(s3_url) == [small.key]
    await store.abandon(small.key)
    assert await _keys(s3_url) == []


async def test_upload_use_download_and_purge_through_s3(
    s3_client: httpx.AsyncClient, s3_services: Services, s3_url: str, conn: AsyncConnection
) -> None:
    s = await case_setup(s3_client, conn)
    data = PDF + b"y" * 1000
    r = await upload(s3_client, f"{s.unit}/attachments", s.clinic["h1"].headers, data, "remiss.pdf")
    assert r.status_code == 201, r.text
    file_id = r.json()["id"]
    [key] = await _keys(s3_url)
    stored_key = (
        await conn.execute(attachments.select().with_only_columns(attachments.c.storage_key))
    ).scalar_one()
    assert stored_key == key
    assert (await conn.execute(text("SELECT count(*) FROM attachment_chunks"))).scalar_one() == 0
    assert (await staff_message(s3_client, s, "h1", [file_id])).status_code == 201
    r = await s3_client.get(
        f"{API}{s.unit}/cases/{s.case_id}/attachments/{file_id}", headers=s.clinic["rec"].headers
    )
    assert r.status_code == 200 and r.content == data
    assert r.headers["etag"] == f'"{hashlib.sha256(data).hexdigest()}"'
    r = await s3_client.get(f"{API}/citizen/cases/{s.case_id}/attachments/{file_id}", headers=s.citizen)
    assert r.status_code == 200 and r.content == data
    # An upload never attached goes from the bucket too.
    r = await upload(s3_client, "/citizen/attachments", s.citizen, PDF)
    await conn.execute(
        text("UPDATE attachments SET created_at = now() - interval '2 days' WHERE id = :i"),
        {"i": r.json()["id"]},
    )
    assert len(await _keys(s3_url)) == 2
    assert await purge_unattached_uploads(s3_services.db, s3_services.attachment_store) == 1
    assert await _keys(s3_url) == [key]


async def test_a_refused_upload_leaves_nothing_in_the_bucket(
    s3_client: httpx.AsyncClient, s3_url: str, conn: AsyncConnection
) -> None:
    s = await case_setup(s3_client, conn)
    boundary = "s3-boundary"
    head, tail = multipart(boundary, b"stor.pdf")

    async def body() -> AsyncIterator[bytes]:
        yield head
        async for piece in streamed(b"%PDF-", 20 * 1024 * 1024 + 1, [0]):
            yield piece
        yield tail

    r = await s3_client.post(
        f"{API}/citizen/attachments",
        headers={**s.citizen, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body(),
    )
    assert r.status_code == 413, r.text
    assert await _keys(s3_url) == [] and await _pending_uploads(s3_url) == []
    # Over the quota: refused before any byte goes up.
    await conn.execute(
        text(
            "INSERT INTO attachments"
            " (uploaded_by_citizen_id, filename, content_type, size, sha256, storage_key)"
            " SELECT :c, 'x.pdf', 'application/pdf', 1, repeat('0', 64), 'none' FROM generate_series(1, 20)"
        ),
        {"c": s.citizen_id},
    )
    r = await upload(s3_client, "/citizen/attachments", s.citizen, PDF)
    assert r.status_code == 429 and await _keys(s3_url) == []
