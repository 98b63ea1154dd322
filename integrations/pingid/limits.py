"""Rate limits and replay detection, kept in Django's cache.

The cache is Redis in production, so every web process shares the counters;
the embedded default is local memory, which is per process. On Redis, the
commands of one check go in one pipeline, one network round trip.
"""

from __future__ import annotations

import hashlib
import time

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache

from integrations.pingid.errors import ErrorId, PingIDError

WINDOW_SECONDS = 60
# A window's counter outlives its window, so a late increment still finds it.
WINDOW_KEY_SECONDS = 2 * WINDOW_SECONDS


def _window_key(name: str) -> str:
    window = int(time.time()) // WINDOW_SECONDS
    return f"pingid:rate:{name}:{window}"


def _replay_key(token: str, signature: bytes) -> str:
    digest = hashlib.sha256(token.encode("ascii") + b"." + signature).hexdigest()
    return f"pingid:replay:{digest}"


def _replay_seconds() -> int:
    # Twice the tolerance: a request cannot be fresh any longer than that.
    return 2 * settings.PINGID_TIMESTAMP_TOLERANCE_SECONDS + 1


def _count_and_mark(counter: str, mark: str | None = None) -> tuple[int, bool]:
    """Count one call under the window key `counter`; set the key `mark` if absent.

    Returns the count in the window and whether `mark` was newly set (True
    when no mark is asked for).
    """
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        # NOTE: uses the client of Django's Redis backend, which Django
        # 5.2 keeps in the private attribute `_cache`.
        counter_key = backend.make_and_validate_key(counter)
        client = backend._cache.get_client(counter_key, write=True)  # type: ignore[attr-defined]
        pipeline = client.pipeline(transaction=False)
        if mark is not None:
            pipeline.set(
                backend.make_and_validate_key(mark), 1, nx=True, ex=_replay_seconds()
            )
        pipeline.incr(counter_key)
        pipeline.expire(counter_key, WINDOW_KEY_SECONDS)
        results = pipeline.execute()
        marked = bool(results[0]) if mark is not None else True
        return int(results[-2]), marked
    marked = mark is None or cache.add(mark, 1, timeout=_replay_seconds())
    # `add` then `incr` is atomic within one process's local memory.
    cache.add(counter, 0, timeout=WINDOW_KEY_SECONDS)
    try:
        return cache.incr(counter), marked
    except ValueError:
        # The key expired between `add` and `incr`.
        cache.add(counter, 1, timeout=WINDOW_KEY_SECONDS)
        return 1, marked


def call_admit(token: str, signature: bytes, settings_file_id: int) -> None:
    """Reject a replayed request, then one past the settings file's rate limit.

    A request is a replay when a request with the same signature was accepted
    within twice the timestamp tolerance.
    """
    count, fresh = _count_and_mark(
        _window_key(f"file:{settings_file_id}"), _replay_key(token, signature)
    )
    if not fresh:
        raise PingIDError(
            ErrorId.REPLAYED_REQUEST,
            "Replayed request: an identical signed request was already received. "
            "Sign every request with a new timestamp.",
            http_status=401,
        )
    limit = settings.PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE
    if count > limit:
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
    count, _ = _count_and_mark(_window_key(f"user:{organization_id}:{digest}"))
    if count > limit:
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
