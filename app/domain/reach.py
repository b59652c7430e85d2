"""Which of a unit's cases a staff member reaches (domain.md "Roles").

A case receiver sees every case of the unit. Anyone else at the unit (in practice a case
handler: the routes' guards let no other role near a case) reaches a case in one of three
`Way`s: it is assigned to them, it is assigned to one of their groups, or they took part in it
(made a change to it, which keeps their access after the case moves on). A personal-number
search in the inbox is the one exception: it shows every case of that citizen at the unit
(summaries only; the search itself is what the PDL log records), to handlers too.

The SQL of each way is written once, in app/db/repos/case_reach.py, and every read and write
of a staff member's cases (inbox, case view, transitions) is limited through it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from uuid import UUID

from app.domain.actors import StaffActor
from app.domain.policy import Permission


class Way(StrEnum):
    """How someone who does not see all of a unit's cases reaches one of them."""

    ASSIGNED_TO_THEM = "assigned_to_them"
    ASSIGNED_TO_THEIR_GROUP = "assigned_to_their_group"
    TOOK_PART = "took_part"


@dataclass(frozen=True, slots=True)
class CaseReach:
    """A staff member's reach at one unit: every case (`sees_all`), or those of the `Way`s."""

    staff_id: UUID
    sees_all: bool

    @classmethod
    def of(cls, actor: StaffActor, unit_id: UUID) -> CaseReach:
        return cls(actor.staff_id, actor.can(unit_id, Permission.CASE_READ_ALL))

    def in_inbox(self, *, citizen_search: bool) -> CaseReach:
        """The reach of an inbox request: a personal-number search shows all that citizen's
        cases at the unit, whoever searches (only the list: the case view keeps the reach)."""
        return replace(self, sees_all=True) if citizen_search else self
