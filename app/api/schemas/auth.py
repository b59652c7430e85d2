"""Token requests (stub or OIDC credentials) and the app's access token."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from app.api.types import CountyCode, Flag


class AccessToken(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105
    expires_in: int


class StaffCredentialsIn(BaseModel):
    """Stub provider: `hsa_id`. OIDC provider: `id_token` from the SITHS identity provider."""

    model_config = ConfigDict(extra="forbid")
    hsa_id: str | None = Field(default=None, max_length=64)
    id_token: str | None = Field(default=None, max_length=16384)


class CitizenCredentialsIn(BaseModel):
    """Stub provider: a BankID stand-in whose optional fields feed the stub population register.
    OIDC provider: `id_token`."""

    model_config = ConfigDict(extra="forbid")
    personal_number: str | None = Field(default=None, max_length=20)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    # Register data, not proof of identity: malformed is a 422 like any bad input, not a 401.
    county_code: CountyCode | None = None
    protected_identity: Flag | None = None
    id_token: str | None = Field(default=None, max_length=16384)
