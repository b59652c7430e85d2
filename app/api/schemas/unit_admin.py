"""A unit as its staff see it, and its administration: settings, role assignments, staff,
groups and citizen grants (api.md "Unit administration"; message templates have their own file).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, Strict

from app.api.types import CountyCode, Email, Flag, HsaId, NonEmptyLine, PersonalNumber, StrictModel
from app.domain.policy import Role
from app.domain.service_area import ServiceAreaScope
from app.services.citizen_grants import MAX_BULK

# --- the unit and its settings ------------------------------------------------------------------


class ServiceArea(BaseModel):
    scope: ServiceAreaScope
    county_codes: list[str]


class UnitSettings(BaseModel):
    service_area: ServiceArea
    notification_emails: list[str]
    citizen_reminder_after_days: int | None
    provider_reminder_enabled: bool


class Unit(BaseModel):
    id: UUID
    hsa_id: str
    name: str
    region_id: UUID
    settings: UnitSettings
    searchable: bool


# The body keeps its Literal (a wrong value's 422 says `literal_error`); the view uses the enum.
ScopeValue = Literal["national", "counties", "none"]
assert set(ScopeValue.__args__) == set(ServiceAreaScope)  # type: ignore[attr-defined]


class ServiceAreaIn(StrictModel):
    scope: ScopeValue
    county_codes: list[CountyCode] = Field(default=[], max_length=25)


class UnitSettingsPatch(StrictModel):
    service_area: ServiceAreaIn = None  # type: ignore[assignment]  # optional, but never null
    notification_emails: list[Email] = Field(default=[], max_length=20)
    # Strict: lax mode reads `true` as 1 day and "5" as 5.
    citizen_reminder_after_days: Annotated[int, Strict()] | None = Field(default=None, ge=1, le=30)
    provider_reminder_enabled: Flag = False


# --- role assignments and staff -----------------------------------------------------------------


class RoleAssignmentIn(StrictModel):
    hsa_id: HsaId
    role: Role


class RoleAssignment(BaseModel):
    id: UUID
    staff_id: UUID
    hsa_id: str
    role: Role
    created_at: datetime


class UnitStaffMember(BaseModel):
    id: UUID
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    roles: list[Role]


# --- groups -------------------------------------------------------------------------------------


class GroupIn(StrictModel):
    name: NonEmptyLine
    member_ids: list[UUID] = Field(default=[], max_length=500)


class GroupPatch(StrictModel):
    name: NonEmptyLine = None  # type: ignore[assignment]
    member_ids: list[UUID] = Field(default=None, max_length=500)  # type: ignore[arg-type]


class GroupMember(BaseModel):
    id: UUID
    hsa_id: str
    given_name: str
    family_name: str
    title: str


class Group(BaseModel):
    id: UUID
    name: str
    members: list[GroupMember]
    created_at: datetime


# --- citizen grants -----------------------------------------------------------------------------


class CitizenGrantIn(StrictModel):
    personal_number: PersonalNumber
    case_type_id: UUID | None = None
    valid_until: date | None = None


class CitizenGrant(BaseModel):
    id: UUID
    personal_number: str
    case_type_id: UUID | None
    valid_until: date | None
    created_at: datetime
    active: bool


class CitizenGrantRevokeIn(StrictModel):
    ids: list[UUID] = Field(min_length=1, max_length=MAX_BULK)


class CitizenGrantRevocation(BaseModel):
    revoked: int
    revoked_ids: list[UUID]
