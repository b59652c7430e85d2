"""Stub adapters for development and tests. Refused in production (see config)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import directory_entries, register_entries
from app.domain.errors import Unauthenticated
from app.domain.identifiers import (
    InvalidIdentifier,
    parse_county_code,
    parse_hsa_id,
    parse_personal_number,
)
from app.domain.text import normalize_line
from app.identity.ports import DirectoryPerson, RegisterPerson


def _text(credentials: dict[str, Any], key: str) -> str | None:
    value = credentials.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Unauthenticated(f"{key} must be a string")
    return normalize_line(value)


class StubStaffIdentityProvider:
    """Logs staff in by HSA-id alone; the auth service checks the person is in the directory."""

    name = "stub"

    async def authenticate(self, credentials: dict[str, Any]) -> str:
        raw = credentials.get("hsa_id")
        if not isinstance(raw, str):
            raise Unauthenticated("the stub staff login needs an hsa_id")
        try:
            return parse_hsa_id(raw)
        except InvalidIdentifier as exc:
            raise Unauthenticated(str(exc)) from exc


class StubCitizenIdentityProvider:
    """A BankID stand-in: the personal number proves itself; optional fields feed the register."""

    name = "stub"

    async def authenticate(self, credentials: dict[str, Any]) -> RegisterPerson:
        raw = credentials.get("personal_number")
        if not isinstance(raw, str):
            raise Unauthenticated("the stub citizen login needs a personal_number")
        try:
            pnr = parse_personal_number(raw)
            county = _text(credentials, "county_code")
            county = parse_county_code(county) if county else None
        except InvalidIdentifier as exc:
            raise Unauthenticated(str(exc)) from exc
        protected = credentials.get("protected_identity", False)
        if not isinstance(protected, bool):
            raise Unauthenticated("protected_identity must be true or false")
        return RegisterPerson(
            personal_number=pnr,
            given_name=_text(credentials, "given_name") or "",
            family_name=_text(credentials, "family_name") or "",
            county_code=county,
            protected_identity=protected,
        )


class StubHsaDirectory:
    is_stub = True

    async def lookup(self, conn: AsyncConnection, hsa_id: str) -> DirectoryPerson | None:
        t = directory_entries
        row = (
            await conn.execute(
                select(
                    t.c.hsa_id,
                    t.c.given_name,
                    t.c.family_name,
                    t.c.title,
                    t.c.email,
                    t.c.phone,
                    t.c.protected_identity,
                ).where(t.c.hsa_id == hsa_id)
            )
        ).one_or_none()
        return DirectoryPerson(**row._mapping) if row else None

    async def add(self, conn: AsyncConnection, person: DirectoryPerson) -> None:
        values = {
            "hsa_id": person.hsa_id,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "title": person.title,
            "email": person.email,
            "phone": person.phone,
            "protected_identity": person.protected_identity,
        }
        stmt = insert(directory_entries).values(**values)
        stmt = stmt.on_conflict_do_update(
            index_elements=[directory_entries.c.hsa_id],
            set_={k: stmt.excluded[k] for k in values if k != "hsa_id"},
        )
        await conn.execute(stmt)


class StubPopulationRegister:
    async def lookup(self, conn: AsyncConnection, personal_number: str) -> RegisterPerson | None:
        t = register_entries
        row = (
            await conn.execute(
                select(
                    t.c.personal_number,
                    t.c.given_name,
                    t.c.family_name,
                    t.c.county_code,
                    t.c.protected_identity,
                ).where(t.c.personal_number == personal_number)
            )
        ).one_or_none()
        return RegisterPerson(**row._mapping) if row else None

    async def record(self, conn: AsyncConnection, person: RegisterPerson) -> None:
        """Remember what the stub login said; empty fields keep what was known before."""
        t = register_entries
        stmt = insert(t).values(
            personal_number=person.personal_number,
            given_name=person.given_name,
            family_name=person.family_name,
            county_code=person.county_code,
            protected_identity=person.protected_identity,
        )
        ex = stmt.excluded
        from sqlalchemy import func

        stmt = stmt.on_conflict_do_update(
            index_elements=[t.c.personal_number],
            set_={
                "given_name": func.coalesce(func.nullif(ex.given_name, ""), t.c.given_name),
                "family_name": func.coalesce(func.nullif(ex.family_name, ""), t.c.family_name),
                "county_code": func.coalesce(ex.county_code, t.c.county_code),
                "protected_identity": ex.protected_identity,
                "updated_at": func.now(),
            },
        )
        await conn.execute(stmt)
