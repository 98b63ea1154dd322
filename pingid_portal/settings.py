"""Settings for pingid-portal, read from the environment with django-environ.

Every variable, its default and its meaning is listed in docs/configuration.md.
Without any variable set, the portal runs on embedded defaults: a SQLite file
under var/, Celery tasks run in-process and a development secret key in var/.
"""

import secrets
from pathlib import Path

import django_stubs_ext
import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

# Lets admin and queryset classes be subscripted at run time (ModelAdmin[Model]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PORTAL_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()


def _secret(name: str, default: str | None = None) -> str | None:
    """Read a secret from NAME, or from the file named by NAME_FILE."""
    file_name = env.str(f"{name}_FILE", default="")
    if file_name:
        return Path(file_name).read_text().strip()
    return env.str(name, default=default)


def _development_secret_key() -> str:
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


DEBUG = env.bool("DEBUG", default=False)
# A development run (DEBUG on) gets a key generated into var/; any other run
# must be given one.
SECRET_KEY = _secret("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is missing: set SECRET_KEY or SECRET_KEY_FILE, "
            "or set DEBUG=true for a development run."
        )
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip(
    "/"
)
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[PORTAL_BASE_URL])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "pingid_portal",
    "accounts",
    "activity",
    "users",
    "devices",
    "availability",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "accounts.sessions.SessionTimeoutMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "pingid_portal.tenancy.TenancyMiddleware",
    "pingid_portal.middleware.APINotFoundMiddleware",
]

ROOT_URLCONF = "pingid_portal.urls"
WSGI_APPLICATION = "pingid_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pingid_portal.context_processors.portal",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}")
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the in-process task runner and the dev server share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Exports and other private files; never served as static or media files.
EXPORT_STORAGE = Path(env.str("EXPORT_STORAGE", default=str(VAR_DIR / "exports")))
EXPORT_RETENTION_DAYS = env.int("EXPORT_RETENTION_DAYS", default=7)

# Key for secrets at rest (settings-file keys, TOTP seeds). Several keys may be
# given, comma separated: the first encrypts, all decrypt, which is how a key
# is rotated (see docs/security.md).
SECRETS_ENCRYPTION_KEYS = env.list(
    "SECRETS_ENCRYPTION_KEYS", default=[_secret("SECRETS_ENCRYPTION_KEY") or SECRET_KEY]
)

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = _secret("EMAIL_HOST_PASSWORD", default="") or ""
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="pingid-portal@localhost")

# Celery: without a broker, tasks run in-process (eagerly) for `make run` and tests.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "users-record-ended-bypasses": {
        "task": "users.tasks.record_ended_bypasses",
        "schedule": 60.0,
    },
    "activity-purge-expired": {
        "task": "activity.tasks.purge_expired_events",
        "schedule": crontab(minute=17),
    },
    "activity-verify-chains": {
        "task": "activity.tasks.schedule_integrity_checks",
        "schedule": crontab(hour=3, minute=41),
    },
    # The dashboard counts events above the watermark from the raw log, so
    # the interval bounds how many it groups per request, not correctness.
    "activity-update-authentication-counts": {
        "task": "activity.tasks.update_authentication_counts",
        "schedule": 300.0,
    },
    "activity-delete-expired-exports": {
        "task": "activity.tasks.delete_expired_exports",
        "schedule": crontab(minute=47),
    },
    "availability-probe": {
        "task": "availability.tasks.run_probes",
        "schedule": 60.0,
    },
}

# Cache: Redis when a broker URL is given (rate limits and sign-in throttling
# are shared by every web process); local memory otherwise.
REDIS_URL = env.str(
    "REDIS_URL",
    default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="pingid"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiTokenAuthentication"
    ],
    "DEFAULT_PERMISSION_CLASSES": ["pingid_portal.api.IsOrganizationMember"],
    "DEFAULT_PAGINATION_CLASS": "pingid_portal.api.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "pingid_portal.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["pingid_portal.api.JSONParser"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "pingid-portal management API",
    "DESCRIPTION": "Manage PingID users, devices, activity, availability and integrations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
}

