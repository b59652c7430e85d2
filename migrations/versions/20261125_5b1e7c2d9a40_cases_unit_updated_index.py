"""Index cases by (unit_id, updated_at): the staff case list's updated_before / updated_after
filters ("what changed since") are otherwise only a filter over the unit's creation-order index.

Revision ID: 5b1e7c2d9a40
Revises: 9cf147358840
Create Date: 2026-11-25 19:15:00+00:00
"""
from collections.abc import Sequence

from alembic import op

revision: str = "5b1e7c2d9a40"
down_revision: str | None = "9cf147358840"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_cases_unit_updated", "cases", ["unit_id", "updated_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_unit_updated", table_name="cases")
