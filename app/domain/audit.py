"""What a PDL audit event says happened (domain.md "Audit (PDL)").

One value per kind of staff access to a citizen's data. The strings are stored in
`audit_events.action` and shown to reviewers and in the citizen's access-log extract, so they
never change once released; add new members instead.
"""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    # reads
    CASE_READ = "case_read"  # the full case view (answers, messages, notes, events)
    CASE_LIST_SEARCH = "case_list_search"  # a personal-number search of a unit's cases
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
    FOLLOW_UP_READ = "follow_up_read"  # overdue list with citizen identities
    AUDIT_LOG_EXPORTED = "audit_log_exported"


class AuditOutcome(StrEnum):
    """How the access ended. Only completed accesses are logged so far (a refused one changes
    nothing and reads nothing); add members rather than reuse a value."""

    SUCCESS = "success"
