"""case_participants carries its case's unit and creation time (issue 13).

A handler's inbox page merges the newest cases of each way they reach cases (case_reach.py).
The "took part" way read every case the handler ever took part in, joined each to `cases` for
its unit and creation time, and sorted them: thousands of look-ups per page for a busy handler.
With `unit_id` and `case_created_at` on the participant row and an index in page order, that
branch is an index range scan that stops after one page.

Both columns are copies of the case's own, kept so by triggers whatever path writes:
- BEFORE INSERT on case_participants fills them from the case when the writer did not pass
  them. A statement that inserts the case and its participant together (the outbound send's
  CTEs) passes them itself: sibling CTEs do not see each other's rows, so the trigger could not;
- AFTER UPDATE OF unit_id, created_at on cases copies a change (the demo data ages its cases).

Revision ID: b8d2e6f1a4c9
Revises: 5b8e2d4f7a10
Create Date: 2026-11-28 09:00:00+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b8d2e6f1a4c9"
down_revision: str | None = "5b8e2d4f7a10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("case_participants", sa.Column("unit_id", sa.UUID(), nullable=True))
    op.add_column(
        "case_participants", sa.Column("case_created_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE case_participants p SET unit_id = c.unit_id, case_created_at = c.created_at "
        "FROM cases c WHERE c.id = p.case_id"
    )
    op.execute(
        """
        CREATE FUNCTION case_participants_copy_case() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.unit_id IS NULL OR NEW.case_created_at IS NULL THEN
                SELECT c.unit_id, c.created_at INTO NEW.unit_id, NEW.case_created_at
                FROM cases c WHERE c.id = NEW.case_id;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER case_participants_copy_case BEFORE INSERT ON case_participants "
        "FOR EACH ROW EXECUTE FUNCTION case_participants_copy_case()"
    )
    op.execute(
        """
        CREATE FUNCTION cases_copy_to_participants() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE case_participants SET unit_id = NEW.unit_id, case_created_at = NEW.created_at
            WHERE case_id = NEW.id;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER cases_copy_to_participants AFTER UPDATE OF unit_id, created_at ON cases "
        "FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id "
        "OR OLD.created_at IS DISTINCT FROM NEW.created_at) "
        "EXECUTE FUNCTION cases_copy_to_participants()"
    )
    # NOT NULL after the trigger exists: a row inserted meanwhile is filled by it.
    op.alter_column("case_participants", "unit_id", nullable=False)
    op.alter_column("case_participants", "case_created_at", nullable=False)
    op.create_index(
        "ix_case_participants_staff_unit_created",
        "case_participants",
        [
            "staff_id",
            "unit_id",
            sa.literal_column("case_created_at DESC"),
            sa.literal_column("case_id DESC"),
        ],
        unique=False,
    )
    # The page-order index leads with staff_id too: it serves every look-up the old one did.
    op.drop_index("ix_case_participants_staff", table_name="case_participants")


def downgrade() -> None:
    op.create_index("ix_case_participants_staff", "case_participants", ["staff_id", "case_id"], unique=False)
    op.drop_index("ix_case_participants_staff_unit_created", table_name="case_participants")
    op.execute("DROP TRIGGER cases_copy_to_participants ON cases")
    op.execute("DROP FUNCTION cases_copy_to_participants()")
    op.execute("DROP TRIGGER case_participants_copy_case ON case_participants")
    op.execute("DROP FUNCTION case_participants_copy_case()")
    op.drop_column("case_participants", "case_created_at")
    op.drop_column("case_participants", "unit_id")
