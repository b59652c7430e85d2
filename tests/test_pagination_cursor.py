"""Forged cursors are the client's mistake: always a 422 problem, never a 500."""

from __future__ import annotations

import base64
import json
from uuid import UUID

import pytest

from app.domain.errors import ValidationFailed
from app.services.pagination import decode_cursor, encode_cursor


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


async def test_forged_cursor_on_lists_is_422(client) -> None:  # type: ignore[no-untyped-def]
    from tests.helpers import API, make_clinic

    clinic = await make_clinic(client, {"rec": ["case_receiver", "case_handler"]})
    forged = _forge(["2026-11-20T10:00:00Z", 1])
    for path in ("cases", "citizen-grants", "audit-events", "case-types", "follow-up"):
        r = await client.get(
            f"{API}/units/{clinic.unit_id}/{path}", params={"cursor": forged}, headers=clinic["rec"].headers
        )
        assert r.status_code in (403, 422), (path, r.status_code, r.text)
        assert r.headers["content-type"].startswith("application/problem+json")
