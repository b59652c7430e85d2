"""The schema as SQLAlchemy Core tables. Migrations are the source of truth for the database;
this module mirrors them for queries (a test checks they agree)."""

from __future__ import annotations

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY as PG_ARRAY
from sqlalchemy.dialects.postgresql import JSONB, UUID

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)


def _id() -> Column[object]:
    return Column("id", UUID(as_uuid=True), primary_key=True, server_default=text("gen_random_uuid()"))


def _created() -> Column[object]:
    return Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now())


def _updated() -> Column[object]:
    return Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now())


regions = Table(
    "regions",
    metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("county_code", String(2), nullable=False),
    Column("hsa_id", String(31), nullable=False, unique=True),
    _created(),
)

units = Table(
    "units",
    metadata,
    _id(),
    Column("hsa_id", String(31), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("name_search", Text, nullable=False),
    Column("region_id", UUID(as_uuid=True), ForeignKey("regions.id"), nullable=False, index=True),
    Column("service_area_scope", String(16), nullable=False, server_default="none"),
    Column("service_area_counties", ARRAY(String(2)), nullable=False, server_default="{}"),
    Column("notification_emails", ARRAY(Text), nullable=False, server_default="{}"),
    Column("citizen_reminder_after_days", Integer),
    Column("provider_reminder_enabled", Boolean, nullable=False, server_default="false"),
    _created(),
    CheckConstraint("service_area_scope IN ('national','counties','none')", name="scope"),
)

# The stub HSA catalog: who exists, with name, title and contact details.
directory_entries = Table(
    "directory_entries",
    metadata,
    Column("hsa_id", String(31), primary_key=True),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("email", Text),
    Column("phone", Text),
    Column("protected_identity", Boolean, nullable=False, server_default="false"),
    _created(),
)

staff = Table(
    "staff",
    metadata,
    _id(),
    Column("hsa_id", String(31), nullable=False, unique=True),
    Column("given_name", Text, nullable=False),
    Column("family_name", Text, nullable=False),
    Column("title", Text, nullable=False, server_default=""),
    Column("email", Text),
    Column("phone", Text),
    Column("protected_identity", Boolean, nullable=False, server_default="false"),
    # Null = the default signature, derived from name/title/unit when shown.
    Column("signature", Text),
    Column("show_name_to_citizens", Boolean, nullable=False, server_default="true"),
    Column("notify_on_new_case", Boolean, nullable=False, server_default="false"),
    Column("notify_on_assigned", Boolean, nullable=False, server_default="false"),
    Column("notification_email", Text),
    Column("notification_phone", Text),
    _created(),
    _updated(),
)

unit_role_assignments = Table(
    "unit_role_assignments",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("staff_id", UUID(as_uuid=True), ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    Column("granted_by", UUID(as_uuid=True), ForeignKey("staff.id")),
    _created(),
    UniqueConstraint("unit_id", "staff_id", "role", name="uq_unit_role"),
    Index("ix_unit_role_assignments_staff", "staff_id"),
    CheckConstraint(
        "role IN ('case_receiver','case_handler','permission_admin','local_admin','reviewer')",
        name="role",
    ),
)

region_role_assignments = Table(
    "region_role_assignments",
    metadata,
    _id(),
    Column("region_id", UUID(as_uuid=True), ForeignKey("regions.id", ondelete="CASCADE"), nullable=False),
    Column("staff_id", UUID(as_uuid=True), ForeignKey("staff.id", ondelete="CASCADE"), nullable=False),
    Column("role", String(32), nullable=False),
    _created(),
    UniqueConstraint("region_id", "staff_id", "role", name="uq_region_role"),
    Index("ix_region_role_assignments_staff", "staff_id"),
    CheckConstraint("role IN ('regional_admin')", name="role"),
)

# The stub population register (fed by the stub citizen login).
register_entries = Table(
    "register_entries",
    metadata,
    Column("personal_number", String(12), primary_key=True),
    Column("given_name", Text, nullable=False, server_default=""),
    Column("family_name", Text, nullable=False, server_default=""),
    Column("county_code", String(2)),
    Column("protected_identity", Boolean, nullable=False, server_default="false"),
    _updated(),
)

citizens = Table(
    "citizens",
    metadata,
    _id(),
    Column("personal_number", String(12), nullable=False, unique=True),
    Column("given_name", Text, nullable=False, server_default=""),
    Column("family_name", Text, nullable=False, server_default=""),
    Column("county_code", String(2)),
    Column("protected_identity", Boolean, nullable=False, server_default="false"),
    Column("email", Text),
    Column("phone", Text),
    Column("notify_by_email", Boolean, nullable=False, server_default="false"),
    Column("notify_by_sms", Boolean, nullable=False, server_default="false"),
    _created(),
    _updated(),
)

central_case_types = Table(
    "central_case_types",
    metadata,
    _id(),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("category", String(32), nullable=False),
    Column("url", Text, nullable=False),
    _created(),
    CheckConstraint("kind IN ('web_booking','jump_out')", name="kind"),
)

case_type_templates = Table(
    "case_type_templates",
    metadata,
    _id(),
    Column(
        "region_id",
        UUID(as_uuid=True),
        ForeignKey("regions.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("name", Text, nullable=False),
    Column("category", String(32)),
    Column("description", Text, nullable=False, server_default=""),
    Column("terms_text", Text, nullable=False, server_default=""),
    Column("questions", JSONB, nullable=False, server_default="[]"),
    Column("answer_templates", JSONB, nullable=False, server_default="[]"),
    Column("citizen_attachments_allowed", Boolean, nullable=False, server_default="false"),
    Column("restricted", Boolean, nullable=False, server_default="false"),
    Column("version", Integer, nullable=False, server_default="1"),
    _created(),
    _updated(),
)

case_types = Table(
    "case_types",
    metadata,
    _id(),
    Column(
        "unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("name", Text, nullable=False),
    Column("category", String(32)),
    Column("description", Text, nullable=False, server_default=""),
    Column("terms_text", Text, nullable=False, server_default=""),
    Column("questions", JSONB, nullable=False, server_default="[]"),
    Column("answer_templates", JSONB, nullable=False, server_default="[]"),
    Column("citizen_attachments_allowed", Boolean, nullable=False, server_default="false"),
    Column("restricted", Boolean, nullable=False, server_default="false"),
    Column("status", String(16), nullable=False, server_default="draft"),
    Column("origin", String(24), nullable=False, server_default="local"),
    Column("template_id", UUID(as_uuid=True), ForeignKey("case_type_templates.id", ondelete="SET NULL")),
    Column("central_case_type_id", UUID(as_uuid=True), ForeignKey("central_case_types.id")),
    Column("version", Integer, nullable=False, server_default="1"),
    _created(),
    _updated(),
    CheckConstraint("status IN ('draft','active','inactive')", name="status"),
    CheckConstraint("origin IN ('local','regional_template','central')", name="origin"),
    Index(
        "uq_case_types_unit_central",
        "unit_id",
        "central_case_type_id",
        unique=True,
        postgresql_where=text("central_case_type_id IS NOT NULL"),
    ),
)

groups = Table(
    "groups",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("name", Text, nullable=False),
    _created(),
    UniqueConstraint("unit_id", "name", name="uq_groups_unit_name"),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", UUID(as_uuid=True), ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", UUID(as_uuid=True), ForeignKey("staff.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_group_members_staff", "staff_id"),
)

message_templates = Table(
    "message_templates",
    metadata,
    _id(),
    Column(
        "unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("name", Text, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),
    Column("questions", JSONB, nullable=False, server_default="[]"),
    Column("version", Integer, nullable=False, server_default="1"),
    _created(),
    _updated(),
    CheckConstraint("kind IN ('information','questions')", name="kind"),
)

# One outbound send (domain.md "outbound case"): the content as sent, once; each recipient's case
# points here (cases.outbound_id).
outbound_sends = Table(
    "outbound_sends",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id"), nullable=False),
    Column("sender_staff_id", UUID(as_uuid=True), ForeignKey("staff.id"), nullable=False),
    Column("template_id", UUID(as_uuid=True), ForeignKey("message_templates.id", ondelete="SET NULL")),
    # The template's name when sent: the send still says what it was sent from after the
    # template is renamed or deleted.
    Column("template_name", Text),
    Column("kind", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    Column("body", Text, nullable=False),  # as written, without the sender's signature
    Column("questions", JSONB, nullable=False, server_default="[]"),
    Column("recipient_count", Integer, nullable=False),
    _created(),
    CheckConstraint("kind IN ('information','questions')", name="kind"),
    CheckConstraint("recipient_count BETWEEN 1 AND 250", name="recipient_count"),
    Index("ix_outbound_sends_unit_created", "unit_id", text("created_at DESC"), text("id DESC")),
)

citizen_grants = Table(
    "citizen_grants",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("personal_number", String(12), nullable=False),
    Column("case_type_id", UUID(as_uuid=True), ForeignKey("case_types.id", ondelete="CASCADE")),
    Column("valid_until", Date),
    Column("granted_by", UUID(as_uuid=True), ForeignKey("staff.id")),
    _created(),
    Index("ix_citizen_grants_unit_pnr", "unit_id", "personal_number"),
    Index("ix_citizen_grants_pnr", "personal_number"),
)

cases = Table(
    "cases",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id"), nullable=False),
    Column("citizen_id", UUID(as_uuid=True), ForeignKey("citizens.id"), nullable=False),
    Column("case_type_id", UUID(as_uuid=True), ForeignKey("case_types.id")),
    Column("reference", String(20), nullable=False, unique=True),
    Column("status", String(20), nullable=False),
    Column("origin", String(16), nullable=False),
    Column("subject", Text, nullable=False),
    # The form as the citizen answered it: later edits of the case type never change it.
    Column("form", JSONB, nullable=False, server_default="[]"),
    Column("answers", JSONB, nullable=False, server_default="{}"),
    Column("assignee_staff_id", UUID(as_uuid=True), ForeignKey("staff.id")),
    Column("assignee_group_id", UUID(as_uuid=True), ForeignKey("groups.id", ondelete="SET NULL")),
    Column("due_at", DateTime(timezone=True)),
    Column("closed_at", DateTime(timezone=True)),
    Column("closure", String(24)),
    Column("unread_by_citizen", Integer, nullable=False, server_default="0"),
    Column("outbound_id", UUID(as_uuid=True), ForeignKey("outbound_sends.id")),
    # When the clinic first wrote to the citizen (answer, partial reply or counter-question):
    # kept by a trigger on messages (migration 3f6c0a9d2b71) for the statistics, so a period's
    # median response time is read from one index instead of a look-up per case.
    Column("first_response_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False, server_default="1"),
    _created(),
    _updated(),
    CheckConstraint("status IN ('new','assigned','awaiting_citizen','closed')", name="status"),
    CheckConstraint("origin IN ('citizen','outbound')", name="origin"),
    CheckConstraint(
        "closure IS NULL OR closure IN ('answered','closed_without_answer','information_sent')",
        name="closure",
    ),
    CheckConstraint(
        "NOT (assignee_staff_id IS NOT NULL AND assignee_group_id IS NOT NULL)", name="one_assignee"
    ),
    # Keyset pagination of the inbox: newest first, ties broken by id.
    Index("ix_cases_unit_created", "unit_id", text("created_at DESC"), text("id DESC")),
    Index("ix_cases_unit_status_created", "unit_id", "status", text("created_at DESC"), text("id DESC")),
    Index("ix_cases_assignee_staff", "assignee_staff_id", text("created_at DESC"), text("id DESC")),
    Index("ix_cases_assignee_group", "assignee_group_id", text("created_at DESC"), text("id DESC")),
    Index("ix_cases_citizen", "citizen_id", text("created_at DESC")),
    Index("ix_cases_unit_open_due", "unit_id", "due_at", postgresql_where=text("status <> 'closed'")),
    Index("ix_cases_case_type", "case_type_id"),
    # The staff list's updated_before / updated_after filters (migration 5b1e7c2d9a40).
    Index("ix_cases_unit_updated", "unit_id", "updated_at"),
    # An outbound send's counts by status (migration 3f6c0a9d2b71).
    Index(
        "ix_cases_outbound_status",
        "outbound_id",
        "status",
        postgresql_where=text("outbound_id IS NOT NULL"),
    ),
    # Statistics (migration 3f6c0a9d2b71): citizen cases received, and closed, in a period,
    # with what the figures need in the index itself (index-only scans).
    Index(
        "ix_cases_stats_received",
        "unit_id",
        "created_at",
        postgresql_include=["case_type_id", "due_at", "first_response_at"],
        postgresql_where=text("origin = 'citizen'"),
    ),
    Index(
        "ix_cases_stats_closed",
        "unit_id",
        "closed_at",
        postgresql_include=["case_type_id"],
        postgresql_where=text("origin = 'citizen' AND closed_at IS NOT NULL"),
    ),
)

# Staff who took part in a case keep access to it after it moves on.
case_participants = Table(
    "case_participants",
    metadata,
    Column("case_id", UUID(as_uuid=True), ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True),
    Column("staff_id", UUID(as_uuid=True), ForeignKey("staff.id"), primary_key=True),
    # Copies of the case's own columns, kept by triggers (migration b8d2e6f1a4c9): a handler's
    # "took part" branch of the inbox is then a range scan of this index in page order.
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("case_created_at", DateTime(timezone=True), nullable=False),
    Index(
        "ix_case_participants_staff_unit_created",
        "staff_id",
        "unit_id",
        text("case_created_at DESC"),
        text("case_id DESC"),
    ),
)

messages = Table(
    "messages",
    metadata,
    _id(),
    Column("case_id", UUID(as_uuid=True), ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(24), nullable=False),
    Column("body", Text, nullable=False),
    Column("answers", JSONB),
    Column("author_type", String(8), nullable=False),
    Column("author_staff_id", UUID(as_uuid=True), ForeignKey("staff.id")),
    # What the citizen sees as the author, fixed when written (name setting at that time).
    Column("author_display_name", Text, nullable=False),
    Column("author_staff_name", Text),
    Column("read_at", DateTime(timezone=True)),
    _created(),
    Index("ix_messages_case_created", "case_id", "created_at"),
    CheckConstraint("author_type IN ('citizen','staff','system')", name="author_type"),
)

case_notes = Table(
    "case_notes",
    metadata,
    _id(),
    Column("case_id", UUID(as_uuid=True), ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("author_staff_id", UUID(as_uuid=True), ForeignKey("staff.id"), nullable=False),
    Column("body", Text, nullable=False),
    _created(),
    Index("ix_case_notes_case_created", "case_id", "created_at"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", UUID(as_uuid=True), ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("action", String(32), nullable=False),
    Column("actor_type", String(8), nullable=False),
    Column("actor_staff_id", UUID(as_uuid=True), ForeignKey("staff.id")),
    Column("from_status", String(20)),
    Column("to_status", String(20)),
    Column("detail", JSONB, nullable=False, server_default="{}"),
    _created(),
    Index("ix_case_events_case", "case_id", "id"),
)

attachments = Table(
    "attachments",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id")),
    Column("uploaded_by_staff_id", UUID(as_uuid=True), ForeignKey("staff.id")),
    Column("uploaded_by_citizen_id", UUID(as_uuid=True), ForeignKey("citizens.id")),
    Column("filename", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    # Where the attachment store keeps the bytes (app/storage): a chunk blob id or an S3 key.
    Column("storage_key", Text, nullable=False),
    # Set once, when a message or an outbound send takes the upload; null = still unused.
    Column("attached_at", DateTime(timezone=True)),
    # The outbound send that used the upload (its file list reads ix_attachments_outbound); each
    # recipient's first message shows it through message_attachments.
    Column("outbound_id", UUID(as_uuid=True), ForeignKey("outbound_sends.id")),
    _created(),
    Index("ix_attachments_outbound", "outbound_id", postgresql_where=text("outbound_id IS NOT NULL")),
    CheckConstraint(
        "(uploaded_by_staff_id IS NULL) <> (uploaded_by_citizen_id IS NULL)", name="one_uploader"
    ),
    Index(
        "ix_attachments_unattached_staff",
        "uploaded_by_staff_id",
        "created_at",
        postgresql_where=text("attached_at IS NULL"),
    ),
    Index(
        "ix_attachments_unattached_citizen",
        "uploaded_by_citizen_id",
        "created_at",
        postgresql_where=text("attached_at IS NULL"),
    ),
    Index("ix_attachments_unattached_created", "created_at", postgresql_where=text("attached_at IS NULL")),
)

# Which messages show an attachment: one for a message's own files; every recipient's first
# message for an outbound send's files (stored once).
message_attachments = Table(
    "message_attachments",
    metadata,
    Column("message_id", UUID(as_uuid=True), ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "attachment_id",
        UUID(as_uuid=True),
        ForeignKey("attachments.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Index("ix_message_attachments_attachment", "attachment_id"),
)

# The PostgreSQL attachment store (app/storage/postgres.py): a file's bytes in 256 KiB rows.
attachment_chunks = Table(
    "attachment_chunks",
    metadata,
    Column("blob_id", UUID(as_uuid=True), primary_key=True),
    Column("seq", Integer, primary_key=True),
    Column("data", LargeBinary, nullable=False),
)

# PDL log: append-only, enforced by triggers (row UPDATE/DELETE, statement TRUNCATE) and by the
# app role's privileges (SELECT and INSERT only), both in the migrations.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("staff_hsa_id", String(31), nullable=False),
    Column("staff_id", UUID(as_uuid=True)),
    Column("unit_hsa_id", String(31), nullable=False),
    Column("unit_id", UUID(as_uuid=True), nullable=False),
    Column("personal_number", String(12)),
    Column("action", String(40), nullable=False),
    Column("case_id", UUID(as_uuid=True)),
    Column("outcome", String(16), nullable=False, server_default="success"),
    Column("detail", JSONB, nullable=False, server_default="{}"),
    # A list event (one per page of the inbox or the follow-up): every citizen the page showed,
    # so one row per page serves each citizen's extract and the reviewer's filter through the
    # GIN index below; NULL on events about one citizen (`personal_number`).
    Column("personal_numbers", PG_ARRAY(String(12))),
    Index("ix_audit_events_unit_time", "unit_id", text("occurred_at DESC"), text("id DESC")),
    Index("ix_audit_events_pnr_time", "personal_number", text("occurred_at DESC")),
    Index(
        "ix_audit_events_shown_pnrs",
        "personal_numbers",
        postgresql_using="gin",
        postgresql_where=text("personal_numbers IS NOT NULL"),
    ),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("actor", String(64), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer),
    Column("response_body", LargeBinary),
    Column("response_headers", JSONB),
    _created(),
    Index("ix_idempotency_keys_created", "created_at"),
)

# Notifications are written with the change that causes them and delivered by a worker.
outbox = Table(
    "outbox",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("channel", String(8), nullable=False),
    Column("recipient", Text, nullable=False),
    Column("template", String(40), nullable=False),
    Column("payload", JSONB, nullable=False, server_default="{}"),
    Column("dedup_key", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    Column("last_error", Text),
    _created(),
    # pending → sent | failed (gave up, or refused for good) | skipped (channel switched off).
    Column("status", String(8), nullable=False, server_default="pending"),
    # The lease of the worker sending the row (app/notify/worker.py), not a row lock.
    Column("locked_until", DateTime(timezone=True)),
    Column("locked_by", Text),
    Index("uq_outbox_dedup", "dedup_key", unique=True, postgresql_where=text("dedup_key IS NOT NULL")),
    Index("ix_outbox_pending", "next_attempt_at", "id", postgresql_where=text("status = 'pending'")),
    Index("ix_outbox_failed", "id", postgresql_where=text("status = 'failed'")),
    CheckConstraint("channel IN ('email','sms')", name="channel"),
    CheckConstraint("status IN ('pending','sent','failed','skipped')", name="status"),
)

# Signed-out access tokens, until they would have expired anyway (`python -m app.cli purge`).
revoked_tokens = Table(
    "revoked_tokens",
    metadata,
    Column("jti", UUID(as_uuid=True), primary_key=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_revoked_tokens_expires_at", "expires_at"),
)

# Fixed-window rate-limit counters (app/services/rate_limits.py); `key` holds no personal data.
rate_limit_counters = Table(
    "rate_limit_counters",
    metadata,
    Column("key", Text, primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("hits", Integer, nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_rate_limit_counters_expires_at", "expires_at"),
)

# One row once the demo loader has written this database (app/cli.py loads the demo only into an
# empty database or one that holds this row).
demo_marker = Table(
    "demo_marker",
    metadata,
    Column("id", SmallInteger, primary_key=True, server_default="1"),
    Column("loaded_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("id = 1", name="singleton"),
)

# What happened to a case, for partners (webhooks) and the staff SPA (the SSE stream): ids and
# statuses only (app/domain/events.py). `id` is the stream position (SSE `id`, Last-Event-ID);
# `envelope_id` the event's public id (envelope `id`, `webhook-id`). Two triggers in the
# migration keep ids in commit order per unit and announce new rows (app/db/repos/events.py).
domain_events = Table(
    "domain_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("envelope_id", UUID(as_uuid=True), nullable=False, server_default=text("gen_random_uuid()")),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", UUID(as_uuid=True), ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(32), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("data", JSONB, nullable=False),
    # The stream's read: "events of unit X after id N".
    Index("ix_domain_events_unit", "unit_id", "id"),
    CheckConstraint(
        "type IN ('case.created','case.assigned','case.status_changed','message.created','outbound.sent')",
        name="type",
    ),
)

# One row: the highest event id the retention purge removed. A stream resumed from before it
# may have missed events and is told to refetch instead.
event_retention = Table(
    "event_retention",
    metadata,
    Column("id", Boolean, primary_key=True, server_default=text("true")),
    Column("purged_through", BigInteger, nullable=False, server_default="0"),
    CheckConstraint("id", name="one_row"),
)

# A unit's webhook subscriptions (api.md "Events"), managed by its local admin.
webhooks = Table(
    "webhooks",
    metadata,
    _id(),
    Column("unit_id", UUID(as_uuid=True), ForeignKey("units.id", ondelete="CASCADE"), nullable=False),
    Column("url", Text, nullable=False),
    Column("events", ARRAY(String(32)), nullable=False),
    Column("description", Text, nullable=False, server_default=""),
    # The signing secret, encrypted (app/events/secrets.py): shown once, never read back out.
    Column("secret", LargeBinary, nullable=False),
    Column("status", String(8), nullable=False, server_default="active"),
    Column("failing_since", DateTime(timezone=True)),
    Column("last_error", Text),
    Column("created_by", UUID(as_uuid=True), ForeignKey("staff.id", ondelete="SET NULL")),
    _created(),
    Index("ix_webhooks_unit_created", "unit_id", text("created_at DESC"), text("id DESC")),
    CheckConstraint("status IN ('active','failing')", name="status"),
)

# One delivery per (webhook, event), sent by the outbox worker (app/notify/webhooks.py) with
# the same lease, backoff and metrics as the outbox; `case_id` keeps each case's events in order.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    _id(),
    Column("webhook_id", UUID(as_uuid=True), ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    Column("event_id", BigInteger, ForeignKey("domain_events.id", ondelete="CASCADE"), nullable=False),
    Column("case_id", UUID(as_uuid=True), nullable=False),
    Column("status", String(9), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Start of the retry window (WEBHOOK_RETRY_HOURS): creation, or the last redelivery.
    Column("retry_from", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_attempt_at", DateTime(timezone=True)),
    Column("response_status", Integer),
    Column("latency_ms", Integer),
    Column("last_error", Text),
    Column("delivered_at", DateTime(timezone=True)),
    Column("locked_until", DateTime(timezone=True)),
    Column("locked_by", Text),
    _created(),
    # Also the delivery log's keyset (newest event first) and the fan-out's dedup.
    UniqueConstraint("webhook_id", "event_id"),
    Index("ix_webhook_deliveries_due", "next_attempt_at", "id", postgresql_where=text("status = 'pending'")),
    # Per-case order: is an earlier event of this case still pending for this webhook?
    Index(
        "ix_webhook_deliveries_case_order",
        "webhook_id",
        "case_id",
        "event_id",
        postgresql_where=text("status = 'pending'"),
    ),
    # The retention purge deletes events; their deliveries go with them through this index.
    Index("ix_webhook_deliveries_event", "event_id"),
    CheckConstraint("status IN ('pending','delivered','failed')", name="status"),
)
