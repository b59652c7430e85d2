"""Roles and what they may do (domain.md "Roles"). One entry point: `allowed`.

Permissions are checked per unit (or region); the system admin's powers come from system roles,
never from unit roles, so a system admin never sees case content.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    CASE_RECEIVER = "case_receiver"
    CASE_HANDLER = "case_handler"
    PERMISSION_ADMIN = "permission_admin"
    LOCAL_ADMIN = "local_admin"
    REVIEWER = "reviewer"


class RegionRole(StrEnum):
    REGIONAL_ADMIN = "regional_admin"


class SystemRole(StrEnum):
    SYSTEM_ADMIN = "system_admin"


class Permission(StrEnum):
    # unit, case content
    CASE_READ_ALL = "case.read_all"  # every case of the unit
    CASE_READ_ASSIGNED = "case.read_assigned"  # own, own groups', taken part in
    CASE_DISTRIBUTE = "case.distribute"
    CASE_HANDLE = "case.handle"  # answer, partial reply, counter-question, close, reassign
    CASE_CLAIM = "case.claim"
    CASE_FOLLOW_UP = "case.follow_up"
    CITIZEN_SEARCH = "citizen.search"
    CITIZEN_GRANT = "citizen.grant"
    ATTACHMENT_UPLOAD = "attachment.upload"
    OUTBOUND_SEND = "outbound.send"
    STATISTICS_READ = "statistics.read"
    # unit, administration
    WEBHOOK_MANAGE = "webhook.manage"  # the unit's webhook subscriptions and their delivery log
    UNIT_READ = "unit.read"
    UNIT_SETTINGS = "unit.settings"
    ROLES_MANAGE_ALL = "roles.manage_all"
    ROLES_MANAGE_CASE_ROLES = "roles.manage_case_roles"  # receiver and handler only
    CASE_TYPE_READ = "case_type.read"
    CASE_TYPE_WRITE = "case_type.write"
    GROUP_READ = "group.read"
    GROUP_WRITE = "group.write"
    MESSAGE_TEMPLATE_READ = "message_template.read"
    MESSAGE_TEMPLATE_WRITE = "message_template.write"
    AUDIT_READ = "audit.read"
    # region
    REGION_TEMPLATES_WRITE = "region.templates_write"
    # system
    SYSTEM_ADMINISTER = "system.administer"


P = Permission

_ANY_ROLE = {P.UNIT_READ, P.CASE_TYPE_READ, P.GROUP_READ}

ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.CASE_RECEIVER: frozenset(
        _ANY_ROLE
        | {
            P.CASE_READ_ALL,
            P.CASE_DISTRIBUTE,
            P.CASE_FOLLOW_UP,
            P.CITIZEN_SEARCH,
            P.CITIZEN_GRANT,
            P.ATTACHMENT_UPLOAD,
            P.STATISTICS_READ,
        }
    ),
    Role.CASE_HANDLER: frozenset(
        _ANY_ROLE
        | {
            P.CASE_READ_ASSIGNED,
            P.CASE_HANDLE,
            P.CASE_CLAIM,
            P.CITIZEN_SEARCH,
            P.CITIZEN_GRANT,
            P.ATTACHMENT_UPLOAD,
            P.OUTBOUND_SEND,
            P.MESSAGE_TEMPLATE_READ,
        }
    ),
    Role.PERMISSION_ADMIN: frozenset(_ANY_ROLE | {P.ROLES_MANAGE_CASE_ROLES}),
    Role.LOCAL_ADMIN: frozenset(
        _ANY_ROLE
        | {
            P.UNIT_SETTINGS,
            P.ROLES_MANAGE_ALL,
            P.ROLES_MANAGE_CASE_ROLES,
            P.CASE_TYPE_WRITE,
            P.GROUP_WRITE,
            P.MESSAGE_TEMPLATE_READ,
            P.MESSAGE_TEMPLATE_WRITE,
            P.STATISTICS_READ,
            P.WEBHOOK_MANAGE,
        }
    ),
    Role.REVIEWER: frozenset(_ANY_ROLE | {P.AUDIT_READ}),
    RegionRole.REGIONAL_ADMIN: frozenset({P.REGION_TEMPLATES_WRITE}),
    SystemRole.SYSTEM_ADMIN: frozenset({P.SYSTEM_ADMINISTER}),
}

CASE_ROLES = frozenset({Role.CASE_RECEIVER, Role.CASE_HANDLER})

# domain.md "Roles": a system admin has no case content and no audit log of units, so not even
# through a unit role (which a system admin could otherwise grant themselves).
NOT_FOR_SYSTEM_ADMINS = frozenset({Role.CASE_RECEIVER, Role.CASE_HANDLER, Role.REVIEWER})


def permissions_for(roles: frozenset[str] | set[str]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for role in roles:
        out |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(out)


def allowed(roles: frozenset[str] | set[str], permission: Permission) -> bool:
    return permission in permissions_for(roles)


def may_grant(granter_unit_roles: frozenset[str], is_system_admin: bool, role: str) -> bool:
    """Who may grant which unit role (domain.md: permission_admin only receiver/handler)."""
    if is_system_admin:
        return True
    perms = permissions_for(granter_unit_roles)
    if P.ROLES_MANAGE_ALL in perms:
        return True
    return P.ROLES_MANAGE_CASE_ROLES in perms and role in CASE_ROLES
