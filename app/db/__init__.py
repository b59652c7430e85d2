"""Persistence: tables, engine and sessions, repositories. All SQL lives here."""
