"""Shared by the attachment tests: sample files by their signatures, uploads, a clinic with a
case and its citizen logged in."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx
from PIL import Image
from sqlalchemy.ext.asyncio import AsyncConnection

from tests.case_fixtures import add_case, add_citizen
from tests.helpers import API, Clinic, bearer, citizen_token, make_clinic, pnr

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00" + b"\x00" * 20
)
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120
MZ = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 120

ROLES = {
    "rec": ["case_receiver"],
    "h1": ["case_handler"],
    "h2": ["case_handler"],
    "reviewer": ["reviewer"],
    "admin": ["local_admin"],
}


def jpeg(size: tuple[int, int] = (32, 24), **save: Any) -> bytes:
    image = Image.new("RGB", size)
    image.putdata(
        [(x * 7 % 256, y * 11 % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])]
    )
    out = io.BytesIO()
    image.save(out, "JPEG", **save)
    return out.getvalue()


async def upload(
    client: httpx.AsyncClient,
    path: str,
    headers: dict[str, str],
    data: bytes,
    name: str = "fil.pdf",
    declared: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(f"{API}{path}", headers=headers, files={"file": (name, data, declared)})


async def streamed(prefix: bytes, size: int, sent: list[int], piece: int = 64 * 1024) -> AsyncIterator[bytes]:
    """`size` bytes starting with `prefix`, made as they are asked for (no copy in memory); the
    count of bytes handed over goes to `sent`."""
    yield prefix
    sent[0] += len(prefix)
    left = size - len(prefix)
    block = b"\x00" * piece
    while left > 0:
        out = block[: min(piece, left)]
        left -= len(out)
        sent[0] += len(out)
        yield out


def multipart(boundary: str, name: bytes, data: bytes | None = None) -> tuple[bytes, bytes]:
    """A body's head and tail around the file's bytes, for hand-made (or streamed) requests."""
    head = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + name
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
    )
    return head, f"\r\n--{boundary}--\r\n".encode()


@dataclass
class CaseSetup:
    clinic: Clinic
    case_id: UUID
    citizen_id: UUID
    personal_number: str
    citizen: dict[str, str]

    @property
    def unit(self) -> str:
        return f"/units/{self.clinic.unit_id}"


async def case_setup(client: httpx.AsyncClient, conn: AsyncConnection) -> CaseSetup:
    """A clinic, a citizen (logged in) and their case, assigned to h1."""
    clinic = await make_clinic(client, ROLES)
    number = pnr()
    headers = bearer(await citizen_token(client, number))
    citizen_id, _ = await add_citizen(conn, number)
    case_id = await add_case(
        conn, clinic.unit_id, citizen_id, status="assigned", assignee_staff_id=clinic["h1"].staff_id
    )
    return CaseSetup(clinic, case_id, citizen_id, number, headers)


async def staff_message(
    client: httpx.AsyncClient, s: CaseSetup, who: str, ids: list[str], kind: str = "partial_reply"
) -> httpx.Response:
    return await client.post(
        f"{API}{s.unit}/cases/{s.case_id}/messages",
        headers=s.clinic[who].headers,
        json={"kind": kind, "body": "Se bilagan.", "attachment_ids": ids},
    )
