"""Demo case types for `make run`: what a Swedish vårdcentral and a skin clinic offer.

Idempotent: each item is looked up by name first, so a second run finds what the first made.
Returns the ids under stable keys, for the demo cases that other demo data adds.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from app.db.repos import case_type_templates as template_repo
from app.db.repos import case_types as case_type_repo
from app.db.repos import central_case_types as central_repo
from app.domain.case_types import clean_content
from app.services import case_type_templates, case_types, central_case_types

TERMS = (
    "Ärendet besvaras inom två arbetsdagar. Skriv inte om akuta besvär här: "
    "vid akuta besvär ring 1177 eller 112."
)


def _content(
    name: str, category: str, description: str, questions: list[dict[str, Any]], **more: Any
) -> dict[str, Any]:
    return {
        "name": name,
        "category": category,
        "description": description,
        "terms_text": more.pop("terms_text", TERMS),
        "questions": questions,
        "answer_templates": more.pop("answer_templates", []),
        "citizen_attachments_allowed": more.pop("citizen_attachments_allowed", False),
        "restricted": more.pop("restricted", False),
    }


def _q(
    key: str, label: str, type_: str = "text", required: bool = True, options: list[str] | None = None
) -> dict[str, Any]:
    return {"key": key, "label": label, "type": type_, "required": required, "options": options or []}


TEMPLATES: dict[str, dict[str, Any]] = {
    "prescription": _content(
        "Förnya recept",
        "prescription_renewal",
        "Förnya recept på läkemedel som du redan använder och som förskrivits av oss.",
        [
            _q("medicine", "Vilket läkemedel och vilken styrka?"),
            _q("dosage", "Hur tar du läkemedlet?", "textarea", required=False),
            _q(
                "pharmacy",
                "Hämtar du ut på apotek eller via e-handel?",
                "single_choice",
                False,
                ["Apotek", "E-handel"],
            ),
        ],
        answer_templates=[
            {
                "title": "Receptet är förnyat",
                "body": "Hej!\nDitt recept är förnyat och kan hämtas ut på valfritt apotek.",
            },
            {
                "title": "Behöver besök",
                "body": "Hej!\nInnan receptet kan förnyas behöver du träffa läkare. Boka en tid via oss.",
            },
        ],
    ),
    "change_appointment": _content(
        "Av- eller omboka tid",
        "change_appointment",
        "Avboka eller boka om en tid som du har hos oss. Avboka senast 24 timmar innan.",
        [
            _q("appointment_date", "Vilket datum har du din tid?", "date"),
            _q("action", "Vill du avboka eller boka om?", "single_choice", True, ["Avboka", "Boka om"]),
            _q("wishes", "Önskemål om ny tid", "textarea", required=False),
        ],
        answer_templates=[{"title": "Tiden är avbokad", "body": "Hej!\nDin tid är nu avbokad."}],
    ),
    "test_results": _content(
        "Fråga om provsvar",
        "test_results",
        "Ställ en fråga om ett provsvar från ett prov som tagits hos oss.",
        [
            _q("test", "Vilket prov gäller det?"),
            _q("test_date", "När togs provet?", "date", required=False),
            _q("question", "Din fråga", "textarea"),
        ],
        answer_templates=[
            {
                "title": "Normalt provsvar",
                "body": "Hej!\nDitt provsvar är normalt och föranleder ingen åtgärd.",
            }
        ],
    ),
}

RESTRICTED = _content(
    "Kontakt med diabetessjuksköterska",
    "medical_advice",
    "För dig som går på diabeteskontroller hos oss och har fått tillgång av din sjuksköterska.",
    [
        _q("glucose", "Dina senaste blodsockervärden", "textarea", required=False),
        _q("question", "Vad vill du fråga om?", "textarea"),
    ],
    restricted=True,
)
DRAFT = _content(
    "Intyg",
    "certificate",
    "Beställ ett intyg, till exempel för försäkringskassa eller arbetsgivare.",
    [_q("kind", "Vilket intyg behöver du?", "single_choice", True, ["Läkarintyg", "Friskintyg", "Annat"])],
    terms_text="",
)
SKIN_PHOTO = _content(
    "Skicka bild på hudförändring",
    "medical_advice",
    "Skicka en bild på en hudförändring som vi följer upp. Ta bilden i dagsljus.",
    [_q("where", "Var på kroppen sitter hudförändringen?"), _q("changed", "Har den förändrats?", "yes_no")],
    citizen_attachments_allowed=True,
)
CENTRAL_BOOKING = {
    "kind": "web_booking",
    "name": "Boka tid för vaccination",
    "category": "book_appointment",
    "url": "https://tidbok.example.se/vaccination",
}
CENTRAL_TERMS = "Bokningen är bindande. Av- eller omboka senast 24 timmar före besöket."


async def _template(conn: AsyncConnection, region_id: UUID, content: dict[str, Any]) -> UUID:
    found = await template_repo.id_by_name(conn, region_id, content["name"])
    return found or await template_repo.insert_template(conn, region_id, clean_content(content))


async def _active_copy(conn: AsyncConnection, unit_id: UUID, template_id: UUID, name: str) -> UUID:
    found = await case_type_repo.id_by_name(conn, unit_id, name)
    if found:
        return found
    copy = await case_type_templates.copy_to_unit(conn, unit_id, template_id)
    await case_types.activate(conn, unit_id, copy["id"])
    return UUID(str(copy["id"]))


async def _local(conn: AsyncConnection, unit_id: UUID, content: dict[str, Any], *, active: bool) -> UUID:
    found = await case_type_repo.id_by_name(conn, unit_id, content["name"])
    if found:
        return found
    created = await case_types.create_case_type(conn, unit_id, content)
    if active:
        await case_types.activate(conn, unit_id, created["id"])
    return UUID(str(created["id"]))


async def _central(conn: AsyncConnection, unit_id: UUID) -> tuple[UUID, UUID]:
    central_id = await central_repo.id_by_name(conn, CENTRAL_BOOKING["name"])
    if central_id is None:
        central_id = (await central_case_types.create_central(conn, **CENTRAL_BOOKING))["id"]
    assert central_id is not None
    existing = await case_type_repo.id_for_central(conn, unit_id, central_id)
    if existing:
        return central_id, existing
    row, _ = await central_case_types.activate_for_unit(conn, unit_id, central_id, CENTRAL_TERMS)
    return central_id, UUID(str(row["id"]))


async def load(conn: AsyncConnection, ids: dict[str, Any]) -> dict[str, Any]:
    region, north, south = ids["region"], ids["north"], ids["south"]
    out: dict[str, Any] = {}
    for key, content in TEMPLATES.items():
        out[f"tpl_{key}"] = await _template(conn, region, content)
        out[f"ct_{key}"] = await _active_copy(conn, north, out[f"tpl_{key}"], content["name"])
    out["ct_restricted"] = await _local(conn, north, RESTRICTED, active=True)
    out["ct_draft"] = await _local(conn, north, DRAFT, active=False)
    out["central_booking"], out["ct_central_booking"] = await _central(conn, north)
    out["south_ct_test_results"] = await _active_copy(
        conn, south, out["tpl_test_results"], TEMPLATES["test_results"]["name"]
    )
    out["south_ct_skin_photo"] = await _local(conn, south, SKIN_PHOTO, active=True)
    return out
