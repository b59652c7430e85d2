"""The event envelope (api.md "Events") as sent by webhooks and the SSE stream, built in one
place from a `domain_events` row so both send the same bytes:
`{"id", "type", "occurred_at", "unit_id", "data": {"case_id", "reference", "status", …}}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson


def envelope(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id": str(row["envelope_id"]),
        "type": row["type"],
        "occurred_at": row["occurred_at"],
        "unit_id": str(row["unit_id"]),
        "data": row["data"],
    }


def body(row: Mapping[str, Any]) -> bytes:
    """The envelope as compact JSON, times in UTC with `Z` (what a webhook signs)."""
    return orjson.dumps(envelope(row), option=orjson.OPT_UTC_Z)
