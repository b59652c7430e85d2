"""SMS over an HTTP gateway: `POST {"to": "+46…", "text": "…"}`, optional bearer token.

Any 2xx is delivered. A 4xx refuses this message for good (bad number, bad request) → `failed`,
except 408, 425 and 429, which ask us to come back later. 5xx, time-outs and connection errors
→ `retry`. The `Idempotency-Key` header is stable per (event, recipient, channel), so a gateway
that honours it drops the copy sent after a worker crashed between the send and the mark.
"""

from __future__ import annotations

import httpx

from app.domain.contact import InvalidContact, parse_phone
from app.notify.senders import Notice, Outcome
from app.notify.texts import sms_text

_RETRYABLE_4XX = frozenset({408, 425, 429})


class SmsSender:
    channel = "sms"

    def __init__(self, *, url: str, token: str | None = None, timeout: float = 10.0) -> None:
        self.url = url
        self.token = token
        self.timeout = timeout
        self._client: httpx.AsyncClient | None = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=self.timeout, follow_redirects=False)
        return self._client

    async def send(self, notice: Notice) -> Outcome:
        try:
            # Numbers are stored in E.164 since they are checked at entry; one entered before
            # that is normalised here by the same rule, or refused for good.
            to = parse_phone(notice.recipient)
        except InvalidContact:
            return Outcome.failed("not a valid phone number")
        headers = {"Idempotency-Key": notice.idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        body = {"to": to, "text": sms_text(notice.template, notice.facts)}
        try:
            response = await self._http().post(self.url, json=body, headers=headers)
        except httpx.TimeoutException:
            return Outcome.retry(f"SMS gateway timed out after {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return Outcome.retry(f"SMS gateway unreachable: {type(exc).__name__}")
        status = response.status_code
        if 200 <= status < 300:
            return Outcome.sent()
        if 400 <= status < 500 and status not in _RETRYABLE_4XX:
            return Outcome.failed(f"SMS gateway refused the message ({status})")
        return Outcome.retry(f"SMS gateway answered {status}")

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()
