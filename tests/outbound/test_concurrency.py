"""Outbound sends at the same time, with real commits: the hourly limit holds exactly, and
recipients new to the system become one citizen each however many sends reach them at once."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import text

from app.config import Settings
from app.container import Services, build_services
from app.main import attach_services, create_app
from tests.fixtures.clinic import make_clinic
from tests.fixtures.outbound import INFORMATION, numbers, url

LIMIT = 3


@pytest.fixture
async def strict_committed_client(
    settings: Settings, committed_services: Services
) -> AsyncIterator[httpx.AsyncClient]:
    """Real commits (the tables are emptied afterwards) with RATE_LIMIT_OUTBOUND = 3."""
    strict = settings.model_copy(update={"rate_limit_outbound": LIMIT})
    app = create_app(strict)
    attach_services(app, build_services(strict, committed_services.db))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


async def test_simultaneous_sends_keep_the_limit_and_create_each_citizen_once(
    strict_committed_client: httpx.AsyncClient, committed_services: Services
) -> None:
    client = strict_committed_client
    clinic = await make_clinic(client, {"handler": ["case_handler"], "other": ["case_handler"]})
    shared = numbers(5, 1977)  # never seen: every send creates them, or finds them created
    bodies = [{"recipients": [*shared, *numbers(2, 1900 + i)], **INFORMATION} for i in range(8)]
    sends = [client.post(url(clinic), headers=clinic["handler"].headers, json=b) for b in bodies]
    sends.append(client.post(url(clinic), headers=clinic["other"].headers, json=bodies[0]))
    responses = await asyncio.gather(*sends)
    assert Counter(r.status_code for r in responses[:-1]) == {201: LIMIT, 429: 8 - LIMIT}
    assert responses[-1].status_code == 201  # the limit is per handler
    async with committed_services.db.engine.connect() as c:
        citizens = await c.execute(
            text(
                "SELECT count(*), count(DISTINCT personal_number) FROM citizens"
                " WHERE personal_number = ANY(:p)"
            ),
            {"p": shared},
        )
        assert tuple(citizens.one()) == (5, 5)
        per_citizen = await c.execute(
            text(
                "SELECT count(*) FROM cases c JOIN citizens z ON z.id = c.citizen_id"
                " WHERE z.personal_number = :p"
            ),
            {"p": shared[0]},
        )
        assert per_citizen.scalar_one() == LIMIT + 1
