"""Every word the service sends by e-mail or SMS, in Swedish, in one place.

E-mail and SMS are not secure channels (domain.md "Notifications"), so what may appear is decided
here by construction, not by care at each call:

- a citizen notice is a fixed text: it takes no context at all, so no case content, unit name,
  staff name or personal number can reach it;
- a staff notice takes exactly two facts, the unit's name and the case reference (never the
  citizen, nor anything anyone wrote), through `StaffFacts`.

tests/notify/test_texts.py renders every template with a seeded case and checks the output for
the citizen's name, personal number and the case's texts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from app.domain.notifications import CITIZEN_TEMPLATES, Template

CITIZEN_NEW_MESSAGE_TEXT = "Du har fått ett nytt meddelande i CareInbox. Logga in för att läsa det."
CITIZEN_REMINDER_TEXT = "Du har ett meddelande i CareInbox som väntar på dig. Logga in för att läsa det."
FOOTER = "Det här är ett automatiskt meddelande från CareInbox. Det går inte att svara på det."

_CITIZEN: dict[str, tuple[str, str]] = {
    Template.CITIZEN_NEW_MESSAGE: ("Nytt meddelande i CareInbox", CITIZEN_NEW_MESSAGE_TEXT),
    Template.CITIZEN_REMINDER: ("Påminnelse från CareInbox", CITIZEN_REMINDER_TEXT),
}

# (subject, body) with {reference} and {unit}; nothing else is ever substituted.
_STAFF: dict[str, tuple[str, str]] = {
    Template.UNIT_NEW_CASE: (
        "Nytt ärende {reference} till {unit}",
        "Ett nytt ärende, {reference}, har kommit in till {unit}. Logga in i CareInbox för att se det.",
    ),
    Template.CASE_ASSIGNED: (
        "Ärende {reference} har tilldelats dig",
        "Ärende {reference} hos {unit} har tilldelats dig eller en grupp du tillhör. "
        "Logga in i CareInbox för att se det.",
    ),
    Template.CASE_CITIZEN_REPLIED: (
        "Nytt svar i ärende {reference}",
        "Invånaren har svarat i ärende {reference} hos {unit}. Logga in i CareInbox för att läsa svaret.",
    ),
    Template.PROVIDER_OVERDUE: (
        "Ärende {reference} har passerat svarstiden",
        "Ärende {reference} hos {unit} har passerat sin svarstid och är inte avslutat. "
        "Logga in i CareInbox för att hantera det.",
    ),
}


@dataclass(frozen=True, slots=True)
class StaffFacts:
    """All a staff notice may say about its case."""

    unit_name: str | None
    case_reference: str | None


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    text: str  # the plain-text body (also the SMS)
    html: str


class UnknownTemplate(ValueError):
    pass


def render(template: str, facts: StaffFacts) -> Rendered:
    """The notice for `template`; `facts` is used only by staff templates."""
    if template in CITIZEN_TEMPLATES:
        subject, body = _CITIZEN[template]
    elif template in _STAFF:
        subject_form, body_form = _STAFF[template]
        values = {"reference": facts.case_reference or "–", "unit": facts.unit_name or "mottagningen"}
        subject, body = subject_form.format(**values), body_form.format(**values)
    else:
        raise UnknownTemplate(f"no text for template {template!r}")
    return Rendered(subject=subject, text=f"{body}\n\n{FOOTER}\n", html=_html(subject, body))


def sms_text(template: str, facts: StaffFacts) -> str:
    """An SMS is the notice's body alone (no footer: it costs a second message)."""
    if template in CITIZEN_TEMPLATES:
        return _CITIZEN[template][1]
    return render(template, facts).text.split("\n\n", 1)[0]


def _html(subject: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8">'
        f"<title>{html.escape(subject)}</title></head>"
        f'<body><p>{html.escape(body)}</p><p style="color:#666">{html.escape(FOOTER)}</p></body></html>'
    )


ALL_TEMPLATES = tuple(Template)
