"""Configuration: production refuses what is only safe on a developer's machine."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import DEFAULT_SIGNING_KEY, ConfigurationError, Settings
from app.main import create_app

# As `openssl rand -hex 32` gives it.
SECRET = "5f0c9a3e7b1d24c86a0f9e3b7c2d51a4e8f60b3c9d7a2e15f4b8c06d3a9e7f21"
SAFE_PRODUCTION: dict[str, Any] = {
    "app_env": "production",
    "database_url": "postgresql://careinbox@db/careinbox",
    "token_signing_key": SECRET,
    "staff_identity_provider": "oidc",
    "citizen_identity_provider": "oidc",
}


def _refusal(**overrides: Any) -> str:
    with pytest.raises(ConfigurationError) as info:
        Settings(**{**SAFE_PRODUCTION, **overrides}).check_production()
    reason = str(info.value)
    assert reason and "\n" not in reason, "the reason is one line"
    return reason


def test_safe_production_settings_pass() -> None:
    Settings(**SAFE_PRODUCTION).check_production()


@pytest.mark.parametrize("field", ["staff_identity_provider", "citizen_identity_provider"])
def test_production_refuses_stub_identity_providers(field: str) -> None:
    assert "stub" in _refusal(**{field: "stub"})


@pytest.mark.parametrize(
    "key",
    [
        DEFAULT_SIGNING_KEY,
        "short",
        " " * 32,  # passed the old length-only rule
        "a" * 64,
        "ab" * 32,
        "0123456789abcdef",  # 16 distinct characters, but only 16 bytes
        "passwordpasswordpasswordpassword",
        "0123456789abcdef0123456789abcde",  # 31 bytes
    ],
)
def test_production_refuses_the_default_a_short_or_a_low_entropy_signing_key(key: str) -> None:
    assert "TOKEN_SIGNING_KEY" in _refusal(token_signing_key=key)


@pytest.mark.parametrize(
    "key",
    [
        SECRET,
        "q8J2vX0mZr4T6yLw1Nc9Hs5Bd3Fk7Gp0Ut2Ea4Oi6Y8=",  # openssl rand -base64 32
    ],
)
def test_production_accepts_a_random_signing_key(key: str) -> None:
    Settings(**{**SAFE_PRODUCTION, "token_signing_key": key}).check_production()


def test_the_token_lifetime_cannot_exceed_the_maximum() -> None:
    with pytest.raises(ValueError, match="TOKEN_MAX_LIFETIME_SECONDS"):
        Settings(access_token_ttl_seconds=7200, token_max_lifetime_seconds=3600)


def test_production_needs_a_database_url() -> None:
    assert "DATABASE_URL" in _refusal(database_url=None)


def test_create_app_refuses_to_build_in_production_with_stubs() -> None:
    with pytest.raises(ConfigurationError, match="stub"):
        create_app(Settings(**{**SAFE_PRODUCTION, "staff_identity_provider": "stub"}))
    with pytest.raises(ConfigurationError, match="TOKEN_SIGNING_KEY"):
        create_app(Settings(**{**SAFE_PRODUCTION, "token_signing_key": DEFAULT_SIGNING_KEY}))


@pytest.mark.parametrize("env", ["dev", "test"])
def test_stubs_and_default_key_are_fine_outside_production(env: str) -> None:
    Settings(app_env=env).check_production()


def test_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@h/db")
    monkeypatch.setenv("BOOTSTRAP_SYSTEM_ADMINS", '[" SE2321000131-S000000000001 ", ""]')
    monkeypatch.setenv("STAFF_IDENTITY_PROVIDER", "oidc")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.app_env == "test" and s.database_url == "postgresql://u@h/db"
    assert s.bootstrap_system_admins == ["SE2321000131-S000000000001"]
    assert s.staff_identity_provider == "oidc"


def test_an_unknown_environment_name_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(ValueError):
        Settings(_env_file=None)  # type: ignore[call-arg]
