"""Keyset pagination: opaque cursors (base64url JSON of the last row's sort key) and the page
cut. No OFFSET anywhere.

Why in app/db: a cursor is nothing but a position in a repository's ORDER BY (e.g. `(name, id)`,
`(created_at, id)`), and it must agree with that order or a page skips or repeats rows. Clients
treat it as opaque, so its wire format carries no API meaning of its own. Services call it
between the API and a repository: `decode_cursor` turns the client's cursor into the `after` key
a repository takes (a forged one is a 422, never a 500), and `page` turns the `limit + 1` rows
it fetched into `{items, next_cursor}`. The page-size bounds are the API's promise and live with
the query parameters (app/api/schemas/common.py).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from app.domain.errors import ValidationFailed


def encode_cursor(key: Sequence[Any]) -> str:
    raw = json.dumps([str(k) if not isinstance(k, int | float | bool) or k is None else k for k in key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def cursor_time(raw: Any) -> datetime:
    """A cursor's timestamp: ISO 8601 with an offset, and an instant UTC can hold. A forged one
    must end as a 422, never reach the database as a naive time (read in the server's zone) or
    overflow in the driver (year 1 at +14:00)."""
    moment = datetime.fromisoformat(str(raw))
    if moment.tzinfo is None:
        raise ValueError("cursor time without offset")
    return moment.astimezone(UTC)  # OverflowError when out of range: decode_cursor makes it a 422


def cursor_id(raw: Any) -> UUID:
    return UUID(str(raw))


def decode_cursor(cursor: str | None, types: Sequence[Callable[[Any], Any]]) -> tuple[Any, ...] | None:
    """Decode and convert each part (e.g. `(str, UUID)`); anything off is a 422, never a 500."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(value, list) or len(value) != len(types):
            raise _bad_cursor()
        return tuple(convert(part) for convert, part in zip(types, value, strict=True))
    # A forged cursor can put any JSON value where a converter expects text (UUID(1) raises
    # AttributeError, a huge number OverflowError): all of it is the client's mistake.
    except (binascii.Error, ValueError, TypeError, AttributeError, OverflowError, UnicodeDecodeError) as exc:
        raise _bad_cursor() from exc


def _bad_cursor() -> ValidationFailed:
    return ValidationFailed(
        "the cursor is not one this API issued",
        errors=[{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "value_error"}],
    )


def page(
    rows: list[dict[str, Any]], limit: int, key: Callable[[dict[str, Any]], Sequence[Any]]
) -> dict[str, Any]:
    """Rows were fetched with limit + 1: the extra row only tells that there is a next page."""
    more = len(rows) > limit
    items = rows[:limit]
    return {"items": items, "next_cursor": encode_cursor(key(items[-1])) if more and items else None}
