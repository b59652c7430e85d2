"""Which units and case types are open to a citizen (domain.md "Service area").

Visibility is expressed in SQL from the citizen's id, personal number and county, so an
out-of-reach unit or case type is simply not found (404), and lists need no filtering in Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from sqlalchemy import (
    ColumnElement,
    and_,
    any_,
    case,
    exists,
    literal,
    not_,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.tables import (
    case_types,
    citizen_grants,
    citizens,
    units,
)

g = citizen_grants
ct = case_types


@dataclass(frozen=True, slots=True)
class Who:
    """The citizen's facts that decide visibility; `today` is the Swedish calendar date."""

    citizen_id: UUID
    personal_number: str
    today: date

    def grant(self, unit_id: Any, case_type: ColumnElement[bool]) -> ColumnElement[bool]:
        # correlate_except: the unit (and case type) are the enclosing query's, however deep this
        # is nested. Left to auto-correlation, which looks one level up only, the unit list
        # (units > case_types > grant) gave the grant a FROM units of its own: a grant at any
        # unit then opened every unit.
        return (
            exists()
            .where(
                g.c.unit_id == unit_id,
                g.c.personal_number == self.personal_number,
                or_(g.c.valid_until.is_(None), g.c.valid_until >= self.today),
                case_type,
            )
            .correlate_except(g)
        )

    def may_contact(self) -> ColumnElement[bool]:
        """The unit's service area covers the citizen's county, or a unit grant is valid.

        A grant also opens a unit whose service area is `none`: `none` only hides it from the
        general public, and a grant is the unit's own approval of this one citizen.
        """
        county = select(citizens.c.county_code).where(citizens.c.id == self.citizen_id).scalar_subquery()
        return or_(
            units.c.service_area_scope == "national",
            and_(units.c.service_area_scope == "counties", county == any_(units.c.service_area_counties)),
            self.grant(units.c.id, g.c.case_type_id.is_(None)),
        )

    def open_case_type(self) -> ColumnElement[bool]:
        """(case_types joined to units) active, and either unrestricted at a contactable unit or
        granted to the citizen by name (a case-type grant opens that type even out of area)."""
        return and_(
            ct.c.status == "active",
            or_(
                and_(not_(ct.c.restricted), self.may_contact()),
                self.grant(ct.c.unit_id, g.c.case_type_id == ct.c.id),
            ),
        )


def _open_unit(who: Who) -> ColumnElement[bool]:
    return exists().where(ct.c.unit_id == units.c.id, who.open_case_type())


async def contactable_units(
    conn: AsyncConnection, who: Who, key: str, limit: int, after: tuple[int, str, UUID] | None
) -> list[dict[str, Any]]:
    """Units with a case type open to the citizen; ranked: name starts with the key, a word
    starts with it, then anywhere; by name within a rank."""
    rank: ColumnElement[int] = (
        case(
            (units.c.name_search.startswith(key, autoescape=True), 0),
            (units.c.name_search.contains(" " + key, autoescape=True), 1),
            else_=2,
        )
        if key
        else literal(0)
    )
    stmt = select(units.c.id, units.c.name, units.c.hsa_id, rank.label("rank")).where(_open_unit(who))
    if key:
        stmt = stmt.where(units.c.name_search.contains(key, autoescape=True))
    if after:
        stmt = stmt.where(tuple_(rank, units.c.name, units.c.id) > tuple_(*after))
    stmt = stmt.order_by(rank, units.c.name, units.c.id).limit(limit + 1)
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]


CASE_TYPE_COLS = (
    ct.c.id,
    ct.c.name,
    ct.c.category,
    ct.c.description,
    ct.c.terms_text,
    ct.c.questions,
    ct.c.citizen_attachments_allowed,
)


async def open_case_types(
    conn: AsyncConnection, who: Who, unit_id: UUID, limit: int, after: tuple[str, UUID] | None
) -> list[dict[str, Any]]:
    stmt = (
        select(*CASE_TYPE_COLS)
        .join(units, units.c.id == ct.c.unit_id)
        .where(ct.c.unit_id == unit_id, who.open_case_type())
        .order_by(ct.c.name, ct.c.id)
        .limit(limit + 1)
    )
    if after:
        stmt = stmt.where(tuple_(ct.c.name, ct.c.id) > tuple_(*after))
    return [dict(r._mapping) for r in (await conn.execute(stmt)).all()]
