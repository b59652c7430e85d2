"""The acting person's own profile and settings, staff and citizen."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter
from pydantic import AfterValidator, BaseModel, Field

from app.api.deps import AnyStaff, CitizenUser, Conn, Svc
from app.api.problems import responses
from app.api.strict_json import StrictJSONRoute
from app.api.types import Email, Flag, Phone, StrictModel, Text
from app.services import identity

router = APIRouter(tags=["me"], route_class=StrictJSONRoute)


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
    roles: list[str]


class RegionMembership(BaseModel):
    region_id: UUID
    region_name: str
    roles: list[str]


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
    system_roles: list[str]


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


@router.get("/me", response_model=Me, responses=responses(401))
async def get_me(conn: Conn, actor: AnyStaff) -> dict[str, Any]:
    return await identity.me(conn, actor)


@router.patch("/me/settings", response_model=Me, responses=responses(401, 422))
async def patch_settings(conn: Conn, actor: AnyStaff, body: StaffSettingsPatch) -> dict[str, Any]:
    return await identity.update_my_settings(conn, actor, body.model_dump(exclude_unset=True))


@router.post("/me/directory-sync", response_model=Me, responses=responses(401, 404))
async def directory_sync(conn: Conn, svc: Svc, actor: AnyStaff) -> dict[str, Any]:
    return await identity.directory_sync(conn, svc, actor)


class CitizenMe(BaseModel):
    personal_number: str
    given_name: str
    family_name: str
    county_code: str | None
    email: str | None
    phone: str | None
    notify_by_email: bool
    notify_by_sms: bool


class CitizenMePatch(StrictModel):
    email: Email | None = None
    phone: Phone | None = None
    notify_by_email: Flag | None = None
    notify_by_sms: Flag | None = None


@router.get("/citizen/me", response_model=CitizenMe, responses=responses(401))
async def get_citizen_me(conn: Conn, actor: CitizenUser) -> dict[str, Any]:
    return await identity.citizen_me(conn, actor)


@router.patch("/citizen/me", response_model=CitizenMe, responses=responses(401, 422))
async def patch_citizen_me(conn: Conn, actor: CitizenUser, body: CitizenMePatch) -> dict[str, Any]:
    return await identity.update_citizen_me(conn, actor, body.model_dump(exclude_unset=True))
