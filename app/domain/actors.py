"""Who is acting: a staff member with roles per unit and region, or a citizen."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import UUID

from app.domain.errors import Forbidden, NotFound
from app.domain.policy import Permission, SystemRole, allowed


@dataclass(frozen=True, slots=True)
class StaffActor:
    staff_id: UUID
    hsa_id: str
    unit_roles: dict[UUID, frozenset[str]] = field(default_factory=dict)
    region_roles: dict[UUID, frozenset[str]] = field(default_factory=dict)
    system_roles: frozenset[str] = frozenset()

    @property
    def is_system_admin(self) -> bool:
        return SystemRole.SYSTEM_ADMIN in self.system_roles

    def roles_at(self, unit_id: UUID) -> frozenset[str]:
        return self.unit_roles.get(unit_id, frozenset())

    def can(self, unit_id: UUID, permission: Permission) -> bool:
        return allowed(self.roles_at(unit_id), permission)

    def require(self, unit_id: UUID, *permissions: Permission, system_ok: bool = False) -> None:
        """Any one of `permissions` suffices. 404 when the unit is out of the actor's reach,
        403 when it is within reach but no role there allows the action."""
        if system_ok and self.is_system_admin:
            return
        roles = self.roles_at(unit_id)
        if not roles:
            raise NotFound("unit not found")
        if not any(allowed(roles, p) for p in permissions):
            wanted = " or ".join(p.value for p in permissions)
            raise Forbidden(f"your roles at this unit do not allow {wanted}")

    def require_region(self, region_id: UUID, permission: Permission) -> None:
        roles = self.region_roles.get(region_id, frozenset())
        if not roles:
            raise NotFound("region not found")
        if not allowed(roles, permission):
            raise Forbidden(f"your roles in this region do not allow {permission.value}")

    def require_system(self) -> None:
        if not self.is_system_admin:
            raise Forbidden("only a system administrator may do this")


@dataclass(frozen=True, slots=True)
class CitizenActor:
    citizen_id: UUID
    personal_number: str
