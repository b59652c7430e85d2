"""When to try again: exponential backoff with jitter, a cap, and a last attempt."""

from __future__ import annotations

import random
from dataclasses import dataclass

_RNG = random.Random()  # noqa: S311 - jitter, not secrets


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """After attempt n (1-based) fails, wait base·2^(n-1), at most `cap`, then "equal jitter":
    a random point in the upper half of that wait. The jitter spreads the rows that failed
    together (an SMTP relay that was down for a minute) so they do not all return at once; the
    lower half is kept so a retry never comes back almost at once. After `max_attempts` the row
    ends `failed`.

    With the defaults (30 s, cap 1 h, 20 attempts) a row is given up after roughly 7 to 13 hours:
    an overnight relay outage loses nothing.
    """

    base_seconds: float = 30.0
    cap_seconds: float = 3600.0
    max_attempts: int = 20

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay(self, attempts: int, rng: random.Random | None = None) -> float:
        exponent = min(max(attempts - 1, 0), 60)  # 2**60 s is past any cap; avoids overflow
        wait = min(self.cap_seconds, self.base_seconds * 2.0**exponent)
        jitter = (rng or _RNG).uniform(0, wait / 2)
        return wait / 2 + jitter