# Security headers and cookies. Cookies are Secure unless DEBUG is on, because
# the development server speaks plain HTTP on loopback.
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SESSION_COOKIE_AGE = env.int("SESSION_ABSOLUTE_TIMEOUT_SECONDS", default=12 * 3600)
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https")
    if env.bool("BEHIND_TLS_PROXY", default=False)
    else None
)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "pingid_portal": {"level": env.str("LOG_LEVEL", default="INFO")},
        "accounts": {"level": env.str("LOG_LEVEL", default="INFO")},
        "activity": {"level": env.str("LOG_LEVEL", default="INFO")},
        "users": {"level": env.str("LOG_LEVEL", default="INFO")},
        "devices": {"level": env.str("LOG_LEVEL", default="INFO")},
        "availability": {"level": env.str("LOG_LEVEL", default="INFO")},
        "integrations": {"level": env.str("LOG_LEVEL", default="INFO")},
        "django.request": {"level": "ERROR"},
    },
}

# Integrations: the PingID API.
# Requests whose reqHeader.timestamp is further than this from server time are rejected.
PINGID_TIMESTAMP_TOLERANCE_SECONDS = env.int(
    "PINGID_TIMESTAMP_TOLERANCE_SECONDS", default=300
)
# An authentication started with startauthentication must finish within this time.
PINGID_SESSION_SECONDS = env.int("PINGID_SESSION_SECONDS", default=300)
# Accepted calls per settings file, and authentication calls per PingID user, per minute.
PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE = env.int(
    "PINGID_RATE_LIMIT_PER_FILE_PER_MINUTE", default=6000
)
PINGID_RATE_LIMIT_PER_USER_PER_MINUTE = env.int(
    "PINGID_RATE_LIMIT_PER_USER_PER_MINUTE", default=30
)
# Devices: one-time password verification, pairing and activation codes.
# Failed one-time passwords in a row after which a user's OTP is locked.
OTP_MAX_FAILURES = env.int("OTP_MAX_FAILURES", default=5)
# How long a locked OTP stays locked, in seconds, unless an administrator unlocks it.
OTP_LOCKOUT_SECONDS = env.int("OTP_LOCKOUT_SECONDS", default=900)
# How long an e-mailed one-time password stays valid, in seconds.
EMAIL_OTP_VALIDITY_SECONDS = env.int("EMAIL_OTP_VALIDITY_SECONDS", default=600)
# How long an authenticator-app or e-mail pairing may take, in seconds.
DEVICE_PAIRING_SECONDS = env.int("DEVICE_PAIRING_SECONDS", default=900)
# Wrong codes after which a pairing session is void and must be started again.
DEVICE_PAIRING_MAX_ATTEMPTS = env.int("DEVICE_PAIRING_MAX_ATTEMPTS", default=5)
# The device types an activation code can pair appear in several API fields.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),  # type: ignore[dict-item]
    "ActivationCodeDeviceTypeEnum": "devices.serializers.CODE_DEVICE_TYPES",
    "DeviceRoleEnum": "devices.models.DeviceRole",
}

# Accounts: expired portal sessions are deleted every hour.
CELERY_BEAT_SCHEDULE["accounts-delete-expired-sessions"] = {
    "task": "accounts.tasks.delete_expired_sessions",
    "schedule": crontab(minute=7),
}

# Integrations: delete finished and expired PingID API sessions.
CELERY_BEAT_SCHEDULE["integrations-delete-old-authentication-sessions"] = {
    "task": "integrations.tasks.delete_old_authentication_sessions",
    "schedule": crontab(minute=37),
}

# Every API operation documents the error envelope for its error statuses.
SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] = [
    "drf_spectacular.hooks.postprocess_schema_enums",
    "pingid_portal.api_docs.schema_add_error_responses",
]
# Administrator roles appear in several API fields; one name for them in the schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),  # type: ignore[dict-item]
    "AdministratorRoleEnum": "pingid_portal.permissions.Role.choices",
}


