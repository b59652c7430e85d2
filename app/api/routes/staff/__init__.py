"""Staff routes: a unit's cases, administration, audit log, and the staff member's own profile."""
