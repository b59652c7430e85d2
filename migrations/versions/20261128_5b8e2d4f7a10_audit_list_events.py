"""PDL list events: `audit_events.personal_numbers`.

A page of the inbox or of the follow-up shows several citizens; it is logged as one event (one
row, one INSERT on the hottest path) naming all of them in `personal_numbers`, and a GIN index
(partial: only list events carry the array) lets each citizen's extract and the reviewer's
personal-number filter find it. Denied accesses need no schema change: `outcome` exists
(default 'success'); they are written with 'denied'.

The new column is nullable without a default, so adding it rewrites nothing. The index build
scans the table under a lock that holds back audit inserts (and so every audited request) while
it runs: on a large log, add the column and create the index first, the index with `CREATE
INDEX CONCURRENTLY IF NOT EXISTS` (the statements below), and this migration leaves both as they
are (docs/operations.md).

Revision ID: 5b8e2d4f7a10
Revises: 3f6c0a9d2b71
Create Date: 2026-11-28 09:00:00+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5b8e2d4f7a10"
down_revision: str | None = "3f6c0a9d2b71"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # IF NOT EXISTS: an operator may have added the column and built the index beforehand.
    op.execute("ALTER TABLE audit_events ADD COLUMN IF NOT EXISTS personal_numbers varchar(12)[]")
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_audit_events_shown_pnrs ON audit_events "
        "USING gin (personal_numbers) WHERE personal_numbers IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_index("ix_audit_events_shown_pnrs", table_name="audit_events")
    # Dropping a column is not an UPDATE or DELETE of a row: the append-only triggers allow it,
    # and only the migration role (the owner) may.
    op.drop_column("audit_events", "personal_numbers")
