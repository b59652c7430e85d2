"""Rate limits (docs/security.md, "credential stuffing, enumeration, case spam"): 429 problems with
Retry-After; counters in PostgreSQL, so they hold across API processes; failed log-ins count; case
creation per citizen; outbound ready."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any
from uuid import uuid4

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from app.config import Settings
from app.container import Services, build_services
from app.db.engine import Database
from app.domain.errors import TooManyRequests
from app.main import attach_services, create_app
from tests.conftest import RolledBackDatabase
from tests.fixtures.citizen import citizen, new_case_body, open_clinic
from tests.fixtures.clinic import API, SYSTEM_ADMIN_HSA, pnr

STAFF_LOGIN = f"{API}/auth/staff/token"
CITIZEN_LOGIN = f"{API}/auth/citizen/token"


@asynccontextmanager
async def _app(services: Services, address: str = "127.0.0.1") -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(services.settings)
    attach_services(app, services)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        yield c


def _assert_429(r: httpx.Response, window: int = 60) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["type"].endswith("/too-many-requests")
    assert 1 <= int(r.headers["retry-after"]) <= window


@pytest.fixture
def committed(
    settings: Settings, engine: AsyncEngine, committed_services: Services
) -> Callable[..., Services]:
    """Services on real transactions with the limits given (committed_services empties the
    tables afterwards), so a failed request's rollback cannot hide a count."""

    def make(**limits: Any) -> Services:
        return build_services(settings.model_copy(update=limits), Database(engine))

    return make


async def test_a_login_burst_for_one_person_gets_429(committed: Callable[..., Services]) -> None:
    services = committed(rate_limit_login_per_identity=5)
    # Two API processes, two client addresses: the count is the database's, per person.
    async with (
        _app(services, "10.0.0.1") as one,
        _app(committed(rate_limit_login_per_identity=5), "10.0.0.2") as two,
    ):
        statuses = [
            (await (one if n % 2 else two).post(STAFF_LOGIN, json={"hsa_id": SYSTEM_ADMIN_HSA})).status_code
            for n in range(5)
        ]
        assert statuses == [200] * 5
        _assert_429(await one.post(STAFF_LOGIN, json={"hsa_id": SYSTEM_ADMIN_HSA}))
        _assert_429(await two.post(STAFF_LOGIN, json={"hsa_id": SYSTEM_ADMIN_HSA}))
        # Someone else logs in as usual.
        assert (await one.post(CITIZEN_LOGIN, json={"personal_number": pnr()})).status_code == 200


async def test_failed_logins_count_against_the_address(committed: Callable[..., Services]) -> None:
    services = committed(rate_limit_login_per_address=4)
    async with _app(services, "192.0.2.7") as c, _app(services, "192.0.2.8") as elsewhere:
        for _ in range(4):
            # Not in the HSA catalog: 401, and counted all the same.
            r = await c.post(STAFF_LOGIN, json={"hsa_id": "SE2321000131-E999999999999"})
            assert r.status_code == 401
        _assert_429(await c.post(STAFF_LOGIN, json={"hsa_id": SYSTEM_ADMIN_HSA}))
        _assert_429(await c.post(CITIZEN_LOGIN, json={"personal_number": pnr()}))
        assert (await elsewhere.post(STAFF_LOGIN, json={"hsa_id": SYSTEM_ADMIN_HSA})).status_code == 200


async def test_counters_hold_no_personal_data(
    committed: Callable[..., Services], engine: AsyncEngine
) -> None:
    number = pnr()
    async with _app(committed(), "198.51.100.9") as c:
        assert (await c.post(CITIZEN_LOGIN, json={"personal_number": number})).status_code == 200
    async with engine.connect() as conn:
        keys = [r[0] for r in await conn.execute(text("SELECT key FROM rate_limit_counters"))]
    assert {k.split(":")[0] for k in keys} == {"login-address", "login-identity"}
    assert not any(number in k or "198.51.100.9" in k for k in keys)


async def test_case_creation_per_citizen(
    settings: Settings, engine: AsyncEngine, conn: AsyncConnection, client: httpx.AsyncClient
) -> None:
    services = build_services(
        settings.model_copy(update={"rate_limit_citizen_cases": 2}), RolledBackDatabase(engine, conn)
    )
    setup = await open_clinic(client, conn)
    maja, omar = await citizen(client), await citizen(client)
    async with _app(services) as c:
        url = f"{API}/citizen/cases"
        first = {**maja.headers, "Idempotency-Key": "a"}
        assert (await c.post(url, headers=first, json=new_case_body(setup))).status_code == 201
        # A case that is not created (invalid) does not count.
        bad = new_case_body(setup, answers={})
        assert (await c.post(url, headers=maja.headers, json=bad)).status_code == 422
        assert (await c.post(url, headers=maja.headers, json=new_case_body(setup))).status_code == 201
        # A replay is the first answer again, not a new case: it does not count either.
        assert (await c.post(url, headers=first, json=new_case_body(setup))).status_code == 201
        r = await c.post(url, headers=maja.headers, json=new_case_body(setup))
        _assert_429(r, window=3600)
        assert (await c.post(url, headers=omar.headers, json=new_case_body(setup))).status_code == 201
    cases = await conn.execute(
        text("SELECT count(*) FROM cases WHERE unit_id = CAST(:u AS uuid)"), {"u": setup.unit_id}
    )
    assert cases.scalar() == 3


async def test_the_outbound_limit_is_ready_for_the_outbound_use_case(
    settings: Settings, engine: AsyncEngine, conn: AsyncConnection
) -> None:
    services = build_services(
        settings.model_copy(update={"rate_limit_outbound": 3}), RolledBackDatabase(engine, conn)
    )
    handler, colleague = uuid4(), uuid4()
    for _ in range(3):
        await services.limits.count_outbound(conn, handler)
    with pytest.raises(TooManyRequests) as refused:
        await services.limits.count_outbound(conn, handler)
    assert 1 <= refused.value.retry_after <= 3600
    await services.limits.count_outbound(conn, colleague)
    assert services.settings.model_copy().rate_limit_outbound == 3
    assert Settings().rate_limit_outbound == 20  # the default


async def test_limits_can_be_lifted(settings: Settings, engine: AsyncEngine, conn: AsyncConnection) -> None:
    lifted = build_services(
        settings.model_copy(update={"rate_limits_enabled": False, "rate_limit_outbound": 1}),
        RolledBackDatabase(engine, conn),
    )
    for _ in range(5):
        await lifted.limits.count_outbound(conn, uuid4())
        await lifted.limits.count_citizen_case(conn, uuid4())
    zero = build_services(
        settings.model_copy(update={"rate_limit_outbound": 0}), RolledBackDatabase(engine, conn)
    )
    handler = uuid4()
    for _ in range(5):
        await zero.limits.count_outbound(conn, handler)
    assert (await conn.execute(text("SELECT count(*) FROM rate_limit_counters"))).scalar() == 0


async def test_a_new_window_starts_over(
    settings: Settings, engine: AsyncEngine, conn: AsyncConnection
) -> None:
    services = build_services(
        settings.model_copy(update={"rate_limit_outbound": 1}), RolledBackDatabase(engine, conn)
    )
    handler = uuid4()
    await services.limits.count_outbound(conn, handler)
    # The window ended (as if an hour had passed): the next send opens a new one.
    await conn.execute(text("UPDATE rate_limit_counters SET window_start = window_start - interval '1 hour'"))
    await services.limits.count_outbound(conn, handler)
    with pytest.raises(TooManyRequests):
        await services.limits.count_outbound(conn, handler)
