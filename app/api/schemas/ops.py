"""Operations: the readiness report."""

from __future__ import annotations

from pydantic import BaseModel


class Readiness(BaseModel):
    status: str
    database: str
    schema_revision: str | None
    newest_revision: str | None
    detail: str
