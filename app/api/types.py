"""Reusable field types: every text field is normalised, identifiers are parsed."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

from app.domain.contact import parse_email, parse_phone
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


# Control characters and malformed addresses are refused, not stripped (an address is not prose,
# and PostgreSQL cannot store NUL); app/domain/contact.py holds the rule, so a notification is
# never refused at send time for what could have been refused here. Phone numbers are stored
# in E.164, the form the SMS gateway takes.
Email = Annotated[
    str,
    StringConstraints(max_length=254),
    Field(json_schema_extra={"format": "email"}),
    AfterValidator(parse_email),
    BeforeValidator(_drop_format_chars),  # runs first: it wraps the constrained string
]
Phone = Annotated[
    str,
    StringConstraints(max_length=32),
    Field(
        json_schema_extra={
            "description": "a valid phone number; stored and returned in E.164 (a Swedish one may "
            "be written 070-123 45 67)",
            "examples": ["+46701234567"],
        }
    ),
    AfterValidator(parse_phone),
    BeforeValidator(_drop_format_chars),
]
