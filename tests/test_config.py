"""Configuration: production refuses what is only safe on a developer's machine."""

from __future__ import annotations

from typing import Any

import pytest

from app.config import DEFAULT_SIGNING_KEY, ConfigurationError, Settings
from app.main import create_app

SECRET = "s3cret-" + "k" * 40
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


@pytest.mark.parametrize("key", [DEFAULT_SIGNING_KEY, "short"])
def test_production_refuses_the_default_or_a_short_signing_key(key: str) -> None:
    assert "TOKEN_SIGNING_KEY" in _refusal(token_signing_key=key)


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
