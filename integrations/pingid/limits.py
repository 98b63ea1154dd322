"""Rate limits and replay detection, kept in Django's cache.

The cache is Redis in production, so every web process shares the counters;
the embedded default is local memory, which is per process.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache

from integrations.pingid.errors import ErrorId, PingIDError

WINDOW_SECONDS = 60


def _window_count(key: str) -> int:
    """Count one more call in the current one-minute window of `key`."""
    window = int(time.time()) // WINDOW_SECONDS
    window_key = f"pingid:rate:{key}:{window}"
    # `add` then `incr` is atomic on Redis; the key expires after its window.
    cache.add(window_key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        return cache.incr(window_key)
    except ValueError:
        # The key expired between `add` and `incr`.
        cache.add(window_key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def settings_file_limit_check(settings_file_id: int) -> None:
    limit = settings.PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE
    if _window_count(f"file:{settings_file_id}") > limit:
        raise PingIDError(
            ErrorId.RATE_LIMIT_SETTINGS_FILE,
            f"Rate limit exceeded: this settings file may make {limit} calls per "
            "minute. Retry after the minute ends.",
            http_status=429,
        )


def user_limit_error(organization_id: int, username_key: str) -> PingIDError | None:
    """Count an authentication call for a PingID user; return the error past the limit."""
    limit = settings.PINGID_RATE_LIMIT_PER_USER_PER_MINUTE
    digest = hashlib.sha256(username_key.encode("utf-8")).hexdigest()[:32]
    if _window_count(f"user:{organization_id}:{digest}") > limit:
        return PingIDError(
            ErrorId.RATE_LIMIT_USER,
            f"Rate limit exceeded: at most {limit} authentication calls per minute "
            "for one PingID user. Retry after the minute ends.",
            http_status=429,
        )
    return None


def user_limit_check(organization_id: int, username_key: str) -> None:
    error = user_limit_error(organization_id, username_key)
    if error is not None:
        raise error


def replay_check(token: str, signature: bytes) -> None:
    """Reject a request whose signature was already accepted within the window."""
    digest = hashlib.sha256(token.encode("ascii") + b"." + signature).hexdigest()
    # Twice the tolerance: a request cannot be fresh any longer than that.
    timeout = 2 * settings.PINGID_TIMESTAMP_TOLERANCE_SECONDS + 1
    if not cache.add(f"pingid:replay:{digest}", 1, timeout=timeout):
        raise PingIDError(
            ErrorId.REPLAYED_REQUEST,
            "Replayed request: an identical signed request was already received. "
            "Sign every request with a new timestamp.",
            http_status=401,
        )
