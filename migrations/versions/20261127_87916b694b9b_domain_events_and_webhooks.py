"""Domain events for the SSE stream and webhooks; webhook subscriptions and their deliveries.

Two triggers on `domain_events` do what every writer would otherwise have to remember:

- `domain_events_in_unit_order` (BEFORE INSERT, per row) takes a transaction-level advisory
  lock per unit and only then draws the row's id. Ids are drawn when a row is inserted, not
  when its transaction commits, so without the lock a reader could see id 11 of one request
  before id 10 of another commits, and a stream resumed "after 11" would never see 10. With
  it, two transactions writing events of one unit commit their events in id order (the second
  waits from its insert until the first has committed), so "events of unit X after id N" is
  gap-free. The identity default is drawn before the lock, hence a second nextval after it.
- `domain_events_announce` (AFTER INSERT, per statement) sends one NOTIFY per unit and
  statement with the unit id and the highest new id (no data: listeners read the table).
  NOTIFY is delivered on commit, so a rolled-back change announces nothing.

Revision ID: 87916b694b9b
Revises: c4e1a9d07b3f
Create Date: 2026-11-27 00:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "87916b694b9b"
down_revision = "c4e1a9d07b3f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The first key of the two-key advisory lock space (the reminders' scheduler uses the one-key
# space, which never meets this one).
UNIT_ORDER_LOCK = 1177


def upgrade() -> None:
    op.create_table(
        "domain_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("envelope_id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.CheckConstraint(
            "type IN ('case.created','case.assigned','case.status_changed','message.created','outbound.sent')",
            name=op.f("ck_domain_events_type"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_domain_events_case_id_cases"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_domain_events_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_domain_events")),
    )
    op.create_index("ix_domain_events_unit", "domain_events", ["unit_id", "id"], unique=False)
    op.create_table(
        "event_retention",
        sa.Column("id", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        sa.Column("purged_through", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id", name=op.f("ck_event_retention_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_retention")),
    )
    op.create_table(
        "webhooks",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("events", postgresql.ARRAY(sa.String(length=32)), nullable=False),
        sa.Column("description", sa.Text(), server_default="", nullable=False),
        sa.Column("secret", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=8), server_default="active", nullable=False),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("status IN ('active','failing')", name=op.f("ck_webhooks_status")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["staff.id"], name=op.f("fk_webhooks_created_by_staff"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_webhooks_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhooks")),
    )
    op.create_index(
        "ix_webhooks_unit_created",
        "webhooks",
        ["unit_id", sa.text("created_at DESC"), sa.text("id DESC")],
        unique=False,
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("webhook_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.Column("case_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.String(length=9), server_default="pending", nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("retry_from", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response_status", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_by", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending','delivered','failed')", name=op.f("ck_webhook_deliveries_status")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["domain_events.id"],
            name=op.f("fk_webhook_deliveries_event_id_domain_events"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["webhook_id"],
            ["webhooks.id"],
            name=op.f("fk_webhook_deliveries_webhook_id_webhooks"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_deliveries")),
        sa.UniqueConstraint("webhook_id", "event_id", name=op.f("uq_webhook_deliveries_webhook_id")),
    )
    op.create_index(
        "ix_webhook_deliveries_due",
        "webhook_deliveries",
        ["next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_webhook_deliveries_case_order",
        "webhook_deliveries",
        ["webhook_id", "case_id", "event_id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index("ix_webhook_deliveries_event", "webhook_deliveries", ["event_id"], unique=False)
    op.execute(
        f"""
        CREATE FUNCTION domain_events_in_unit_order() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_advisory_xact_lock({UNIT_ORDER_LOCK}, hashtext(NEW.unit_id::text));
            NEW.id := nextval('domain_events_id_seq');
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER domain_events_in_unit_order BEFORE INSERT ON domain_events "
        "FOR EACH ROW EXECUTE FUNCTION domain_events_in_unit_order()"
    )
    op.execute(
        """
        CREATE FUNCTION domain_events_announce() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('careinbox_events', unit_id::text || ':' || max(id))
            FROM new_events GROUP BY unit_id;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER domain_events_announce AFTER INSERT ON domain_events "
        "REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION domain_events_announce()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER domain_events_announce ON domain_events")
    op.execute("DROP FUNCTION domain_events_announce()")
    op.execute("DROP TRIGGER domain_events_in_unit_order ON domain_events")
    op.execute("DROP FUNCTION domain_events_in_unit_order()")
    op.drop_index("ix_webhook_deliveries_event", table_name="webhook_deliveries")
    op.drop_index(
        "ix_webhook_deliveries_case_order",
        table_name="webhook_deliveries",
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.drop_index(
        "ix_webhook_deliveries_due", table_name="webhook_deliveries", postgresql_where=sa.text("status = 'pending'")
    )
    op.drop_table("webhook_deliveries")
    op.drop_index("ix_webhooks_unit_created", table_name="webhooks")
    op.drop_table("webhooks")
    op.drop_table("event_retention")
    op.drop_index("ix_domain_events_unit", table_name="domain_events")
    op.drop_table("domain_events")
