"""Forged cursors are the client's mistake: always a 422 problem, never a 500."""

from __future__ import annotations

import base64
import json
from uuid import UUID

import pytest

from app.db.keyset import decode_cursor, encode_cursor
from app.domain.errors import ValidationFailed


def _forge(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_round_trip() -> None:
    key = ("Vårdcentralen", UUID("12345678-1234-5678-1234-567812345678"))
    assert decode_cursor(encode_cursor(key), (str, UUID)) == key


@pytest.mark.parametrize(
    "cursor",
    [
        _forge(["2026-11-20T10:00:00Z", 1]),  # a number where the id should be
        _forge(["x", None]),
        _forge(["x", ["nested"]]),
        _forge(["x", 10**400]),
        _forge({"a": 1}),
        _forge(["only one"]),
        "not base64 at all!",
        "%%%",
    ],
)
def test_forged_cursor_is_a_validation_error(cursor: str) -> None:
    with pytest.raises(ValidationFailed):
        decode_cursor(cursor, (str, UUID))


FORGED = [
    _forge(["2026-11-20T10:00:00Z", 1]),  # a number where the id should be
    _forge(["2026-11-20T10:00:00", "12345678-1234-5678-1234-567812345678"]),  # no offset
    _forge(["0001-01-01T00:30:00+14:00", "12345678-1234-5678-1234-567812345678"]),  # before UTC year 1
]


async def test_forged_cursor_on_lists_is_422(client) -> None:  # type: ignore[no-untyped-def]
    from tests.fixtures.clinic import API, citizen_token, make_clinic, pnr

    clinic = await make_clinic(client, {"rec": ["case_receiver", "case_handler"], "rev": ["reviewer"]})
    lists = [
        ("cases", clinic["rec"].headers),
        ("citizen-grants", clinic["rec"].headers),
        ("follow-up", clinic["rec"].headers),
        ("audit-events", clinic["rev"].headers),
    ]
    citizen = {"Authorization": f"Bearer {await citizen_token(client, pnr())}"}
    for forged in FORGED:
        for path, headers in lists:
            if path == "audit-events" and forged == FORGED[0]:
                continue  # audit events page by a numeric id: 1 is a well-formed key there
            r = await client.get(
                f"{API}/units/{clinic.unit_id}/{path}", params={"cursor": forged}, headers=headers
            )
            assert r.status_code == 422, (path, forged, r.status_code, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        r = await client.get(f"{API}/citizen/cases", params={"cursor": forged}, headers=citizen)
        assert r.status_code == 422, (forged, r.text)
