"""Managing webhooks: who may, what is shown (the secret once, and stored sealed), what is
refused — malformed input, and in production any target that is not https to a public address
(SSRF), at creation and again at delivery."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from app.config import Settings
from app.container import Services
from app.db.tables import webhooks
from app.domain.webhooks import TargetRefused, check_addresses, is_public, parse_target
from app.events.secrets import SecretBox
from tests.events.conftest import ALL_EVENTS, citizen_case, deliveries, hooked_clinic, webhook_worker
from tests.fixtures.clinic import API, add_staff, make_clinic
from tests.fixtures.servers import HttpReceiver


async def test_the_local_admin_manages_webhooks_and_sees_the_secret_once(
    settings: Settings, client: httpx.AsyncClient, conn: AsyncConnection
) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"], "karin": ["case_receiver"]})
    base = f"{API}/units/{clinic.unit_id}/webhooks"
    body = {
        "url": "http://127.0.0.1:9/hook",
        "events": ["case.created", "case.created"],
        "description": "Zammad",
    }
    r = await client.post(base, headers=clinic["admin"].headers, json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["events"] == ["case.created"] and created["status"] == "active"

    stored = (
        await conn.execute(select(webhooks.c.secret).where(webhooks.c.id == created["id"]))
    ).scalar_one()
    assert created["secret"].encode() not in bytes(stored)  # sealed, not the key itself
    assert SecretBox.from_settings(settings).open(stored) == created["secret"]

    listed = (await client.get(base, headers=clinic["admin"].headers)).json()
    assert [w["id"] for w in listed["items"]] == [created["id"]] and listed["next_cursor"] is None
    one = await client.get(f"{base}/{created['id']}", headers=clinic["admin"].headers)
    assert one.status_code == 200 and "secret" not in one.json() and "secret" not in listed["items"][0]

    # Not for a receiver (403), nor for another unit's admin (404).
    assert (await client.get(base, headers=clinic["karin"].headers)).status_code == 403
    other = await make_clinic(client, {"admin": ["local_admin"]})
    assert (await client.get(f"{base}/{created['id']}", headers=other["admin"].headers)).status_code == 404
    path = f"{API}/units/{other.unit_id}/webhooks/{created['id']}"
    assert (await client.get(path, headers=other["admin"].headers)).status_code == 404
    assert (await client.delete(path, headers=other["admin"].headers)).status_code == 404

    assert (
        await client.delete(f"{base}/{created['id']}", headers=clinic["admin"].headers)
    ).status_code == 204
    assert (await client.get(f"{base}/{created['id']}", headers=clinic["admin"].headers)).status_code == 404


async def test_webhook_pages_and_the_delivery_log_page_by_cursor(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    hooked = await hooked_clinic(client, conn, receiver)
    headers = hooked.clinic["admin"].headers
    base = f"{API}/units/{hooked.unit_id}/webhooks"
    for _ in range(2):
        r = await client.post(base, headers=headers, json={"url": receiver.url, "events": ALL_EVENTS})
        assert r.status_code == 201
    first = (await client.get(f"{base}?limit=2", headers=headers)).json()
    rest = (await client.get(f"{base}?limit=2&cursor={first['next_cursor']}", headers=headers)).json()
    assert len({w["id"] for w in first["items"] + rest["items"]}) == 3 and rest["next_cursor"] is None

    for _ in range(3):
        await citizen_case(client, hooked)
    log = f"{base}/{hooked.webhook['id']}/deliveries"
    page1 = (await client.get(f"{log}?limit=2", headers=headers)).json()
    page2 = (await client.get(f"{log}?limit=2&cursor={page1['next_cursor']}", headers=headers)).json()
    assert [d["status"] for d in page1["items"] + page2["items"]] == ["pending"] * 3
    assert len({d["id"] for d in page1["items"] + page2["items"]}) == 3
    bad = await client.get(f"{log}?cursor=WzkyMjMzNzIwMzY4NTQ3NzU4MDhd", headers=headers)  # [2**63]
    assert bad.status_code == 422
    unknown = f"{base}/{hooked.webhook['id']}/deliveries/{hooked.webhook['id']}/redeliver"
    assert (await client.post(unknown, headers=headers)).status_code == 404


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1/x", "events": []},
        {"url": "http://127.0.0.1/x", "events": ["case.deleted"]},
        {"url": "ftp://example.se/x", "events": ["case.created"]},
        {"url": "http://user:pw@127.0.0.1/x", "events": ["case.created"]},
        {"url": "not a url", "events": ["case.created"]},
        {"url": "http://127.0.0.1/x", "events": ["case.created"], "secret": "mine"},
    ],
)
async def test_malformed_webhooks_are_refused(client: httpx.AsyncClient, body: dict[str, object]) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/webhooks", headers=clinic["admin"].headers, json=body
    )
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"


@pytest.fixture
def production(settings: Settings, services: Services) -> Settings:
    """The app as in production for the webhook rules (create_app's other production checks
    are not what is tested here)."""
    services.settings = settings.model_copy(update={"app_env": "production"})
    return services.settings


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://93.184.216.34/hook", "https"),
        ("https://127.0.0.1/hook", "non-public"),
        ("https://localhost:8443/hook", "non-public"),
        ("https://10.1.2.3/hook", "non-public"),
        ("https://192.168.0.10/hook", "non-public"),
        ("https://172.16.5.4/hook", "non-public"),
        ("https://169.254.169.254/latest/meta-data", "non-public"),
        ("https://100.64.0.1/hook", "non-public"),
        ("https://[::1]/hook", "non-public"),
        ("https://[fd00::1]/hook", "non-public"),
        ("https://[::ffff:127.0.0.1]/hook", "non-public"),
        ("https://0.0.0.0/hook", "non-public"),
        ("https://no-such-host.invalid/hook", "resolved"),
    ],
)
async def test_production_refuses_non_public_targets(
    production: Settings, client: httpx.AsyncClient, url: str, why: str
) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/webhooks",
        headers=clinic["admin"].headers,
        json={"url": url, "events": ["case.created"]},
    )
    assert r.status_code == 422, r.text
    [error] = r.json()["errors"]
    assert error["loc"] == ["body", "url"] and why in error["msg"]


async def test_production_takes_https_to_a_public_address(
    production: Settings, client: httpx.AsyncClient
) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    r = await client.post(
        f"{API}/units/{clinic.unit_id}/webhooks",
        headers=clinic["admin"].headers,
        json={"url": "https://93.184.216.34:8443/hooks?unit=1", "events": ["case.created"]},
    )
    assert r.status_code == 201, r.text


async def test_a_target_that_turns_private_is_refused_at_delivery(
    settings: Settings,
    services: Services,
    client: httpx.AsyncClient,
    conn: AsyncConnection,
    receiver: HttpReceiver,
) -> None:
    """Created where a local target was allowed; the worker checks again (as it would after a
    DNS change) and refuses in production without connecting."""
    hooked = await hooked_clinic(client, conn, receiver)
    await citizen_case(client, hooked)
    worker = webhook_worker(settings, services.db, {"app_env": "production"})
    await worker.drain()
    assert receiver.requests == []
    [row] = await deliveries(conn)
    assert row.status == "failed" and row.last_error == "the URL must use https"

    await conn.execute(webhooks.update().values(url=receiver.url.replace("http://", "https://")))
    await conn.execute(text("UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now()"))
    await worker.drain()
    assert receiver.requests == []
    [row] = await deliveries(conn)
    assert (
        row.status == "failed" and row.last_error == "the host resolves to a non-public address (127.0.0.1)"
    )


def test_the_address_rule() -> None:
    public = ["93.184.216.34", "2a00:1450:4001:82a::200e", "1.1.1.1"]
    private = [
        "127.0.0.1",
        "10.0.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",  # noqa: S104
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "fe80::1%eth0",
        "fc00::1",
        "::ffff:10.0.0.1",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
    ]
    assert all(is_public(a) for a in public)
    assert not any(is_public(a) for a in private)
    with pytest.raises(TargetRefused):
        check_addresses(["93.184.216.34", "10.0.0.1"], production=True)  # one private is enough
    check_addresses(["127.0.0.1"], production=False)
    assert parse_target("https://h.example.se/a?b=c", production=True).path == "/a?b=c"
    with pytest.raises(TargetRefused, match="fragment"):
        parse_target("https://h.example.se/a#frag", production=True)


async def test_only_local_admins_hold_the_permission(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client)
    for role in ("case_receiver", "case_handler", "permission_admin", "reviewer"):
        person = await add_staff(client, clinic, [role])
        r = await client.get(f"{API}/units/{clinic.unit_id}/webhooks", headers=person.headers)
        assert r.status_code == 403, role
