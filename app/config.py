"""Settings from the environment (pydantic-settings).

Production refuses insecure defaults at start-up so a misconfigured deployment fails loudly
instead of silently accepting stub logins.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SIGNING_KEY = "dev-only-signing-key-change-me-0123456789abcdef"
# A production signing key: at least 32 bytes, at least 16 distinct characters and an estimated
# 160 bits or more (its length times the Shannon entropy of its own character frequencies). A hex
# key from `openssl rand -hex 32` (64 characters, ~250 bits) or `openssl rand -base64 32` passes;
# 32 spaces, a repeated character or a short phrase padded out does not. An estimate cannot see a
# pattern ("0123456789abcdef" twice and more), so the key must still come from a random source.
MIN_KEY_BYTES = 32
MIN_KEY_DISTINCT = 16
MIN_KEY_BITS = 160


def key_strength_problem(key: str) -> str | None:
    """Why `key` is too weak to sign production tokens, or None."""
    if len(key.encode()) < MIN_KEY_BYTES:
        return f"TOKEN_SIGNING_KEY must be at least {MIN_KEY_BYTES} bytes"
    counts = Counter(key)
    if len(counts) < MIN_KEY_DISTINCT:
        return f"TOKEN_SIGNING_KEY must use at least {MIN_KEY_DISTINCT} distinct characters"
    per_char = -sum(n / len(key) * math.log2(n / len(key)) for n in counts.values())
    if per_char * len(key) < MIN_KEY_BITS:
        return f"TOKEN_SIGNING_KEY has too little entropy (need an estimated {MIN_KEY_BITS} bits)"
    return None


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
    access_token_ttl_seconds: int = Field(default=3600, gt=0)
    # Whatever a token's own `exp` says, it is refused once this old (from its `iat`), and a token
    # whose `exp` lies further than this from its `iat` is refused outright.
    token_max_lifetime_seconds: int = Field(default=43200, gt=0)

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
    # Browser origins that may call the API (the staff SPA, the citizen app), a JSON list like
    # BOOTSTRAP_SYSTEM_ADMINS: CORS_ORIGINS='["https://vard.example"]'. Empty: no cross-origin
    # calls. `*` (any origin) is refused in production.
    cors_origins: list[str] = Field(default_factory=list)

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

    # Domain events (api.md "Events"): kept EVENT_RETENTION_DAYS, which is how far back the SSE
    # stream resumes (purged by the worker and `python -m app.cli purge`).
    event_retention_days: float = Field(default=7.0, gt=0)
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # Events waiting for one slow client before its stream is dropped (it resumes on reconnect).
    sse_client_queue: int = Field(default=1000, ge=1)
    # A stream ends after this long and the client reconnects (Last-Event-ID): its roles are
    # read again, so a revoked role stops the stream within this time.
    sse_max_stream_seconds: float = Field(default=900.0, gt=0)
    # Webhook deliveries, by the outbox worker: retried for WEBHOOK_RETRY_HOURS, then failed.
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    webhook_retry_hours: float = Field(default=24.0, gt=0)
    webhook_retry_base_seconds: float = Field(default=30.0, gt=0)
    webhook_retry_cap_seconds: float = Field(default=3600.0, gt=0)
    # Encrypts the stored webhook signing secrets; unset: derived from TOKEN_SIGNING_KEY.
    webhook_secret_key: SecretStr | None = None
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
    # An upload's transaction is idle while the body arrives (with S3 for the whole upload): it
    # may wait this long between two database writes instead of the general
    # DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS, so a 20 MiB file over a slow link gets in.
    attachment_upload_idle_seconds: float = Field(default=300.0, gt=0)

    log_json: bool = True

    # The database: the app's role and how long anything may wait on the server (fail fast).
    # Empty DATABASE_APP_ROLE: stay the login role (a production login that is the app role).
    database_app_role: str = "careinbox_app"
    database_pool_size: int = Field(default=10, ge=1)
    database_max_overflow: int = Field(default=10, ge=0)
    database_pool_timeout_seconds: float = Field(default=5.0, gt=0)
    database_connect_timeout_seconds: float = Field(default=5.0, gt=0)
    database_statement_timeout_seconds: float = Field(default=10.0, gt=0)
    database_idle_in_transaction_timeout_seconds: float = Field(default=30.0, gt=0)
    readyz_timeout_seconds: float = Field(default=2.0, gt=0)

    # Rate limits (0 = no limit for that one; RATE_LIMITS_ENABLED=false lifts all, e.g. the bench).
    rate_limits_enabled: bool = True
    rate_limit_login_per_identity: int = Field(default=20, ge=0)  # per minute
    rate_limit_login_per_address: int = Field(default=1000, ge=0)  # per minute
    rate_limit_citizen_cases: int = Field(default=30, ge=0)  # per citizen and hour
    rate_limit_outbound: int = Field(default=20, ge=0)  # per handler and hour

    @field_validator("bootstrap_system_admins", mode="after")
    @classmethod
    def _trim_admins(cls, value: list[str]) -> list[str]:
        return [v.strip() for v in value if v.strip()]

    @field_validator("cors_origins", mode="after")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        origins = [v.strip() for v in value if v.strip()]
        for origin in origins:
            # A browser sends `scheme://host[:port]` exactly: a path or trailing slash never matches.
            if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
                raise ValueError(f"CORS_ORIGINS: {origin!r} is not an origin like https://host[:port]")
        return origins

    @model_validator(mode="after")
    def _ttl_within_max(self) -> Settings:
        if self.access_token_ttl_seconds > self.token_max_lifetime_seconds:
            raise ValueError("ACCESS_TOKEN_TTL_SECONDS must not exceed TOKEN_MAX_LIFETIME_SECONDS")
        return self

    def check_attachment_store(self) -> None:
        if self.attachment_store == "s3" and not self.s3_bucket:
            raise ConfigurationError("ATTACHMENT_STORE=s3 needs S3_BUCKET")

    def check_production(self) -> None:
        """Refuse settings that are only safe on a developer's machine."""
        if self.app_env != "production":
            return
        if self.staff_identity_provider == "stub" or self.citizen_identity_provider == "stub":
            raise ConfigurationError("stub identity providers are refused in production")
        if self.token_signing_key == DEFAULT_SIGNING_KEY:
            raise ConfigurationError("TOKEN_SIGNING_KEY must be set to a secret of your own")
        weak = key_strength_problem(self.token_signing_key)
        if weak:
            raise ConfigurationError(f"{weak}; generate one with `openssl rand -hex 32`")
        if not self.database_url:
            raise ConfigurationError("DATABASE_URL must be set in production")
        if "*" in self.cors_origins:
            raise ConfigurationError("CORS_ORIGINS may not be `*` in production: list the SPA origins")
        if (self.smtp_username or self.smtp_password) and not (self.smtp_starttls or self.smtp_tls):
            raise ConfigurationError(
                "SMTP credentials are refused over plain text in production: set SMTP_STARTTLS or SMTP_TLS"
            )
        if self.sms_gateway_url and not self.sms_gateway_url.startswith("https://"):
            raise ConfigurationError("SMS_GATEWAY_URL must be https in production")
        key = self.webhook_secret_key
        if key is not None and len(key.get_secret_value()) < 32:
            raise ConfigurationError("WEBHOOK_SECRET_KEY must be a secret of 32+ characters")

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
