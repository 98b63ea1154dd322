"""Settings of the PingID API benchmark: the product's, plus a baseline view."""

from pingid_portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pingid_urls"
# Every call of the run comes from one settings file and many users.
PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE = 10_000_000
PINGID_SESSION_SECONDS = 3600
LOGGING = {"version": 1, "disable_existing_loggers": False}
