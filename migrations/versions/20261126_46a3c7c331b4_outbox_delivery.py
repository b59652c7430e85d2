"""Outbox delivery: a status per row (pending/sent/failed/skipped) and a lease for the worker.

`status` makes the end of a row explicit (a row that kept failing, or whose channel is switched
off, says so instead of sitting unsent forever); `locked_until` / `locked_by` are the lease a
worker takes while it sends, so the send itself runs outside any database transaction
(app/notify/worker.py says why). The pending index now covers only pending rows: failed and
skipped rows have no `sent_at` either and would otherwise stay in it for ever.

Revision ID: 46a3c7c331b4
Revises: 5b1e7c2d9a40
Create Date: 2026-11-26 00:00:00+00:00
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "46a3c7c331b4"
down_revision: str | None = "5b1e7c2d9a40"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("status", sa.String(length=8), server_default="pending", nullable=False))
    op.add_column("outbox", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.add_column("outbox", sa.Column("locked_by", sa.Text(), nullable=True))
    op.execute("UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL")
    op.create_check_constraint(
        op.f("ck_outbox_status"), "outbox", "status IN ('pending','sent','failed','skipped')"
    )
    op.drop_index("ix_outbox_pending", table_name="outbox", postgresql_where=sa.text("sent_at IS NULL"))
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["next_attempt_at", "id"],
        unique=False,
        postgresql_where=sa.text("status = 'pending'"),
    )
    op.create_index(
        "ix_outbox_failed", "outbox", ["id"], unique=False, postgresql_where=sa.text("status = 'failed'")
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_failed", table_name="outbox", postgresql_where=sa.text("status = 'failed'"))
    op.drop_index("ix_outbox_pending", table_name="outbox", postgresql_where=sa.text("status = 'pending'"))
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["next_attempt_at"],
        unique=False,
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.drop_constraint(op.f("ck_outbox_status"), "outbox", type_="check")
    op.drop_column("outbox", "locked_by")
    op.drop_column("outbox", "locked_until")
    op.drop_column("outbox", "status")
