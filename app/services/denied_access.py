"""PDL events of refused accesses: a staff member of a unit asked for one of
its cases and got 404 (out of their reach) or 403 (their role may not).

The refusal is an exception that rolls the request's transaction back, so its event cannot be
written in it: the service that refuses attaches a `DeniedAccess` to the error, and the request's
transaction dependency (app/api/deps.py) hands it here once that transaction has ended. The
event gets a short transaction of its own on a connection the request no longer holds.

Only cases of the unit are logged: a case id that does not exist or is another unit's names no
patient of this unit (repos/audit.record_denied writes nothing), and such probing across units is
for the security log (the access log's 404s), not for this unit's PDL log.
"""

from __future__ import annotations

import logging
from uuid import UUID

from app.db.engine import Database
from app.db.repos import audit
from app.domain.actors import StaffActor
from app.domain.audit import AuditAction, DenialReason, DeniedAccess
from app.domain.errors import DomainError, Forbidden, NotFound
from app.domain.reach import CaseReach

log = logging.getLogger(__name__)


def tag(error: DomainError, actor: StaffActor, unit_id: UUID, case_id: UUID, action: AuditAction) -> None:
    """Mark a 404 or 403 on a case of the unit as a denied access to log (once: the innermost
    refusal knows best). A 404 for whoever sees every case of the unit cannot be a refusal of
    reach: the case is not there."""
    if error.denied is not None:
        return
    if isinstance(error, Forbidden):
        reason = DenialReason.NOT_PERMITTED
    elif isinstance(error, NotFound) and not CaseReach.of(actor, unit_id).sees_all:
        reason = DenialReason.OUT_OF_REACH
    else:
        return
    error.denied = DeniedAccess(actor.staff_id, actor.hsa_id, unit_id, case_id, action, reason)


async def record(db: Database, denied: DeniedAccess) -> None:
    """Write the event in its own transaction. A failure is logged, not raised: the access did
    not happen, and the client's answer stays the refusal it was (never a 500 instead)."""
    try:
        async with db.transaction() as conn:
            await audit.record_denied(conn, denied)
    except Exception:  # the original 404/403 must reach the client whatever went wrong here
        log.exception("could not write the PDL event of a denied access to case %s", denied.case_id)
