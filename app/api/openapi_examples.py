"""Examples for the main flows, with the demo identities (app/demo/identities.py): sign in,
send a case, the inbox page, the case view, distribute, answer, grant, settings.
tests/api/test_openapi_contract.py checks each against its schema."""

from __future__ import annotations

from typing import Any

UNIT = "0b6f3c52-7d1e-4a8b-9c2f-1e5d7a9b3c40"  # Vårdcentralen Norrmalm
CASE_TYPE = "5e2a9d14-3b7c-4f6e-8a1d-2c9b4e7f6a15"
CASE = "9c4e1f7a-2d5b-4c8e-a3f6-7b1d9e2c5a80"
HANS = "7a1c5e9b-4f2d-4b8a-9e6c-3d5f1a7b2c94"  # Hans Handläggare, case_handler
KARIN = "2d6f8b1a-5c3e-4a9d-8f7b-1e4c6a2d9b58"  # Karin Mottagare, case_receiver
MESSAGE = "c1e7a3f9-6b2d-4e8c-9a5f-4d2b8e6c1a73"
ANSWER = "e5b9d2c7-8a4f-4c1e-b6d3-9f7a2e5c8b16"
GRANT = "8d3a6f1c-2b9e-4d5a-a7c4-5e1f3b9d6a28"
CREATED = "2026-11-24T08:15:00Z"
DUE = "2026-11-26T16:00:00Z"
ANSWERED = "2026-11-24T13:40:00Z"

