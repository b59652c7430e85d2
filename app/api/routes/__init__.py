"""Routers. Each module holds one audience's paths; no SQL and no business rules here."""
