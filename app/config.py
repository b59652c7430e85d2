"""Settings from the environment (pydantic-settings).

Production refuses insecure defaults at start-up so a misconfigured deployment fails loudly
instead of silently accepting stub logins.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SIGNING_KEY = "dev-only-signing-key-change-me-0123456789abcdef"


class ConfigurationError(RuntimeError):
    """The configuration cannot be used; the message is one line saying why."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    app_env: Literal["dev", "test", "production"] = "dev"
    database_url: str | None = None
    # Embedded PostgreSQL (pgserver) data folder, used when DATABASE_URL is unset.
    embedded_pg_dir: str = "var/pgdata"

    token_signing_key: str = DEFAULT_SIGNING_KEY
    token_issuer: str = "careinbox"  # noqa: S105
    access_token_ttl_seconds: int = 3600

    staff_identity_provider: Literal["stub", "oidc"] = "stub"
    citizen_identity_provider: Literal["stub", "oidc"] = "stub"
    hsa_directory: Literal["stub"] = "stub"
    population_register: Literal["stub"] = "stub"

    staff_oidc_issuer: str | None = None
    staff_oidc_audience: str | None = None
    staff_oidc_jwks_url: str | None = None
    staff_oidc_hsa_claim: str = "http://sambi.se/attributes/1/employeeHsaId"
    citizen_oidc_issuer: str | None = None
    citizen_oidc_audience: str | None = None
    citizen_oidc_jwks_url: str | None = None
    oidc_leeway_seconds: int = 60
    oidc_jwks_cache_seconds: int = 300

    bootstrap_system_admins: list[str] = Field(default_factory=list)

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    mail_from: str = "no-reply@careinbox.example"
    sms_gateway_url: str | None = None

    log_json: bool = True

    # Outbound sends (domain.md "outbound case") per handler per fixed clock hour; more → 429.
    outbound_sends_per_hour: int = Field(default=20, ge=1)

    @field_validator("bootstrap_system_admins", mode="after")
    @classmethod
    def _trim_admins(cls, value: list[str]) -> list[str]:
        return [v.strip() for v in value if v.strip()]

    def check_production(self) -> None:
        """Refuse settings that are only safe on a developer's machine."""
        if self.app_env != "production":
            return
        if self.staff_identity_provider == "stub" or self.citizen_identity_provider == "stub":
            raise ConfigurationError("stub identity providers are refused in production")
        if self.token_signing_key == DEFAULT_SIGNING_KEY or len(self.token_signing_key) < 32:
            raise ConfigurationError("TOKEN_SIGNING_KEY must be set to a secret of 32+ characters")
        if not self.database_url:
            raise ConfigurationError("DATABASE_URL must be set in production")


@lru_cache
def get_settings() -> Settings:
    return Settings()