# Activity: a running export whose heartbeat is older than this many seconds
# lost its worker and may be taken over by a redelivered task.
EXPORT_STALE_SECONDS = env.int("EXPORT_STALE_SECONDS", default=120)
# An integrity check queued or running this long is taken to have died, so a
# new one may be queued. Verifying 10 million events takes minutes.
INTEGRITY_CHECK_STALE_SECONDS = env.int("INTEGRITY_CHECK_STALE_SECONDS", default=3600)


# Availability: health checks, probes, maintenance and emergency bypass.
# Age in seconds after which the latest worker heartbeat fails /health/ready.
HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int(
    "HEALTH_WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=180
)
# Seconds the database and broker checks wait for a connection.
HEALTH_CHECK_TIMEOUT_SECONDS = env.int("HEALTH_CHECK_TIMEOUT_SECONDS", default=3)
# Days probe results are kept; the uptime report shows 90.
AVAILABILITY_PROBE_RETENTION_DAYS = env.int(
    "AVAILABILITY_PROBE_RETENTION_DAYS", default=100
)
# Hours before a maintenance window that its banner appears.
AVAILABILITY_MAINTENANCE_NOTICE_HOURS = env.int(
    "AVAILABILITY_MAINTENANCE_NOTICE_HOURS", default=24
)
# Maximum length of a maintenance window and of an emergency bypass, in hours.
AVAILABILITY_MAINTENANCE_MAX_HOURS = env.int(
    "AVAILABILITY_MAINTENANCE_MAX_HOURS", default=72
)
AVAILABILITY_EMERGENCY_BYPASS_MAX_HOURS = env.int(
    "AVAILABILITY_EMERGENCY_BYPASS_MAX_HOURS", default=72
)
# Days from now within which a new maintenance window must start.
AVAILABILITY_MAINTENANCE_MAX_DAYS_AHEAD = env.int(
    "AVAILABILITY_MAINTENANCE_MAX_DAYS_AHEAD", default=365
)
CELERY_BEAT_SCHEDULE["availability-worker-heartbeat"] = {
    "task": "availability.tasks.record_worker_heartbeat",
    "schedule": 30.0,
}
CELERY_BEAT_SCHEDULE["availability-record-ended-emergency-bypasses"] = {
    "task": "availability.tasks.record_ended_emergency_bypasses",
    "schedule": 60.0,
}

# Users: PingID roles and services appear in several API fields; name their
# enumerations once in the OpenAPI schema.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] = {
    **SPECTACULAR_SETTINGS.get("ENUM_NAME_OVERRIDES", {}),  # type: ignore[dict-item]
    "PingIDRoleEnum": "users.models.PingIDRole",
    "PingIDServiceEnum": "users.models.Service",
    "PingIDUserStatusEnum": "users.models.UserStatus",
    "UserBulkJobStatusEnum": "users.models.JobStatus",
    "UserBulkActionEnum": "users.models.BulkAction",
    "UserImportStatusEnum": "users.models.ImportStatus",
}

# Security: administrator sign-in, sessions and headers (docs/security.md).
# The absolute timeout is also the session cookie's age.
SESSION_ABSOLUTE_TIMEOUT_SECONDS = SESSION_COOKIE_AGE
# Failed passwords or MFA codes within the window that lock an account name or
# an IP address, and how long a lockout lasts.
SIGN_IN_ACCOUNT_MAX_FAILURES = env.int("SIGN_IN_ACCOUNT_MAX_FAILURES", default=5)
SIGN_IN_IP_MAX_FAILURES = env.int("SIGN_IN_IP_MAX_FAILURES", default=20)
SIGN_IN_FAILURE_WINDOW_SECONDS = env.int("SIGN_IN_FAILURE_WINDOW_SECONDS", default=900)
SIGN_IN_LOCKOUT_SECONDS = env.int("SIGN_IN_LOCKOUT_SECONDS", default=900)
# The account and address lockouts above limit code guessing; django-otp's own
# per-device delay would reject a correct recovery code typed right after a typo.
OTP_STATIC_THROTTLE_FACTOR = 0
# Content Security Policy (django-csp 4): no inline scripts or styles anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
