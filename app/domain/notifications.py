"""The notifications the service sends (domain.md "Notifications"), by template name.

The name is what an outbox row carries; the words live in app/notify/texts.py and who receives
each one in app/db/repos/notifications.py. Citizen notices carry a fixed text and nothing of the
case; staff notices may name the unit and the case reference, nothing the citizen wrote.
"""

from __future__ import annotations

from enum import StrEnum


class Template(StrEnum):
    # To staff (e-mail): the unit's addresses and staff who asked for it.
    UNIT_NEW_CASE = "unit_new_case"
    CASE_ASSIGNED = "case_assigned"
    CASE_CITIZEN_REPLIED = "case_citizen_replied"
    PROVIDER_OVERDUE = "provider_overdue"
    # To the citizen (e-mail and/or SMS, by their choice): fixed texts.
    CITIZEN_NEW_MESSAGE = "citizen_new_message"
    CITIZEN_REMINDER = "citizen_reminder"


CITIZEN_TEMPLATES = frozenset({Template.CITIZEN_NEW_MESSAGE, Template.CITIZEN_REMINDER})
