"""The wiring root: what a request needs besides its connection (settings, database, adapters,
token service), built once at start-up by `create_app` (and by the CLI, the demo and the tests).

It sits beside `main.py`, not in `app/services/`, because it is no use case: it chooses the
adapters (stub or OIDC) from the settings and so depends on every adapter package. Services only
take the built `Services` as a parameter type."""

from __future__ import annotations

from dataclasses import dataclass

from app.config import Settings
from app.db.engine import Database
from app.identity.ports import (
    CitizenIdentityProvider,
    HsaDirectory,
    PopulationRegister,
    StaffIdentityProvider,
)
from app.identity.tokens import TokenService
from app.storage.factory import build_store
from app.storage.ports import AttachmentStore


@dataclass
class Services:
    settings: Settings
    db: Database
    tokens: TokenService
    staff_idp: StaffIdentityProvider
    citizen_idp: CitizenIdentityProvider
    directory: HsaDirectory
    register: PopulationRegister
    attachment_store: AttachmentStore

    @property
    def bootstrap_admins(self) -> frozenset[str]:
        return frozenset(self.settings.bootstrap_system_admins)


def build_services(settings: Settings, db: Database) -> Services:
    from app.identity.stub import (
        StubCitizenIdentityProvider,
        StubHsaDirectory,
        StubPopulationRegister,
        StubStaffIdentityProvider,
    )

    staff_idp: StaffIdentityProvider
    citizen_idp: CitizenIdentityProvider
    if settings.staff_identity_provider == "oidc":
        from app.identity.oidc import OidcStaffIdentityProvider

        staff_idp = OidcStaffIdentityProvider.from_settings(settings)
    else:
        staff_idp = StubStaffIdentityProvider()
    if settings.citizen_identity_provider == "oidc":
        from app.identity.oidc import OidcCitizenIdentityProvider

        citizen_idp = OidcCitizenIdentityProvider.from_settings(settings)
    else:
        citizen_idp = StubCitizenIdentityProvider()
    return Services(
        settings=settings,
        db=db,
        tokens=TokenService(
            settings.token_signing_key, settings.token_issuer, settings.access_token_ttl_seconds
        ),
        staff_idp=staff_idp,
        citizen_idp=citizen_idp,
        directory=StubHsaDirectory(),
        register=StubPopulationRegister(),
        attachment_store=build_store(settings, db),
    )
