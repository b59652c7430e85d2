"""Delivering the outbox: the worker, its senders (SMTP e-mail, HTTP SMS), the texts, reminders,
the dev mail sink and the operators' view (domain.md "Notifications")."""
