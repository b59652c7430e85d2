"""Malformed addresses and numbers are refused where they are entered (422), not at send time;
phone numbers are stored in E.164. Production refuses SMTP credentials over plain text."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.config import ConfigurationError, Settings
from tests.fixtures.citizen import citizen
from tests.fixtures.clinic import API, make_clinic

BAD_EMAILS = ["not-an-address", "a..b@example.se", "anna@localhost", "anna@example.se.", "a b@example.se"]
BAD_PHONES = ["call me", "12", "+46 70 123", "+4670123456789012", "070-123 45 67 ext 5"]


def _is_422(r: httpx.Response, field: str) -> None:
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in r.text


async def test_staff_settings_refuse_malformed_and_store_e164(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"h": ["case_handler"]})
    url, headers = f"{API}/me/settings", clinic["h"].headers
    for bad in BAD_EMAILS:
        _is_422(
            await client.patch(url, headers=headers, json={"notification_email": bad}), "notification_email"
        )
    for bad in BAD_PHONES:
        _is_422(
            await client.patch(url, headers=headers, json={"notification_phone": bad}), "notification_phone"
        )
    r = await client.patch(url, headers=headers, json={"notification_phone": "0701-23 45 67"})
    assert r.status_code == 200 and r.json()["settings"]["notification_phone"] == "+46701234567"
    r = await client.patch(url, headers=headers, json={"notification_phone": "+44 7911 123456"})
    assert r.json()["settings"]["notification_phone"] == "+447911123456"


async def test_citizen_me_refuses_malformed_and_stores_e164(client: httpx.AsyncClient) -> None:
    who = await citizen(client)
    url = f"{API}/citizen/me"
    for bad in BAD_EMAILS:
        _is_422(await client.patch(url, headers=who.headers, json={"email": bad}), "email")
    for bad in BAD_PHONES:
        _is_422(
            await client.patch(url, headers=who.headers, json={"phone": bad, "notify_by_sms": True}), "phone"
        )
    assert (await client.get(url, headers=who.headers)).json()["notify_by_sms"] is False  # nothing changed
    r = await client.patch(url, headers=who.headers, json={"phone": "070 123 45 67", "notify_by_sms": True})
    assert r.status_code == 200 and r.json()["phone"] == "+46701234567"


async def test_unit_settings_refuse_a_malformed_notification_address(client: httpx.AsyncClient) -> None:
    clinic = await make_clinic(client, {"admin": ["local_admin"]})
    url, admin = f"{API}/units/{clinic.unit_id}/settings", clinic["admin"].headers
    for bad in BAD_EMAILS:
        body: dict[str, Any] = {"notification_emails": ["ok@vc.example.se", bad]}
        _is_422(await client.patch(url, headers=admin, json=body), "notification_emails")
    r = await client.patch(url, headers=admin, json={"notification_emails": ["ok@vc.example.se"]})
    assert r.status_code == 200, r.text


SAFE_PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "database_url": "postgresql://careinbox@db/careinbox",
    # As `openssl rand -hex 32` gives it: production refuses a guessable key (tests/ops/test_config.py).
    "token_signing_key": "5f0c9a3e7b1d24c86a0f9e3b7c2d51a4e8f60b3c9d7a2e15f4b8c06d3a9e7f21",
    "staff_identity_provider": "oidc",
    "citizen_identity_provider": "oidc",
    "smtp_host": "smtp.example.se",
}


@pytest.mark.parametrize(
    "extra",
    [
        {"smtp_username": "relay"},
        {"smtp_password": SecretStr("pw")},
        {"smtp_username": "u", "smtp_starttls": False},
    ],
)
def test_production_refuses_smtp_credentials_without_tls(extra: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="SMTP_STARTTLS or SMTP_TLS") as info:
        Settings(**SAFE_PRODUCTION, **extra).check_production()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("tls", [{"smtp_starttls": True}, {"smtp_tls": True}])
def test_production_takes_smtp_credentials_over_tls(tls: dict[str, Any]) -> None:
    Settings(
        **SAFE_PRODUCTION, smtp_username="relay", smtp_password=SecretStr("pw"), **tls
    ).check_production()
    Settings(app_env="dev", smtp_username="relay").check_production()  # a dev relay may be plain


def test_a_production_worker_needs_a_relay_and_an_https_gateway() -> None:
    Settings(**SAFE_PRODUCTION).check_worker()
    with pytest.raises(ConfigurationError, match="SMTP_HOST"):
        Settings(**{**SAFE_PRODUCTION, "smtp_host": None}).check_worker()
    with pytest.raises(ConfigurationError, match="https"):
        Settings(**SAFE_PRODUCTION, sms_gateway_url="http://sms.example.se/send").check_production()


def test_the_worker_runs_in_the_app_only_in_dev_by_default() -> None:
    assert Settings(app_env="dev").worker_in_app is True
    assert Settings(app_env="test").worker_in_app is False
    assert Settings(**SAFE_PRODUCTION).worker_in_app is False
    assert Settings(app_env="test", outbox_worker_in_app=True).worker_in_app is True
    assert Settings().smtp_host is None  # no relay by default: dev uses the var/mail/ sink
