"""Downloads (docs/attachments.md; domain.md "Audit (PDL)"): streamed with safe headers, staff reads
PDL-audited, out of scope → 404; file names with path parts, quotes, newlines and åäö; JPEG
metadata."""

from __future__ import annotations

import hashlib
import io
from urllib.parse import unquote
from uuid import uuid4

import httpx
from PIL import Image
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import audit_events
from app.domain.attachments import ascii_filename, clean_filename
from tests.fixtures.attachments import GIF, PDF, PNG, CaseSetup, case_setup, jpeg, staff_message, upload
from tests.fixtures.cases import add_case
from tests.fixtures.clinic import API, bearer, citizen_token, pnr


async def _sent(client: httpx.AsyncClient, s: CaseSetup, data: bytes, name: str = "remiss.pdf") -> str:
    r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, data, name)
    assert r.status_code == 201, r.text
    file_id = str(r.json()["id"])
    assert (await staff_message(client, s, "h1", [file_id])).status_code == 201
    return file_id


def _staff_url(s: CaseSetup, file_id: str, case_id: object = None) -> str:
    return f"{API}{s.unit}/cases/{case_id or s.case_id}/attachments/{file_id}"


def _citizen_url(s: CaseSetup, file_id: str, case_id: object = None) -> str:
    return f"{API}/citizen/cases/{case_id or s.case_id}/attachments/{file_id}"


async def test_staff_download_streams_the_bytes_with_safe_headers_and_is_audited(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    data = PDF + b"x" * 600_000  # more than two 256 KiB chunks
    file_id = await _sent(client, s, data)
    r = await client.get(_staff_url(s, file_id), headers=s.clinic["rec"].headers)
    assert r.status_code == 200, r.text
    assert r.content == data
    digest = hashlib.sha256(data).hexdigest()
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-length"] == str(len(data))
    assert r.headers["etag"] == f'"{digest}"'
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"remiss.pdf\"; filename*=UTF-8''remiss.pdf"
    )
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "private, no-store"
    rows = (
        await conn.execute(
            select(
                audit_events.c.action,
                audit_events.c.staff_hsa_id,
                audit_events.c.personal_number,
                audit_events.c.case_id,
                audit_events.c.detail,
            ).where(audit_events.c.action == "attachment_read")
        )
    ).all()
    assert len(rows) == 1
    _, hsa_id, number, case_id, detail = rows[0]
    assert (hsa_id, number, case_id) == (s.clinic["rec"].hsa_id, s.personal_number, s.case_id)
    assert detail["attachment_id"] == file_id
    # If-None-Match with the ETag: 304 without the body (still a recorded access).
    r = await client.get(
        _staff_url(s, file_id), headers={**s.clinic["rec"].headers, "If-None-Match": f'"{digest}"'}
    )
    assert r.status_code == 304 and r.content == b""


