"""`make run` and the image serve with one uvicorn worker per core unless WEB_CONCURRENCY says
otherwise (issue 13 point 6); the state that must hold across workers is covered by
tests/test_sign_out.py (revocation in a second process) and tests/test_rate_limits.py."""

from __future__ import annotations

import os

import pytest

from app.cli import web_concurrency


def test_one_worker_per_core_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    assert web_concurrency() == (os.cpu_count() or 1)


def test_web_concurrency_sets_the_number(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert web_concurrency() == 3


def test_zero_workers_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "0")
    with pytest.raises(SystemExit):
        web_concurrency()
