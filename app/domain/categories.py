"""The fixed category list (domain.md "category"): used for statistics, so codes never change.

Labels are Swedish because they are shown to clinic staff and citizens as-is.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    PRESCRIPTION_RENEWAL = "prescription_renewal"
    BOOK_APPOINTMENT = "book_appointment"
    CHANGE_APPOINTMENT = "change_appointment"
    TEST_RESULTS = "test_results"
    CERTIFICATE = "certificate"
    MEDICAL_ADVICE = "medical_advice"
    REFERRAL = "referral"
    ADMINISTRATIVE = "administrative"
    OTHER = "other"


LABELS: dict[Category, str] = {
    Category.PRESCRIPTION_RENEWAL: "Förnya recept",
    Category.BOOK_APPOINTMENT: "Boka tid",
    Category.CHANGE_APPOINTMENT: "Av- eller omboka tid",
    Category.TEST_RESULTS: "Provsvar",
    Category.CERTIFICATE: "Intyg",
    Category.MEDICAL_ADVICE: "Rådgivning",
    Category.REFERRAL: "Remiss",
    Category.ADMINISTRATIVE: "Administrativt",
    Category.OTHER: "Övrigt",
}


def all_categories() -> list[dict[str, str]]:
    """In declaration order: the order the staff tool shows them in."""
    return [{"code": c.value, "label": LABELS[c]} for c in Category]


def label(code: str | None) -> str | None:
    try:
        return LABELS[Category(code)] if code is not None else None
    except ValueError:
        return None
