"""Attachments: bytes behind a storage port, links through message_attachments.

- `attachment_chunks` holds the bytes of the PostgreSQL store in 256 KiB rows, so a 20 MiB file
  is written and read a chunk at a time (never one 20 MiB value in memory), with EXTERNAL
  storage: images and PDFs are compressed already, so TOAST compression would only cost CPU.
- `attachments.storage_key` names the bytes in whichever store holds them (PostgreSQL or S3);
  `content` goes (its bytes move into chunks).
- `message_attachments` links an upload to the messages that show it: one message for a
  citizen or staff message, every recipient's first message for an outbound send (stored once).
  `attachments.message_id` goes; `attached_at` marks an upload as used (by one message or one
  outbound send, `outbound_id`) and `created_at` + 24 h bounds how long an unused one lives.

Revision ID: a7c4e2f19b3d
Revises: 46a3c7c331b4
Create Date: 2026-11-26 08:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a7c4e2f19b3d"
down_revision: str | None = "46a3c7c331b4"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 256 * 1024


def upgrade() -> None:
    op.create_table(
        "attachment_chunks",
        sa.Column("blob_id", sa.UUID(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("blob_id", "seq", name=op.f("pk_attachment_chunks")),
    )
    op.execute("ALTER TABLE attachment_chunks ALTER COLUMN data SET STORAGE EXTERNAL")
    op.create_table(
        "message_attachments",
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("attachment_id", sa.UUID(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"], ["messages.id"],
            name=op.f("fk_message_attachments_message_id_messages"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attachment_id"], ["attachments.id"],
            name=op.f("fk_message_attachments_attachment_id_attachments"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "attachment_id", name=op.f("pk_message_attachments")),
    )
    op.create_index("ix_message_attachments_attachment", "message_attachments", ["attachment_id"])
    op.add_column("attachments", sa.Column("storage_key", sa.Text(), nullable=True))
    op.add_column("attachments", sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("attachments", sa.Column("outbound_id", sa.UUID(), nullable=True))
    # Existing bytes move into chunks; existing links into message_attachments.
    op.execute(
        f"""
        INSERT INTO attachment_chunks (blob_id, seq, data)
        SELECT a.id, g, substring(a.content FROM g * {CHUNK} + 1 FOR {CHUNK})
        FROM attachments a, generate_series(0, greatest(length(a.content) - 1, 0) / {CHUNK}) g
        WHERE length(a.content) > 0
        """
    )
    op.execute(
        "INSERT INTO message_attachments (message_id, attachment_id) "
        "SELECT message_id, id FROM attachments WHERE message_id IS NOT NULL"
    )
    op.execute(
        "UPDATE attachments SET storage_key = id::text, "
        "attached_at = CASE WHEN message_id IS NOT NULL THEN created_at END"
    )
    op.alter_column("attachments", "storage_key", nullable=False)
    op.drop_index("ix_attachments_message", table_name="attachments")
    op.drop_column("attachments", "message_id")
    op.drop_column("attachments", "content")
    op.create_check_constraint(
        op.f("ck_attachments_one_uploader"),
        "attachments",
        "(uploaded_by_staff_id IS NULL) <> (uploaded_by_citizen_id IS NULL)",
    )
    # The quota counts, the purge, and the use-once rule all look at unused uploads only.
    op.create_index(
        "ix_attachments_unattached_staff", "attachments", ["uploaded_by_staff_id", "created_at"],
        postgresql_where=sa.text("attached_at IS NULL"),
    )
    op.create_index(
        "ix_attachments_unattached_citizen", "attachments", ["uploaded_by_citizen_id", "created_at"],
        postgresql_where=sa.text("attached_at IS NULL"),
    )
    op.create_index(
        "ix_attachments_unattached_created", "attachments", ["created_at"],
        postgresql_where=sa.text("attached_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_attachments_unattached_created", table_name="attachments")
    op.drop_index("ix_attachments_unattached_citizen", table_name="attachments")
    op.drop_index("ix_attachments_unattached_staff", table_name="attachments")
    op.drop_constraint(op.f("ck_attachments_one_uploader"), "attachments", type_="check")
    op.add_column("attachments", sa.Column("content", sa.LargeBinary(), nullable=True))
    op.add_column("attachments", sa.Column("message_id", sa.UUID(), nullable=True))
    op.create_foreign_key(
        op.f("fk_attachments_message_id_messages"), "attachments", "messages",
        ["message_id"], ["id"], ondelete="SET NULL",
    )
    # Bytes kept in an S3 bucket cannot come back into the row: those rows get no content.
    op.execute(
        "UPDATE attachments a SET content = coalesce((SELECT string_agg(c.data, ''::bytea ORDER BY c.seq) "
        "FROM attachment_chunks c WHERE c.blob_id::text = a.storage_key), ''::bytea), "
        "message_id = (SELECT min(ma.message_id::text)::uuid FROM message_attachments ma "
        "WHERE ma.attachment_id = a.id)"
    )
    op.alter_column("attachments", "content", nullable=False)
    op.create_index("ix_attachments_message", "attachments", ["message_id"])
    op.drop_column("attachments", "outbound_id")
    op.drop_column("attachments", "attached_at")
    op.drop_column("attachments", "storage_key")
    op.drop_index("ix_message_attachments_attachment", table_name="message_attachments")
    op.drop_table("message_attachments")
    op.drop_table("attachment_chunks")