_TOKEN = {
    "access_token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIuLi4ifQ.c2lnbmF0dXJl",
    "token_type": "bearer",
    "expires_in": 3600,
}
_CASE_TYPE_REF = {"id": CASE_TYPE, "name": "Förnya recept", "category": "prescription_renewal"}
_TOLVAN = {"personal_number": "191212121212", "name": "Tolvan Tolvansson", "protected_identity": False}
_FORM = [
    {
        "key": "medicine",
        "label": "Vilket läkemedel gäller det?",
        "type": "text",
        "required": True,
        "options": [],
    }
]
_SUMMARY = {
    "id": CASE,
    "reference": "NOR-2026-00042",
    "status": "new",
    "origin": "citizen",
    "subject": "Förnya recept",
    "case_type": _CASE_TYPE_REF,
    "citizen": _TOLVAN,
    "assignee": None,
    "created_at": CREATED,
    "due_at": DUE,
    "closed_at": None,
    "closure": None,
    "unread_by_citizen": 0,
    "version": 1,
}
_ASSIGNED = {
    **_SUMMARY,
    "status": "assigned",
    "assignee": {"type": "staff", "id": HANS, "name": "Hans Handläggare"},
    "version": 2,
}
_CITIZEN_MESSAGE: dict[str, Any] = {
    "id": MESSAGE,
    "kind": "citizen",
    "body": "Jag behöver förnya mitt recept på Levaxin 50 mikrogram.",
    "author": {"type": "citizen", "display_name": "Tolvan Tolvansson"},
    "created_at": CREATED,
    "read_at": None,
    "attachments": [],
}
_ANSWER: dict[str, Any] = {
    "id": ANSWER,
    "kind": "answer",
    "body": "Hej Tolvan! Receptet är förnyat och finns på apoteket i eftermiddag. Vänliga hälsningar, Hans",
    "author": {"type": "staff", "display_name": "Hans Handläggare, Sjuksköterska"},
    "created_at": ANSWERED,
    "read_at": None,
    "attachments": [],
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "create_staff_token": {"request": {"hsa_id": "SE2321000131-P000000000002"}, "200": _TOKEN},
    "create_citizen_token": {"request": {"personal_number": "19121212-1212"}, "200": _TOKEN},
    "create_citizen_case": {
        "request": {
            "unit_id": UNIT,
            "case_type_id": CASE_TYPE,
            "answers": {"medicine": "Levaxin 50 mikrogram"},
            "message": "Jag behöver förnya mitt recept på Levaxin 50 mikrogram.",
            "attachment_ids": [],
            "terms_accepted": True,
        },
        "201": {
            "id": CASE,
            "reference": "NOR-2026-00042",
            "unit": {"id": UNIT, "name": "Vårdcentralen Norrmalm"},
            "case_type": {"id": CASE_TYPE, "name": "Förnya recept"},
            "subject": "Förnya recept",
            "status": "new",
            "created_at": CREATED,
            "updated_at": CREATED,
            "unread_count": 0,
            "origin": "citizen",
            "due_at": DUE,
            "closed_at": None,
            "closure": None,
            "version": 1,
            "form": _FORM,
            "answers": [
                {
                    "key": "medicine",
                    "label": "Vilket läkemedel gäller det?",
                    "type": "text",
                    "value": "Levaxin 50 mikrogram",
                }
            ],
            "messages": [{**_CITIZEN_MESSAGE, "answers": None}],
            "events": [{"action": "created", "from_status": None, "to_status": "new", "created_at": CREATED}],
        },
    },
    "list_unit_cases": {"200": {"items": [_SUMMARY], "next_cursor": None}},
    "get_unit_case": {
        "200": {
            **_SUMMARY,
            "form": _FORM,
            "answers": {"medicine": "Levaxin 50 mikrogram"},
            "messages": [
                {
                    **_CITIZEN_MESSAGE,
                    "author": {
                        "type": "citizen",
                        "staff_id": None,
                        "display_name": "Tolvan Tolvansson",
                        "citizen_facing_name": "Tolvan Tolvansson",
                    },
                }
            ],
            "notes": [],
            "events": [
                {
                    "id": 1,
                    "action": "created",
                    "actor": {"type": "citizen", "staff_id": None, "name": "Tolvan Tolvansson"},
                    "from_status": None,
                    "to_status": "new",
                    "detail": {},
                    "created_at": CREATED,
                }
            ],
        }
    },
    "assign_case": {"request": {"assignee": {"type": "staff", "id": HANS}}, "200": _ASSIGNED},
    "send_case_message": {
        "request": {"kind": "answer", "body": _ANSWER["body"], "attachment_ids": []},
        "201": {
            **_ANSWER,
            "author": {
                "type": "staff",
                "staff_id": HANS,
                "display_name": "Hans Handläggare",
                "citizen_facing_name": "Hans Handläggare, Sjuksköterska",
            },
        },
    },
    "get_citizen_case": {},  # filled below from the created case
    "create_citizen_grant": {
        "request": {"personal_number": "19900101-2385", "case_type_id": None, "valid_until": "2027-06-30"},
        "201": {
            "id": GRANT,
            "personal_number": "199001012385",
            "case_type_id": None,
            "valid_until": "2027-06-30",
            "created_at": CREATED,
            "active": True,
        },
    },
    "update_unit_settings": {
        "request": {
            "service_area": {"scope": "counties", "county_codes": ["14"]},
            "notification_emails": ["norrmalm.vc@vgregion.example"],
            "citizen_reminder_after_days": 3,
        },
        "200": {
            "id": UNIT,
            "hsa_id": "SE2321000131-U000000000001",
            "name": "Vårdcentralen Norrmalm",
            "region_id": "6a2e9c4f-1d7b-4e3a-8c5f-9b1d4a7e2c63",
            "searchable": True,
            "settings": {
                "service_area": {"scope": "counties", "county_codes": ["14"]},
                "notification_emails": ["norrmalm.vc@vgregion.example"],
                "citizen_reminder_after_days": 3,
                "provider_reminder_enabled": True,
            },
        },
    },
}

_created = EXAMPLES["create_citizen_case"]["201"]
EXAMPLES["get_citizen_case"]["200"] = {
    **_created,
    "status": "closed",
    "closed_at": ANSWERED,
    "closure": "answered",
    "updated_at": ANSWERED,
    "version": 3,
    "messages": [
        {**_CITIZEN_MESSAGE, "answers": None},
        {
            **_ANSWER,
            "author": {"type": "staff", "display_name": "Hans Handläggare"},
            "answers": None,
            "read_at": ANSWERED,
        },
    ],
}


def add_examples(doc: dict[str, Any]) -> None:
    for item in doc.get("paths", {}).values():
        for operation in item.values():
            for where, example in EXAMPLES.get(operation.get("operationId"), {}).items():
                holder = operation["requestBody"] if where == "request" else operation["responses"][where]
                holder["content"]["application/json"]["example"] = example
