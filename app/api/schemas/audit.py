"""The unit's PDL audit log (reviewers) and the citizen's access-log extract."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from pydantic import BaseModel, Field

from app.domain.audit import AuditAction, AuditOutcome


class AuditEvent(BaseModel):
    id: int
    occurred_at: datetime
    staff_hsa_id: str
    staff_id: UUID | None
    staff_name: str | None
    unit_hsa_id: str
    personal_number: str | None
    action: AuditAction
    case_id: UUID | None
    case_reference: str | None
    outcome: AuditOutcome
    detail: dict[str, Any]
    personal_numbers: list[str] = Field(
        default_factory=list,
        description="a list event (`case_list_read`, `follow_up_read`): every citizen the page showed",
    )


class AccessLogUnit(BaseModel):
    id: UUID
    name: str


class AccessLogStaff(BaseModel):
    title: str
    name: str | None


class AccessLogEntry(BaseModel):
    id: int
    occurred_at: datetime
    unit: AccessLogUnit
    action: AuditAction
    description: str
    staff: AccessLogStaff | None
