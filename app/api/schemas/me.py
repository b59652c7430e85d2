"""The staff member's own profile and settings (`/me`); the citizen's is in citizen.py."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, Field

from app.api.types import Email, Flag, Phone, StrictModel, Text
from app.domain.policy import RegionRole, Role, SystemRole


class StaffSettings(BaseModel):
    signature: str
    show_name_to_citizens: bool
    notify_on_new_case: bool
    notify_on_assigned: bool
    notification_email: str | None
    notification_phone: str | None


class UnitMembership(BaseModel):
    unit_id: UUID
    unit_name: str
    roles: list[Role]


class RegionMembership(BaseModel):
    region_id: UUID
    region_name: str
    roles: list[RegionRole]


class Me(BaseModel):
    id: UUID
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    email: str | None
    phone: str | None
    protected_identity: bool
    settings: StaffSettings
    units: list[UnitMembership]
    regions: list[RegionMembership]
    system_roles: list[SystemRole]


# Surrounding white space is no part of a signature; a blank one means the default (as null does),
# so a message never ends in an empty or white-space signature.
Signature = Annotated[Text, AfterValidator(str.strip)]


class StaffSettingsPatch(StrictModel):
    signature: Signature | None = Field(default=None, description="null or blank: the default signature")
    show_name_to_citizens: Flag | None = None
    notify_on_new_case: Flag | None = None
    notify_on_assigned: Flag | None = None
    notification_email: Email | None = None
    notification_phone: Phone | None = None
