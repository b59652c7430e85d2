"""Who the demo knows: the region, its two units, staff with their roles and citizens.

These are the identities the README lists for logging in; `app.demo.load` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SYSTEM_ADMIN = "SE2321000131-S000000000001"
REGION = {"name": "Västra Götalandsregionen", "county_code": "14", "hsa_id": "SE2321000131-R000000000001"}
UNITS = {
    "north": {"name": "Vårdcentralen Norrmalm", "hsa_id": "SE2321000131-U000000000001"},
    "south": {"name": "Hudmottagningen Söder", "hsa_id": "SE2321000131-U000000000002"},
}


@dataclass(frozen=True)
class DemoStaff:
    hsa_id: str
    given_name: str
    family_name: str
    title: str
    roles: dict[str, tuple[str, ...]]  # unit key -> roles
    protected: bool = False
    regional_admin: bool = False


STAFF = [
    DemoStaff(
        "SE2321000131-P000000000001", "Karin", "Mottagare", "Undersköterska", {"north": ("case_receiver",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000002", "Hans", "Handläggare", "Sjuksköterska", {"north": ("case_handler",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000003",
        "Rita",
        "Receptionist",
        "Distriktssköterska",
        {"north": ("case_receiver", "case_handler")},
    ),
    DemoStaff(
        "SE2321000131-P000000000004",
        "Lars",
        "Lokaladmin",
        "Verksamhetschef",
        {"north": ("local_admin",), "south": ("local_admin",)},
    ),
    DemoStaff(
        "SE2321000131-P000000000005", "Petra", "Behörighet", "Administratör", {"north": ("permission_admin",)}
    ),
    DemoStaff(
        "SE2321000131-P000000000006",
        "Greta",
        "Granskare",
        "Informationssäkerhetssamordnare",
        {"north": ("reviewer",)},
    ),
    DemoStaff(
        "SE2321000131-P000000000007",
        "Sara",
        "Skyddad",
        "Läkare",
        {"north": ("case_handler",)},
        protected=True,
    ),
    DemoStaff(
        "SE2321000131-P000000000008",
        "Rolf",
        "Regionsson",
        "Regional e-tjänstesamordnare",
        {},
        regional_admin=True,
    ),
    DemoStaff(
        "SE2321000131-P000000000009",
        "Hedvig",
        "Hudläkare",
        "Specialistläkare",
        {"south": ("case_receiver", "case_handler")},
    ),
]

CITIZENS: list[dict[str, Any]] = [
    {
        "personal_number": "191212121212",
        "given_name": "Tolvan",
        "family_name": "Tolvansson",
        "county_code": "14",
    },
    {"personal_number": "199001012385", "given_name": "Maja", "family_name": "Svensson", "county_code": "14"},
    {"personal_number": "198504123459", "given_name": "Omar", "family_name": "Hassan", "county_code": "01"},
    {
        "personal_number": "197203034561",
        "given_name": "Eva",
        "family_name": "Lind",
        "county_code": "12",
        "protected_identity": True,
    },
]