async def test_out_of_scope_is_404_for_staff(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    s = await case_setup(client, conn)
    file_id = await _sent(client, s, PNG, "bild.png")
    # h2 has no part in the case; a reviewer has no case reading; another case of the unit
    # does not carry the file; an unknown id; another unit.
    assert (await client.get(_staff_url(s, file_id), headers=s.clinic["h2"].headers)).status_code == 404
    assert (await client.get(_staff_url(s, file_id), headers=s.clinic["reviewer"].headers)).status_code == 403
    other_case = await add_case(
        conn, s.clinic.unit_id, s.citizen_id, status="assigned", assignee_staff_id=s.clinic["h1"].staff_id
    )
    r = await client.get(_staff_url(s, file_id, other_case), headers=s.clinic["h1"].headers)
    assert r.status_code == 404
    r = await client.get(_staff_url(s, str(uuid4())), headers=s.clinic["h1"].headers)
    assert r.status_code == 404
    elsewhere = await case_setup(client, conn)
    r = await client.get(
        f"{API}{elsewhere.unit}/cases/{s.case_id}/attachments/{file_id}",
        headers=elsewhere.clinic["rec"].headers,
    )
    assert r.status_code == 404
    # The assigned handler does reach it.
    assert (await client.get(_staff_url(s, file_id), headers=s.clinic["h1"].headers)).status_code == 200
    # One read happened. The refusals by this unit's staff of this unit's case (h2 out of reach,
    # the reviewer's role) are denied accesses; the file not on the other case, the unknown id
    # and the other unit's request name no access to this case and are not logged.
    logged = await conn.execute(
        text(
            "SELECT outcome, staff_id::text, case_id::text FROM audit_events"
            " WHERE action = 'attachment_read' ORDER BY id"
        )
    )
    assert [tuple(r) for r in logged.all()] == [
        ("denied", s.clinic["h2"].staff_id, str(s.case_id)),
        ("denied", s.clinic["reviewer"].staff_id, str(s.case_id)),
        ("success", s.clinic["h1"].staff_id, str(s.case_id)),
    ]


async def test_a_citizen_downloads_files_of_their_own_cases_only(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    file_id = await _sent(client, s, GIF, "bild.gif")
    r = await client.get(_citizen_url(s, file_id), headers=s.citizen)
    assert r.status_code == 200 and r.content == GIF
    assert r.headers["content-type"] == "image/gif" and r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "private, no-store"
    stranger = bearer(await citizen_token(client, pnr()))
    assert (await client.get(_citizen_url(s, file_id), headers=stranger)).status_code == 404
    # The stranger's own upload is not reachable through someone else's case either.
    r = await upload(client, "/citizen/attachments", stranger, PDF)
    assert (await client.get(_citizen_url(s, r.json()["id"]), headers=s.citizen)).status_code == 404
    assert (await client.get(_citizen_url(s, r.json()["id"]), headers=stranger)).status_code == 404
    assert (await client.get(_citizen_url(s, file_id), headers=s.clinic["h1"].headers)).status_code == 401


async def test_file_names_round_trip_safely(client: httpx.AsyncClient, conn: AsyncConnection) -> None:
    s = await case_setup(client, conn)
    # httpx escapes " and newlines as browsers do (%22, %0A); the server reads them back.
    for sent, stored in [
        ("../../etc/Remiss från vårdcentralen.pdf", "Remiss från vårdcentralen.pdf"),
        ('..\\..\\"Ömsint"\nsvar\r\n.pdf', "_Ömsint_ svar .pdf"),
        ("..", "bilaga"),
        ("bild\u202e\u200bfdp.exe", "bildfdp.exe"),
    ]:
        file_id = await _sent(client, s, PDF, sent)
        r = await client.get(_staff_url(s, file_id), headers=s.clinic["h1"].headers)
        header = r.headers["content-disposition"]
        assert all(ch not in header for ch in "\r\n\x00") and header.count('"') == 2, header
        ascii_part, star = header.split("; filename*=UTF-8''")
        assert ascii_part == f'attachment; filename="{ascii_filename(stored)}"'
        assert unquote(star) == stored, (sent, unquote(star))
        assert "/" not in unquote(star) and "\\" not in unquote(star)
    assert ascii_filename("Remiss från vårdcentralen.pdf") == "Remiss fran vardcentralen.pdf"
    assert clean_filename("C:\\Users\\maja\\Åsa öga.JPG") == "Åsa öga.JPG"
    assert (
        clean_filename("a" * 300 + ".pdf").endswith("a.pdf")
        and len(clean_filename("a" * 300 + ".pdf")) == 200
    )


async def test_raw_utf8_and_quoted_names_from_a_hand_made_form(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    s = await case_setup(client, conn)
    boundary = "b0undary"
    body = (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; '
        + b'filename="../x\\"y\\"\x01 \xc3\xa5\xc3\xa4\xc3\xb6.pdf"\r\n\r\n'
        + PDF
        + f"\r\n--{boundary}--\r\n".encode()
    )
    r = await client.post(
        f"{API}/citizen/attachments",
        headers={**s.citizen, "Content-Type": f"multipart/form-data; boundary={boundary}"},
        content=body,
    )
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == "x_y_ åäö.pdf"


async def test_jpeg_metadata_is_removed_losslessly_and_the_orientation_kept(
    client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8769)[0xA431] = "SERIAL-4711"  # BodySerialNumber
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (59.0, 19.0, 48.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">home-address</x:xmpmeta>'
    original = jpeg((64, 48), exif=exif, xmp=xmp, comment=b"kommentar", progressive=True) + b"trailer-GPS"
    s = await case_setup(client, conn)
    r = await upload(client, f"{s.unit}/attachments", s.clinic["h1"].headers, original, "foto.jpg")
    assert r.status_code == 201, r.text
    file_id = r.json()["id"]
    assert (await staff_message(client, s, "h1", [file_id])).status_code == 201
    stored = (await client.get(_staff_url(s, file_id), headers=s.clinic["h1"].headers)).content
    assert r.json()["size"] == len(stored) < len(original)
    assert r.json()["sha256"] == hashlib.sha256(stored).hexdigest()
    for secret in (
        b"SERIAL-4711",
        b"PhoneMaker",
        b"home-address",
        b"kommentar",
        b"trailer-GPS",
        b"http://ns.adobe",
    ):
        assert secret not in stored
    shown = Image.open(io.BytesIO(stored))
    assert dict(shown.getexif()) == {0x0112: 6}
    assert shown.getexif().get_ifd(0x8825) == {}
    # Lossless: the same pixels, and the compressed scans byte for byte.
    assert shown.tobytes() == Image.open(io.BytesIO(original)).tobytes()
    scans = original[original.index(b"\xff\xda") : original.rindex(b"\xff\xd9") + 2]
    assert stored.endswith(scans)
    # PNG and GIF are stored byte for byte.
    for data in (PNG, GIF):
        file_id = await _sent(client, s, data, "bild")
        assert (await client.get(_staff_url(s, file_id), headers=s.clinic["h1"].headers)).content == data
