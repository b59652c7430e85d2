"""What a PDL audit event says happened (domain.md "Audit (PDL)").

One value per kind of staff access to a citizen's data. The strings are stored in
`audit_events.action` and shown to reviewers and in the citizen's access-log extract, so they
never change once released; add new members instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID


class AuditAction(StrEnum):
    # reads
    CASE_READ = "case_read"  # the full case view (answers, messages, notes, events)
    CASE_LIST_SEARCH = "case_list_search"  # a personal-number search of a unit's cases
    # A page of the inbox (the unit's case list, any filter): one event per page served, naming
    # every citizen whose case summary (personal number, name) the page showed.
    CASE_LIST_READ = "case_list_read"
    ATTACHMENT_READ = "attachment_read"
    # changes, staff side
    CASE_DISTRIBUTED = "case_distributed"  # distribute, redistribute, back to the inbox
    CASE_REASSIGNED = "case_reassigned"  # the assigned handler hands the case on
    CASE_CLAIMED = "case_claimed"
    MESSAGE_SENT = "message_sent"  # answer, partial reply, counter-question
    CASE_CLOSED = "case_closed"  # close without answer
    NOTE_ADDED = "note_added"
    ATTACHMENT_UPLOADED = "attachment_uploaded"
    OUTBOUND_SENT = "outbound_sent"  # one per created outbound case
    CITIZEN_GRANT_CHANGED = "citizen_grant_changed"
    # follow-up and export of case data
    # A page of the follow-up's overdue cases: one event per page, naming the citizens whose
    # cases (reference, subject, deadline) it showed.
    FOLLOW_UP_READ = "follow_up_read"
    AUDIT_LOG_EXPORTED = "audit_log_exported"


class AuditOutcome(StrEnum):
    """How the access ended; add members rather than reuse a value."""

    SUCCESS = "success"
    # Refused: a staff member of the unit asked for a case of the unit that is out of their
    # reach (404) or that their role may not act on (403). Nothing was read or changed.
    DENIED = "denied"


class DenialReason(StrEnum):
    OUT_OF_REACH = "out_of_reach"  # the case is the unit's but not within the actor's reach
    NOT_PERMITTED = "not_permitted"  # the actor reaches the unit (or case); their role may not


@dataclass(frozen=True, slots=True)
class DeniedAccess:
    """A refused access to a case of a unit the staff member belongs to, to be logged once the
    failed request's transaction has rolled back (so the rollback cannot take the event with it).

    The log entry is written only if the case is at `unit_id`: a case id that does not exist or
    is another unit's names no patient of this unit to attribute the attempt to (and cross-unit
    probing is a matter for the security log, not for this unit's PDL log)."""

    staff_id: UUID
    staff_hsa_id: str
    unit_id: UUID
    case_id: UUID
    action: AuditAction
    reason: DenialReason
