"""A person's display name inside a statement: the SQL twin of app/domain/names.py.

`nullif` drops an empty part as the Python rule does (concat_ws itself only skips NULLs), so a
name reads the same whether the database or the service put it together.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, literal_column
from sqlalchemy.sql.elements import ColumnElement

_SPACE: ColumnElement[str] = literal_column("' '")
_EMPTY: ColumnElement[str] = literal_column("''")


def full_name(given: ColumnElement[Any], family: ColumnElement[Any]) -> ColumnElement[str]:
    """Given and family name joined by a space, a NULL or empty part left out."""
    name: ColumnElement[str] = func.concat_ws(_SPACE, func.nullif(given, _EMPTY), func.nullif(family, _EMPTY))
    return name
