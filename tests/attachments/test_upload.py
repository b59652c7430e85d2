"""Uploads (docs/attachments.md): judged by content, size-limited while streaming, quota."""

from __future__ import annotations

import asyncio
import tracemalloc

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.container import Services
from app.db.tables import attachment_chunks, attachments
from app.domain.attachments import MAX_BYTES, MAX_UNATTACHED
from tests.fixtures.attachments import (
    ELF,
    GIF,
    MZ,
    PDF,
    PNG,
    case_setup,
    jpeg,
    multipart,
    streamed,
    upload,
)
from tests.fixtures.clinic import API, bearer, citizen_token, pnr


async def _stored(conn: AsyncConnection) -> tuple[int, int]:
    rows = (await conn.execute(select(func.count()).select_from(attachments))).scalar_one()
    chunks = (await conn.execute(select(func.count()).select_from(attachment_chunks))).scalar_one()
    return rows, chunks


async def test_the_type_comes_from_the_content_never_the_name(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    for data, name, declared, expected in [
        (PNG, "remiss.pdf", "application/pdf", "image/png"),
        (PDF, "bild.png", "image/png", "application/pdf"),
        (GIF, "x.txt", "text/plain", "image/gif"),
        (jpeg(), "foto", "application/octet-stream", "image/jpeg"),
    ]:
        r = await upload(client, "/citizen/attachments", s.citizen, data, name, declared)
        assert r.status_code == 201, r.text
        assert r.json()["content_type"] == expected and r.json()["filename"] == name
    before = await _stored(conn)
    for data, detected in [
        (ELF, "application/x-executable"),
        (MZ, "application/x-msdownload"),
        (b"<html><script>alert(1)</script></html>", "application/octet-stream"),
        (b"GIF12a" + b"\x00" * 20, "application/octet-stream"),  # not GIF87a/89a
    ]:
        r = await upload(client, "/citizen/attachments", s.citizen, data, "remiss.pdf", "application/pdf")
        assert r.status_code == 415, r.text
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["detected_type"] == detected and detected in r.json()["detail"]
    assert await _stored(conn) == before


async def test_upload_answer_and_bad_forms(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    s = await case_setup(client, conn)
    r = await upload(client, "/citizen/attachments", s.citizen, PDF, "remiss.pdf")
    assert r.status_code == 201
    body = r.json()
    assert set(body) == {"id", "filename", "content_type", "size", "sha256"}
    assert body["size"] == len(PDF) and len(body["sha256"]) == 64
    # Empty, no file part, a plain field named file, two files, not multipart, no token.
    assert (await upload(client, "/citizen/attachments", s.citizen, b"", "tom.pdf")).status_code == 422
    r = await client.post(f"{API}/citizen/attachments", headers=s.citizen, data={"other": "x"}, files={})
    assert r.status_code == 422
    r = await client.post(f"{API}/citizen/attachments", headers=s.citizen, files={"other": ("a.pdf", PDF)})
    assert r.status_code == 422 and "file" in r.json()["detail"]
    r = await client.post(
        f"{API}/citizen/attachments",
        headers=s.citizen,
        files=[("file", ("a.pdf", PDF)), ("file", ("b.pdf", PDF))],
    )
    assert r.status_code == 422
    r = await client.post(f"{API}/citizen/attachments", headers=s.citizen, json={"file": "x"})
    assert r.status_code == 422
    r = await client.post(
        f"{API}/citizen/attachments",
        headers={**s.citizen, "Content-Type": "multipart/form-data; boundary=xyz"},
        content=b"--xyz\r\nbroken",
    )
    assert r.status_code == 422
    assert (await upload(client, "/citizen/attachments", {}, PDF)).status_code == 401


async def test_staff_upload_is_for_receivers_and_handlers_of_the_unit(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    other = await case_setup(client, conn)
    for who, status in (("rec", 201), ("h1", 201), ("reviewer", 403), ("admin", 403)):
        r = await upload(client, f"{s.unit}/attachments", s.clinic[who].headers, PDF)
        assert r.status_code == status, (who, r.text)
    r = await upload(client, f"{other.unit}/attachments", s.clinic["h1"].headers, PDF)
    assert r.status_code == 404
    assert (await upload(client, f"{s.unit}/attachments", s.citizen, PDF)).status_code == 401


async def _streamed_upload(
    client: httpx.AsyncClient, headers: dict[str, str], size: int, sent: list[int], length: bool
) -> httpx.Response:
    boundary = "careinbox-test-boundary"
    head, tail = multipart(boundary, b"stor.pdf")

    async def body():  # type: ignore[no-untyped-def]
        yield head
        async for piece in streamed(b"%PDF-", size, sent):
            yield piece
        yield tail

    extra = {"Content-Length": str(len(head) + size + len(tail))} if length else {}
    return await client.post(
        f"{API}/citizen/attachments",
        headers={**headers, "Content-Type": f"multipart/form-data; boundary={boundary}", **extra},
        content=body(),
    )


async def test_20_mib_is_accepted_with_bounded_memory_and_one_byte_more_is_cut_off(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    """MAX_BYTES = 20 MiB (20 971 520 bytes). The body is generated as it is sent, so what
    tracemalloc sees at its peak is the upload path's own memory, not the test's file."""
    headers = bearer(await citizen_token(client, pnr()))
    sent = [0]
    tracemalloc.start()
    try:
        r = await _streamed_upload(client, headers, MAX_BYTES, sent, length=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 201, r.text
    assert r.json()["size"] == MAX_BYTES
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MiB for a 20 MiB upload"
    rows, chunks = await _stored(conn)
    assert (rows, chunks) == (1, MAX_BYTES // (256 * 1024))

    # One byte more, streamed without Content-Length: refused while streaming, the rest unread.
    sent = [0]
    tracemalloc.start()
    try:
        r = await _streamed_upload(client, headers, MAX_BYTES + 1, sent, length=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.status_code == 413, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert peak < 8 * 1024 * 1024
    assert await _stored(conn) == (rows, chunks)  # nothing stored
    # A much larger body is cut off at the limit: the rest is never asked for.
    sent = [0]
    r = await _streamed_upload(client, headers, MAX_BYTES + 10 * 1024 * 1024, sent, length=False)
    assert r.status_code == 413
    assert sent[0] < MAX_BYTES + 256 * 1024, sent
    assert await _stored(conn) == (rows, chunks)
    # With a Content-Length over the limit: refused before a byte of the body is read.
    sent = [0]
    r = await _streamed_upload(client, headers, MAX_BYTES + 70_000, sent, length=True)
    assert r.status_code == 413 and sent[0] == 0
    assert await _stored(conn) == (rows, chunks)


async def test_at_most_20_unused_uploads_then_429_with_retry_after(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    for _ in range(MAX_UNATTACHED):
        assert (await upload(client, "/citizen/attachments", s.citizen, PDF)).status_code == 201
    r = await upload(client, "/citizen/attachments", s.citizen, PDF)
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert 23 * 3600 < int(r.headers["retry-after"]) <= 24 * 3600
    # Another person is not affected; an expired upload no longer counts.
    other = bearer(await citizen_token(client, pnr()))
    assert (await upload(client, "/citizen/attachments", other, PDF)).status_code == 201
    await conn.execute(
        text(
            "UPDATE attachments SET created_at = now() - interval '25 hours' WHERE id = "
            "(SELECT id FROM attachments WHERE uploaded_by_citizen_id = :c ORDER BY created_at LIMIT 1)"
        ),
        {"c": s.citizen_id},
    )
    assert (await upload(client, "/citizen/attachments", s.citizen, PDF)).status_code == 201


async def test_two_concurrent_uploads_at_19_do_not_both_pass(
    committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    number = pnr()
    headers = bearer(await citizen_token(committed_client, number))
    for _ in range(MAX_UNATTACHED - 1):
        r = await upload(committed_client, "/citizen/attachments", headers, PDF)
        assert r.status_code == 201
    results = await asyncio.gather(
        *(upload(committed_client, "/citizen/attachments", headers, PDF) for _ in range(2))
    )
    assert sorted(r.status_code for r in results) == [201, 429]
    async with committed_services.db.transaction() as c:
        count = (await c.execute(select(func.count()).select_from(attachments))).scalar_one()
    assert count == MAX_UNATTACHED


async def test_a_client_that_goes_away_mid_upload_leaves_nothing_and_no_500(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    token = await citizen_token(client, pnr())
    head, _ = multipart("gone", b"halv.pdf")
    incoming = [
        {"type": "http.request", "body": head + PDF + b"x" * 1000, "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": f"{API}/citizen/attachments",
        "raw_path": f"{API}/citizen/attachments".encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"test"),
            (b"authorization", f"Bearer {token}".encode()),
            (b"content-type", b"multipart/form-data; boundary=gone"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("test", 80),
    }
    before = await _stored(conn)
    await client._transport.app(scope, receive, send)  # type: ignore[attr-defined]
    assert sent[0]["type"] == "http.response.start" and sent[0]["status"] == 422
    assert await _stored(conn) == before
