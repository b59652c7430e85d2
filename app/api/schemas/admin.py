"""National administration (regions, units, the directory) and region role assignments."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel

from app.api.types import CountyCode, Email, Flag, HsaId, NonEmptyLine, Phone, StrictModel
from app.domain.policy import RegionRole


class RegionIn(StrictModel):
    name: NonEmptyLine
    county_code: CountyCode
    hsa_id: HsaId


class Region(BaseModel):
    id: UUID
    name: str
    county_code: str
    hsa_id: str
    created_at: datetime


class AdminUnitIn(StrictModel):
    hsa_id: HsaId
    name: NonEmptyLine
    region_id: UUID


class AdminUnit(BaseModel):  # a unit as the national administration lists it; staff see `Unit`
    id: UUID
    hsa_id: str
    name: str
    region_id: UUID
    created_at: datetime


class DirectoryStaffIn(StrictModel):
    hsa_id: HsaId
    given_name: NonEmptyLine
    family_name: NonEmptyLine
    title: NonEmptyLine
    email: Email | None = None
    phone: Phone | None = None
    protected_identity: Flag = False


class RegionRoleAssignmentIn(StrictModel):
    hsa_id: HsaId
    role: Literal["regional_admin"]


class RegionRoleAssignment(BaseModel):
    id: UUID
    staff_id: UUID
    hsa_id: str
    role: RegionRole
    created_at: datetime
