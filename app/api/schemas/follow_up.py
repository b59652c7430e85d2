"""A unit's follow-up: open cases by status and assignee, the overdue ones."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel

from app.api.schemas.common import AssigneeRef
from app.domain.case import CaseStatus


class AssigneeCount(BaseModel):
    assignee: AssigneeRef
    count: int


class OverdueCase(BaseModel):
    id: UUID
    reference: str
    status: CaseStatus
    subject: str
    due_at: datetime
    assignee: AssigneeRef | None


class FollowUp(BaseModel):
    new: int
    assigned: list[AssigneeCount]
    assigned_total: int
    awaiting_citizen: int
    overdue: int
    overdue_cases: list[OverdueCase]
    next_cursor: str | None
    as_of: datetime
