"""Which citizens can find and contact a unit (domain.md "Service area")."""

from __future__ import annotations

from enum import StrEnum


class ServiceAreaScope(StrEnum):
    NATIONAL = "national"  # the whole country
    COUNTIES = "counties"  # citizens registered in one of the unit's counties (at least one)
    NONE = "none"  # hidden from the public; a citizen grant still opens it
