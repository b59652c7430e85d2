"""The verification code in docs/webhooks.md works on a real delivery (and refuses a forgery)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from tests.events.conftest import citizen_case, hooked_clinic, webhook_worker
from tests.fixtures.servers import HttpReceiver

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def _documented_verify() -> Any:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    [code] = [b for b in blocks if "def verify(" in b]
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


async def test_the_documented_python_verifies_a_real_delivery(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    verify = _documented_verify()
    hooked = await hooked_clinic(client, conn, receiver)
    case = await citizen_case(client, hooked)
    await webhook_worker(settings, services.db).drain()
    [request] = receiver.requests
    secret, headers, raw = hooked.webhook["secret"], request["headers"], request["raw"]

    envelope = verify(secret, headers, raw)
    assert envelope["type"] == "case.created" and envelope["data"]["case_id"] == case["id"]

    with pytest.raises(ValueError, match="no valid signature"):
        verify(secret, headers, raw.replace(b'"new"', b'"closed"'))
    with pytest.raises(ValueError, match="no valid signature"):
        other = {**headers, **{k: "1" + v for k, v in headers.items() if k.lower() == "webhook-id"}}
        verify(secret, other, raw)
    with pytest.raises(ValueError, match="timestamp"):
        stale = {**headers, **{k: "1000000000" for k in headers if k.lower() == "webhook-timestamp"}}
        verify(secret, stale, raw)
