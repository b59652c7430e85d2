"""The question model shared by case types, regional templates and message templates, and the
validation of a citizen's answers against it.

A case stores the form it was answered with (`cases.form`), so editing a case type never changes
what an already-sent case shows.
"""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum
from typing import Any

from app.domain.errors import ValidationFailed
from app.domain.text import normalize_line, normalize_text


class QuestionType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    SINGLE_CHOICE = "single_choice"
    MULTI_CHOICE = "multi_choice"
    DATE = "date"
    YES_NO = "yes_no"


QUESTION_TYPES = tuple(t.value for t in QuestionType)
CHOICE_TYPES = ("single_choice", "multi_choice")
MAX_QUESTIONS = 50
MAX_OPTIONS = 50
MAX_LABEL = 200
MAX_TEXT_ANSWER = 500
MAX_TEXTAREA_ANSWER = 10_000
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _err(loc: list[str | int], msg: str) -> dict[str, Any]:
    return {"loc": loc, "msg": msg, "type": "value_error"}


def parse_questions(
    raw: list[dict[str, Any]], loc: tuple[str, ...] = ("body", "questions")
) -> list[dict[str, Any]]:
    """Check and normalise a form. Every problem is reported at once, with its location."""
    errors: list[dict[str, Any]] = []
    out: list[dict[str, Any]] = []
    if not isinstance(raw, list):  # an imported document is untrusted JSON: never a 500
        raise ValidationFailed("the form is not valid", errors=[_err([*loc], "a list of questions")])
    if len(raw) > MAX_QUESTIONS:
        errors.append(_err([*loc], f"at most {MAX_QUESTIONS} questions"))
    seen: set[str] = set()
    for i, q in enumerate(raw):
        here: list[str | int] = [*loc, i]
        if not isinstance(q, dict):
            errors.append(_err(here, "a question is an object"))
            continue
        key = q.get("key")
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            errors.append(
                _err([*here, "key"], "a key is a lower-case letter then letters, digits or _ (max 40)")
            )
        elif key in seen:
            errors.append(_err([*here, "key"], f"the key {key!r} is used twice"))
        else:
            seen.add(key)
        raw_label = q.get("label")
        label = normalize_line(raw_label) if isinstance(raw_label, str) else ""
        if not label or len(label) > MAX_LABEL:
            errors.append(_err([*here, "label"], f"a label is 1 to {MAX_LABEL} characters"))
        qtype = q.get("type")
        if qtype not in QUESTION_TYPES:
            errors.append(_err([*here, "type"], f"type is one of {', '.join(QUESTION_TYPES)}"))
        raw_options = q.get("options") or []
        if not isinstance(raw_options, list) or not all(isinstance(o, str) for o in raw_options):
            errors.append(_err([*here, "options"], "options are a list of texts"))
            raw_options = []
        options = [normalize_line(o) for o in raw_options]
        required = q.get("required", False)
        if not isinstance(required, bool):
            errors.append(_err([*here, "required"], "required is true or false"))
        if qtype in CHOICE_TYPES:
            if len(options) < 2 or len(set(options)) != len(options) or not all(options):
                errors.append(_err([*here, "options"], "a choice question needs 2 or more distinct options"))
            elif len(options) > MAX_OPTIONS or any(len(o) > MAX_LABEL for o in options):
                errors.append(
                    _err([*here, "options"], f"at most {MAX_OPTIONS} options of {MAX_LABEL} characters")
                )
        elif options:
            errors.append(_err([*here, "options"], "only choice questions have options"))
        out.append(
            {
                "key": key,
                "label": label,
                "type": qtype,
                "required": required is True,
                "options": options,
            }
        )
    if errors:
        raise ValidationFailed("the form is not valid", errors=errors)
    return out


def validate_answers(
    form: list[dict[str, Any]], answers: dict[str, Any], loc: tuple[str, ...] = ("body", "answers")
) -> dict[str, Any]:
    """Check a citizen's answers against the form; returns them normalised."""
    errors: list[dict[str, Any]] = []
    if not isinstance(answers, dict):
        raise ValidationFailed("the answers do not fit the form", errors=[_err([*loc], "an object")])
    by_key = {q["key"]: q for q in form}
    for key in answers:
        if key not in by_key:
            errors.append(_err([*loc, key], "no such question"))
    out: dict[str, Any] = {}
    for key, q in by_key.items():
        value = answers.get(key)
        if _blank(value):
            if q["required"]:
                errors.append(_err([*loc, key], "an answer is required"))
            continue
        try:
            out[key] = _answer(q, value)
        except ValueError as exc:
            errors.append(_err([*loc, key], str(exc)))
    if errors:
        raise ValidationFailed("the answers do not fit the form", errors=errors)
    return out


def _blank(value: Any) -> bool:
    # Pasted zero-width characters alone are no answer (str.strip keeps them).
    return value is None or value == [] or (isinstance(value, str) and not normalize_line(value))


def _answer(q: dict[str, Any], value: Any) -> Any:
    qtype = q["type"]
    if qtype in ("text", "textarea"):
        if not isinstance(value, str):
            raise ValueError("the answer is text")
        text = normalize_line(value) if qtype == "text" else normalize_text(value).strip()
        limit = MAX_TEXT_ANSWER if qtype == "text" else MAX_TEXTAREA_ANSWER
        if len(text) > limit:
            raise ValueError(f"at most {limit} characters")
        return text
    if qtype == "single_choice":
        # Options were stored cleaned (NFC, no invisible formatting): compare the answer the same
        # way, or a client sending decomposed "å" could never pick the option "Må bra".
        if not isinstance(value, str) or normalize_line(value) not in q["options"]:
            raise ValueError("choose one of the options")
        return normalize_line(value)
    if qtype == "multi_choice":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("choose among the options")
        value = [normalize_line(v) for v in value]
        if not all(v in q["options"] for v in value):
            raise ValueError("choose among the options")
        if len(set(value)) != len(value):
            raise ValueError("each option at most once")
        return [o for o in q["options"] if o in value]  # the form's order
    if qtype == "date":
        if not isinstance(value, str):
            raise ValueError("a date is YYYY-MM-DD")
        try:
            # fromisoformat also takes week dates ("2026-W01-1", ten characters too): not ours.
            return date.fromisoformat(value).isoformat() if _DATE.fullmatch(value) else _bad_date()
        except ValueError as exc:
            raise ValueError("a date is YYYY-MM-DD") from exc
    if qtype == "yes_no":
        if not isinstance(value, bool):
            raise ValueError("the answer is true or false")
        return value
    raise ValueError("unknown question type")


def _bad_date() -> str:
    raise ValueError("a date is YYYY-MM-DD")
