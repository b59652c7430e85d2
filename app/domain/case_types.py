"""Case-type rules that need no database: life cycle, activation, answer-template identity.

A case type is what citizens can ask a unit for. Its content (name, category, form, terms text,
answer templates) is shared with regional templates and with the export document.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any
from uuid import uuid4

from app.domain.errors import Conflict, ValidationFailed
from app.domain.forms import parse_questions

EXPORT_FORMAT = "careinbox.case-type/1"
MAX_ANSWER_TEMPLATES = 50

# The content fields, in the order the export document lists them.
CONTENT_FIELDS = (
    "name",
    "category",
    "description",
    "terms_text",
    "questions",
    "answer_templates",
    "citizen_attachments_allowed",
    "restricted",
)
REQUIRED_FOR_ACTIVATION = ("name", "category", "terms_text")
# A central case type's name, category and form are set nationally; the unit adds its terms.
CENTRAL_EDITABLE = frozenset({"description", "terms_text", "restricted"})


class CaseTypeStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    INACTIVE = "inactive"


class CaseTypeOrigin(StrEnum):
    LOCAL = "local"
    REGIONAL_TEMPLATE = "regional_template"
    CENTRAL = "central"


class CentralCaseTypeKind(StrEnum):
    """A centrally administered case type sends the citizen elsewhere: a web booking or a
    jump-out to another e-service, at `url`."""

    WEB_BOOKING = "web_booking"
    JUMP_OUT = "jump_out"


def missing_for_activation(content: Mapping[str, Any]) -> list[str]:
    """The fields a citizen-facing case type cannot do without, in a stable order."""
    return [f for f in REQUIRED_FOR_ACTIVATION if not str(content.get(f) or "").strip()]


def require_activatable(content: Mapping[str, Any]) -> None:
    missing = missing_for_activation(content)
    if missing:
        raise ValidationFailed(
            f"a case type needs {', '.join(missing)} before it can be active",
            errors=[
                {"loc": ["case_type", f], "msg": "required before activation", "type": "missing"}
                for f in missing
            ],
            missing_fields=missing,
        )


def activation_target(status: str) -> CaseTypeStatus | None:
    """draft → active, inactive → active; None when already active (a repeat changes nothing)."""
    return None if status == CaseTypeStatus.ACTIVE else CaseTypeStatus.ACTIVE


def deactivation_target(status: str) -> CaseTypeStatus | None:
    if status == CaseTypeStatus.DRAFT:
        raise Conflict("a draft has never been active; delete it instead of deactivating it")
    return None if status == CaseTypeStatus.INACTIVE else CaseTypeStatus.INACTIVE


def check_central_patch(origin: str, fields: set[str]) -> None:
    if origin != CaseTypeOrigin.CENTRAL:
        return
    fixed = sorted(fields - CENTRAL_EDITABLE)
    if fixed:
        raise ValidationFailed(
            "name, category and form of a centrally administered case type are set nationally",
            errors=[
                {"loc": ["body", f], "msg": "set by the national administration", "type": "value_error"}
                for f in fixed
            ],
        )


def merge_answer_templates(
    existing: Sequence[Mapping[str, Any]], incoming: Sequence[Mapping[str, Any]]
) -> list[dict[str, str]]:
    """Give each answer template a stable id: one the client sends back keeps its id (cases refer
    to it as `answer_template_id`), a new one gets a fresh id, an unknown id is an error."""
    if len(incoming) > MAX_ANSWER_TEMPLATES:
        raise _template_error([], f"at most {MAX_ANSWER_TEMPLATES} answer templates")
    known = {str(t["id"]) for t in existing}
    out: list[dict[str, str]] = []
    seen: set[str] = set()
    for i, t in enumerate(incoming):
        given = t.get("id")
        if given is None:
            tid = str(uuid4())
        else:
            tid = str(given)
            if tid not in known:
                raise _template_error([i, "id"], "no such answer template in this case type")
            if tid in seen:
                raise _template_error([i, "id"], "the same answer template twice")
        seen.add(tid)
        out.append({"id": tid, "title": str(t["title"]), "body": str(t["body"])})
    return out


def _template_error(loc: list[str | int], msg: str) -> ValidationFailed:
    return ValidationFailed(
        msg, errors=[{"loc": ["body", "answer_templates", *loc], "msg": msg, "type": "value_error"}]
    )


def clean_content(
    values: Mapping[str, Any], existing_templates: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """Domain checks on content that already passed the request schema (types, lengths, text
    normalisation): the form's own rules and answer-template identity. Only given keys."""
    out = dict(values)
    if "questions" in values:
        out["questions"] = parse_questions(list(values["questions"]))
    if "answer_templates" in values:
        out["answer_templates"] = merge_answer_templates(existing_templates, values["answer_templates"])
    if out.get("category") is not None:
        out["category"] = str(out["category"])
    return out


def export_document(row: Mapping[str, Any]) -> dict[str, Any]:
    """Content only: no ids, no unit, no status — so export → import → export is stable."""
    return {
        "format": EXPORT_FORMAT,
        "name": row["name"],
        "category": row["category"],
        "description": row["description"],
        "terms_text": row["terms_text"],
        "questions": [dict(q) for q in row["questions"]],
        "answer_templates": [{"title": t["title"], "body": t["body"]} for t in row["answer_templates"]],
        "citizen_attachments_allowed": row["citizen_attachments_allowed"],
        "restricted": row["restricted"],
    }
