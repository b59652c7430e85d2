"""Settings from the environment (pydantic-settings).

Production refuses insecure defaults at start-up so a misconfigured deployment fails loudly
instead of silently accepting stub logins.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator
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

    # Outgoing e-mail (app/notify). No SMTP_HOST: in dev a local sink writes each message to
    # MAIL_SINK_DIR; elsewhere e-mail rows are marked as switched off (a production worker refuses).
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False  # upgrade with STARTTLS (usually port 587), certificate checked
    smtp_tls: bool = False  # implicit TLS from the first byte (usually port 465)
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    mail_from: str = "no-reply@careinbox.example"
    mail_sink_dir: str = "var/mail"
    # Outgoing SMS: POST {"to", "text"} to this URL. Unset: SMS rows are marked as switched off.
    sms_gateway_url: str | None = None
    sms_gateway_token: SecretStr | None = None
    sms_timeout_seconds: float = Field(default=10.0, gt=0)

    # The outbox worker (app/notify/worker.py). None: inside the app process only in dev.
    outbox_worker_in_app: bool | None = None
    outbox_batch_size: int = Field(default=10, ge=1, le=500)
    outbox_poll_seconds: float = Field(default=1.0, gt=0)
    outbox_lease_seconds: float = Field(default=30.0, ge=1)
    outbox_max_attempts: int = Field(default=20, ge=1)
    outbox_retry_base_seconds: float = Field(default=30.0, gt=0)
    outbox_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    reminder_interval_seconds: float = Field(default=300.0, gt=0)
    worker_metrics_port: int | None = None

    # Where attachment bytes live: "postgres" (its own table; nothing more to run) or "s3"
    # (an S3-compatible bucket, for many API instances).
    attachment_store: Literal["postgres", "s3"] = "postgres"
    s3_endpoint_url: str | None = None  # None: AWS itself
    s3_bucket: str | None = None
    s3_access_key_id: str | None = None  # None (both keys): botocore's chain (env, instance role)
    s3_secret_access_key: str | None = None
    s3_region: str = "us-east-1"
    # How often a notification worker deletes uploads nobody attached within 24 h (as
    # `python -m app.cli purge` does): an expired upload's bytes stay at most this long.
    attachment_purge_interval_seconds: float = Field(default=3600.0, gt=0)

    log_json: bool = True

    # Outbound sends (domain.md "outbound case") per handler per fixed clock hour; more → 429.
    outbound_sends_per_hour: int = Field(default=20, ge=1)

    @field_validator("bootstrap_system_admins", mode="after")
    @classmethod
    def _trim_admins(cls, value: list[str]) -> list[str]:
        return [v.strip() for v in value if v.strip()]

    def check_attachment_store(self) -> None:
        if self.attachment_store == "s3" and not self.s3_bucket:
            raise ConfigurationError("ATTACHMENT_STORE=s3 needs S3_BUCKET")

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
        if (self.smtp_username or self.smtp_password) and not (self.smtp_starttls or self.smtp_tls):
            raise ConfigurationError(
                "SMTP credentials are refused over plain text in production: set SMTP_STARTTLS or SMTP_TLS"
            )
        if self.sms_gateway_url and not self.sms_gateway_url.startswith("https://"):
            raise ConfigurationError("SMS_GATEWAY_URL must be https in production")

    @property
    def worker_in_app(self) -> bool:
        """Whether the app process runs the outbox worker itself: by default only in dev, so a
        newcomer's `make run` delivers notifications while production runs workers apart."""
        return self.app_env == "dev" if self.outbox_worker_in_app is None else self.outbox_worker_in_app

    def check_worker(self) -> None:
        """A production worker without a mail relay would mark every e-mail as switched off."""
        self.check_production()
        if self.app_env == "production" and not self.smtp_host:
            raise ConfigurationError("SMTP_HOST must be set for the outbox worker in production")


@lru_cache
def get_settings() -> Settings:
    return Settings()
