"""Citizen routes (`/citizen/...`): own profile, contactable units, own cases, access log."""
