"""Reusable field types: every text field is normalised, identifiers are parsed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Strict, StringConstraints

from app.domain.identifiers import parse_county_code, parse_hsa_id, parse_personal_number
from app.domain.text import is_format_char, normalize_line, normalize_text


class StrictModel(BaseModel):
    """Request bodies: unknown fields are an error (422), never silently dropped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


def sent_fields(body: BaseModel) -> dict[str, Any]:
    """The fields the caller sent, for a partial update: an explicit null (e.g. reminders off)
    differs from leaving the field out."""
    return body.model_dump(include=body.model_fields_set)


def _nonempty(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be empty")
    return v


Line = Annotated[str, StringConstraints(max_length=200), AfterValidator(normalize_line)]
NonEmptyLine = Annotated[Line, AfterValidator(_nonempty)]
Text = Annotated[str, StringConstraints(max_length=20000), AfterValidator(normalize_text)]
NonEmptyText = Annotated[Text, AfterValidator(_nonempty)]
HsaId = Annotated[str, StringConstraints(max_length=64), AfterValidator(parse_hsa_id)]
PersonalNumber = Annotated[str, StringConstraints(max_length=20), AfterValidator(parse_personal_number)]
CountyCode = Annotated[str, StringConstraints(max_length=4), AfterValidator(parse_county_code)]
# A JSON boolean and nothing else: lax mode would take "yes", "off", 1 or 0.0 for a flag.
Flag = Annotated[bool, Strict()]


def _drop_format_chars(value: Any) -> Any:
    """Invisible formatting that pasting carries (zero-width, bidi, U+FEFF) is removed, as in
    every text field; anything else is left for the pattern to judge."""
    if isinstance(value, str):
        return "".join(ch for ch in value if not is_format_char(ch))
    return value


# Control characters are refused, not stripped: an address is not prose (and PostgreSQL cannot
# store NUL, which made this a 500).
_ADDR = r"[^@\s\x00-\x1f\x7f]+"
Email = Annotated[
    str,
    StringConstraints(max_length=254, pattern=rf"^{_ADDR}@{_ADDR}\.{_ADDR}$", strip_whitespace=True),
    BeforeValidator(_drop_format_chars),  # runs first: it wraps the constrained string
]
Phone = Annotated[
    str,
    StringConstraints(max_length=20, pattern=r"^\+?[0-9 ()-]{5,20}$", strip_whitespace=True),
    BeforeValidator(_drop_format_chars),
]
