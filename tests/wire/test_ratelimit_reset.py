"""Cloud-specific rate-limit reset headers, read when a 429 carries no Retry-After."""

from __future__ import annotations

import pytest

from modelroute.exceptions import ErrorKind
from modelroute.wire.errors import build_error, parse_ratelimit_reset

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"x-ratelimit-reset-requests": "1s", "x-ratelimit-remaining-requests": "0"}, 1.0),
        ({"x-ratelimit-reset-tokens": "6m0s", "x-ratelimit-remaining-tokens": "0"}, 360.0),
        ({"x-ratelimit-reset-requests": "20ms"}, 0.02),
        ({"x-ratelimit-reset-requests": "1h2m3.5s", "x-ratelimit-remaining-requests": "0"}, 3723.5),
        # The exhausted limit decides, even when the other resets sooner.
        ({"x-ratelimit-reset-requests": "2s", "x-ratelimit-remaining-requests": "5",
          "x-ratelimit-reset-tokens": "30s", "x-ratelimit-remaining-tokens": "0"}, 30.0),
        ({"anthropic-ratelimit-tokens-reset": "2027-01-15T08:00:30Z", "anthropic-ratelimit-tokens-remaining": "0"},
         None),  # computed below
        ({"x-ratelimit-reset-requests": "soon"}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_reset_headers(headers: dict[str, str], seconds: float | None) -> None:
    if "anthropic-ratelimit-tokens-reset" in headers:
        from datetime import datetime

        when = datetime.fromisoformat("2027-01-15T08:00:30+00:00").timestamp()
        assert parse_ratelimit_reset(headers, now=when - 45) == pytest.approx(45)
        return
    assert parse_ratelimit_reset(headers, now=NOW) == (pytest.approx(seconds) if seconds is not None else None)


def test_retry_after_wins_and_only_rate_limits_read_resets() -> None:
    both = {"retry-after": "3", "x-ratelimit-reset-requests": "60s", "x-ratelimit-remaining-requests": "0"}
    assert build_error(ErrorKind.RATE_LIMITED, "m", status=429, headers=both).retry_after_s == 3
    only = {"x-ratelimit-reset-requests": "60s", "x-ratelimit-remaining-requests": "0"}
    assert build_error(ErrorKind.RATE_LIMITED, "m", status=429, headers=only).retry_after_s == 60
    assert build_error(ErrorKind.SERVER_ERROR, "m", status=500, headers=only).retry_after_s is None
