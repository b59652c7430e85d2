"""Outbound sends and unit statistics (issue 10).

- `outbound_sends`: one row per send (content as sent, sender, template, recipient count); every
  recipient's case points to it through the existing `cases.outbound_id`, and a file sent with it
  through `attachments.outbound_id` (migration a7c4e2f19b3d; stored once, shown on every case's
  first message through message_attachments): both become foreign keys now that the table
  exists, and the send's own file list reads an index on the latter.
- `cases.first_response_at`: when the clinic first wrote to the citizen (a staff answer, partial
  reply or counter-question), kept by a trigger on messages whatever path writes the message,
  and backfilled here. The statistics' median response time and "answered within the deadline"
  then come from one index-only scan of a unit's period instead of a look-up per case.
- Indexes: a send's counts by status, and the citizen cases received / closed in a period with
  the columns the figures need included (index-only scans at a million cases).

Revision ID: 3f6c0a9d2b71
Revises: 87916b694b9b
Create Date: 2026-11-26 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "3f6c0a9d2b71"
down_revision: str | None = "87916b694b9b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# What counts as the clinic's response to the citizen: a staff message of one of these kinds
# (an outbound case's own first message, `information` / `questions`, is no response).
RESPONSE_KINDS = "('answer', 'partial_reply', 'counter_question')"


def upgrade() -> None:
    op.create_table(
        "outbound_sends",
        sa.Column("id", sa.UUID(), server_default=sa.text("gen_random_uuid()"), nullable=False),
        sa.Column("unit_id", sa.UUID(), nullable=False),
        sa.Column("sender_staff_id", sa.UUID(), nullable=False),
        sa.Column("template_id", sa.UUID(), nullable=True),
        sa.Column("template_name", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("questions", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("recipient_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("kind IN ('information','questions')", name=op.f("ck_outbound_sends_kind")),
        sa.CheckConstraint(
            "recipient_count BETWEEN 1 AND 250", name=op.f("ck_outbound_sends_recipient_count")
        ),
        sa.ForeignKeyConstraint(
            ["sender_staff_id"], ["staff.id"], name=op.f("fk_outbound_sends_sender_staff_id_staff")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["message_templates.id"],
            name=op.f("fk_outbound_sends_template_id_message_templates"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_outbound_sends_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbound_sends")),
    )
    op.create_index(
        "ix_outbound_sends_unit_created",
        "outbound_sends",
        ["unit_id", sa.literal_column("created_at DESC"), sa.literal_column("id DESC")],
        unique=False,
    )

    # cases.outbound_id existed without a constraint. NOT VALID + VALIDATE: the check of the
    # existing rows does not block writes to cases while it runs.
    op.execute(
        "ALTER TABLE cases ADD CONSTRAINT fk_cases_outbound_id_outbound_sends "
        "FOREIGN KEY (outbound_id) REFERENCES outbound_sends (id) NOT VALID"
    )
    op.execute("ALTER TABLE cases VALIDATE CONSTRAINT fk_cases_outbound_id_outbound_sends")
    op.create_index(
        "ix_cases_outbound_status",
        "cases",
        ["outbound_id", "status"],
        unique=False,
        postgresql_where=sa.text("outbound_id IS NOT NULL"),
    )
    op.execute(
        "ALTER TABLE attachments ADD CONSTRAINT fk_attachments_outbound_id_outbound_sends "
        "FOREIGN KEY (outbound_id) REFERENCES outbound_sends (id) NOT VALID"
    )
    op.execute("ALTER TABLE attachments VALIDATE CONSTRAINT fk_attachments_outbound_id_outbound_sends")
    op.create_index(
        "ix_attachments_outbound",
        "attachments",
        ["outbound_id"],
        unique=False,
        postgresql_where=sa.text("outbound_id IS NOT NULL"),
    )

    op.add_column("cases", sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        f"""
        UPDATE cases c SET first_response_at = f.first
        FROM (SELECT case_id, min(created_at) AS first FROM messages
              WHERE author_type = 'staff' AND kind IN {RESPONSE_KINDS} GROUP BY case_id) f
        WHERE c.id = f.case_id
        """
    )
    # A row trigger with a WHEN clause: citizen messages and outbound messages (the hot paths)
    # never call it; a staff response updates its case only while it is the first. An update of
    # a message's time (the demo data ages its cases) recomputes the case's figure.
    op.execute(
        f"""
        CREATE FUNCTION cases_first_response() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                UPDATE cases SET first_response_at = NEW.created_at
                WHERE id = NEW.case_id
                  AND (first_response_at IS NULL OR first_response_at > NEW.created_at);
            ELSE
                UPDATE cases c SET first_response_at = (
                    SELECT min(m.created_at) FROM messages m
                    WHERE m.case_id = c.id AND m.author_type = 'staff' AND m.kind IN {RESPONSE_KINDS})
                WHERE c.id IN (OLD.case_id, NEW.case_id);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER messages_first_response_insert AFTER INSERT ON messages FOR EACH ROW "
        f"WHEN (NEW.author_type = 'staff' AND NEW.kind IN {RESPONSE_KINDS}) "
        "EXECUTE FUNCTION cases_first_response()"
    )
    op.execute(
        "CREATE TRIGGER messages_first_response_update "
        "AFTER UPDATE OF created_at, case_id, kind, author_type ON messages FOR EACH ROW "
        "WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.case_id IS DISTINCT FROM NEW.case_id "
        "OR OLD.kind IS DISTINCT FROM NEW.kind OR OLD.author_type IS DISTINCT FROM NEW.author_type) "
        "EXECUTE FUNCTION cases_first_response()"
    )
    op.create_index(
        "ix_cases_stats_received",
        "cases",
        ["unit_id", "created_at"],
        unique=False,
        postgresql_include=["case_type_id", "due_at", "first_response_at"],
        postgresql_where=sa.text("origin = 'citizen'"),
    )
    op.create_index(
        "ix_cases_stats_closed",
        "cases",
        ["unit_id", "closed_at"],
        unique=False,
        postgresql_include=["case_type_id"],
        postgresql_where=sa.text("origin = 'citizen' AND closed_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_cases_stats_closed", table_name="cases")
    op.drop_index("ix_cases_stats_received", table_name="cases")
    op.execute("DROP TRIGGER messages_first_response_update ON messages")
    op.execute("DROP TRIGGER messages_first_response_insert ON messages")
    op.execute("DROP FUNCTION cases_first_response()")
    op.drop_column("cases", "first_response_at")
    op.drop_index("ix_attachments_outbound", table_name="attachments")
    op.drop_constraint("fk_attachments_outbound_id_outbound_sends", "attachments", type_="foreignkey")
    op.drop_index("ix_cases_outbound_status", table_name="cases")
    op.drop_constraint("fk_cases_outbound_id_outbound_sends", "cases", type_="foreignkey")
    op.drop_index("ix_outbound_sends_unit_created", table_name="outbound_sends")
    op.drop_table("outbound_sends")
