"""Ports for the outside identity world. Adapters: stub (dev/test) and OIDC / real catalogs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection


@dataclass(frozen=True, slots=True)
class DirectoryPerson:
    """A person as the HSA catalog describes them."""

    hsa_id: str
    given_name: str
    family_name: str
    title: str
    email: str | None
    phone: str | None
    protected_identity: bool


@dataclass(frozen=True, slots=True)
class RegisterPerson:
    """A person as the population register describes them."""

    personal_number: str
    given_name: str
    family_name: str
    county_code: str | None
    protected_identity: bool


class StaffIdentityProvider(Protocol):
    """Proves a staff member's identity (SITHS). Returns the person's HSA-id."""

    name: str

    async def authenticate(self, credentials: dict[str, Any]) -> str: ...


class CitizenIdentityProvider(Protocol):
    """Proves a citizen's identity (BankID). Returns the register view of the person, as far
    as the login itself tells it (the stub takes names and county from the request)."""

    name: str

    async def authenticate(self, credentials: dict[str, Any]) -> RegisterPerson: ...


class HsaDirectory(Protocol):
    is_stub: bool

    async def lookup(self, conn: AsyncConnection, hsa_id: str) -> DirectoryPerson | None: ...

    async def add(self, conn: AsyncConnection, person: DirectoryPerson) -> None: ...


class PopulationRegister(Protocol):
    async def lookup(self, conn: AsyncConnection, personal_number: str) -> RegisterPerson | None: ...

    async def record(self, conn: AsyncConnection, person: RegisterPerson) -> None: ...
