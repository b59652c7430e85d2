"""A unit's statistics for a period (api.md `GET /units/{unit_id}/statistics`); the figures are
defined in app/domain/statistics.py."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import BaseModel, Field

from app.api.schemas.cases import CaseTypeRef
from app.domain.categories import Category


class AnsweredWithinDeadline(BaseModel):
    count: int = Field(description="received cases first answered no later than their deadline")
    of: int = Field(description="received cases whose outcome is known: answered, or past the deadline")
    share: float | None = Field(description="count / of (0–1, four decimals); null when `of` is 0")


class StatisticsFigures(BaseModel):
    received: int = Field(description="citizen cases that arrived in the period")
    closed: int = Field(description="citizen cases closed in the period, whenever they arrived")
    answered_within_deadline: AnsweredWithinDeadline
    median_first_response_minutes: float | None = Field(
        description="median minutes from arrival to the clinic's first message to the citizen "
        "(answer, partial reply or counter-question), over the received cases that have one"
    )


class CategoryStatistics(StatisticsFigures):
    category: Category | None = Field(description="null: case types without a category")
    label: str | None


class CaseTypeStatistics(StatisticsFigures):
    case_type: CaseTypeRef


class WeekStatistics(StatisticsFigures):
    week: str = Field(description="ISO week, e.g. 2026-W48 (Monday–Sunday, Europe/Stockholm)")
    starts_on: date = Field(description="the week's Monday")


class Statistics(StatisticsFigures):
    unit_id: UUID
    from_: date = Field(alias="from", serialization_alias="from")
    to: date
    by_category: list[CategoryStatistics] = Field(
        description="every category of the fixed list, in its order"
    )
    by_case_type: list[CaseTypeStatistics] = Field(
        description="case types with any case in the period, by name"
    )
    by_week: list[WeekStatistics] = Field(description="every ISO week overlapping the period, oldest first")
