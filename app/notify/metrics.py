"""Prometheus metrics of the outbox worker, per channel.

In the app process (`make run`) they appear on the API's `/metrics`; a worker run on its own
serves them on WORKER_METRICS_PORT. The backlog gauges are refreshed by the worker, so an
alert on their age also fires when no worker drains the outbox (together with `up` of the
worker's target).
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge

SENT = Counter("careinbox_notifications_sent_total", "Notifications delivered", ["channel"])
FAILED = Counter("careinbox_notifications_failed_total", "Notifications given up for good", ["channel"])
RETRIED = Counter("careinbox_notifications_retried_total", "Attempts that will be retried", ["channel"])
SKIPPED = Counter(
    "careinbox_notifications_skipped_total", "Notifications on a channel switched off", ["channel"]
)
BACKLOG = Gauge("careinbox_outbox_backlog", "Outbox rows waiting to be sent")
BACKLOG_AGE = Gauge(
    "careinbox_outbox_backlog_age_seconds", "Age of the oldest outbox row waiting to be sent (0 if none)"
)

BY_OUTCOME = {"sent": SENT, "failed": FAILED, "retry": RETRIED, "skipped": SKIPPED}
