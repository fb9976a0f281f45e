"""Shared fixtures: organisations and users, and a real Celery worker on the real broker.

With ``REDIS_URL`` unset the suite starts its own embedded Redis on a free port, so it never
shares a broker with a ``make run`` on the same machine.
"""

import atexit
import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.contrib.auth.models import Permission
from django.db import connections

from procur import embedded_redis, redis_client
from procur.celery import app as celery_app
from procur.settings import redis_settings
from tests.factories import OrganisationFactory, UserFactory
from tests.worker_gate import gate


def _point_at_embedded_redis() -> None:
    port = embedded_redis.free_port()
    process = embedded_redis.start(port, settings.VAR_DIR / "test-redis")
    atexit.register(process.terminate)
    for name, value in redis_settings(f"redis://127.0.0.1:{port}/0").items():
        setattr(settings, name, value)
    celery_app.conf.update(broker_url=settings.REDIS_URL, result_backend=settings.REDIS_URL)


# The suite writes under var/ (the SQLite test database, the embedded Redis, worker logs), and
# the web servers it starts serve var/static: settings only name these folders.
settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The scripted voice answers at once in the suite (here and in the processes it starts), whatever
# the embedded defaults' pace: a test that needs time between turns sets a pace of its own.
os.environ["PROCUR_SIMULATED_LLM_LATENCY"] = "0"
settings.PROCUR_SIMULATED_LLM_LATENCY = 0.0
if settings.EMBEDDED_REDIS:
    _point_at_embedded_redis()


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in Redis, outside the test's transaction, keyed by user id, and
    SQLite gives the next test's user the same id: every test starts with no requests counted."""
    client = redis_client.client()
    stale = list(client.scan_iter("procur:ratelimit:*"))
    if stale:
        client.delete(*stale)


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def user(organisation):
    return UserFactory(organisation=organisation)


@pytest.fixture
def approver(organisation):
    """A user of `organisation` who may award quotes and close them without award."""
    approver = UserFactory(organisation=organisation, username="approver")
    approver.user_permissions.add(
        Permission.objects.get(content_type__app_label="negotiations", codename="approve_awards")
    )
    return approver


@pytest.fixture
def approver_client(client, approver):
    client.force_login(approver)
    return client


@pytest.fixture
def other_user():
    """A user of another organisation: nothing of `organisation` may reach them."""
    return UserFactory()


@pytest.fixture
def staff_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _worker_gate(request):
    """The session's worker, once started, runs no task while a test's database is torn down
    (tests/worker_gate.py). pytest-django's own autouse fixture sets up a database a marker asks
    for before this one, so the gate shuts before that database is flushed; a database asked
    for only by a fixture is set up here first, for the same order."""
    if "transactional_db" in request.fixturenames:
        request.getfixturevalue("transactional_db")
    gate.open()
    yield
    gate.shut()


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker):
    """A real Celery worker (thread pool, four slots) consuming the real broker."""
    celery_app.loader.import_module("celery.contrib.testing.tasks")
    gate.connect()
    with (
        django_db_blocker.unblock(),
        start_worker(
            celery_app, pool="threads", concurrency=4, perform_ping_check=False, shutdown_timeout=30
        ) as worker,
    ):
        yield worker
        gate.open()  # the last test shut it: the worker's tasks finish before it stops
    # This runs at the end of the session, just before the test database is dropped: sessions
    # still open on it (the pool, a thread's or a server subprocess's connection) would stop that.
    for connection in connections.all():
        if getattr(connection, "pool", None) is not None:
            connection.close_pool()
        if connection.vendor == "postgresql":
            with django_db_blocker.unblock(), connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


@pytest.fixture
def fake_anthropic(settings):
    """The local fake Anthropic API (tests/fake_anthropic.py), with the anthropic voice pointed
    at it; a short timeout and few retries (the fake's retry-after keeps backoff short)."""
    from tests.fake_anthropic import FakeAnthropic

    with FakeAnthropic() as fake:
        settings.PROCUR_LLM = "anthropic"
        settings.ANTHROPIC_API_KEY = "test-key"
        settings.ANTHROPIC_BASE_URL = fake.url
        settings.PROCUR_ANTHROPIC_TIMEOUT = 10.0
        settings.PROCUR_ANTHROPIC_MAX_RETRIES = 2
        yield fake


@pytest.fixture
def mailbox(settings):
    """A local SMTP server (tests/mailbox.py) that Procur's mail goes to, through Django's SMTP
    backend, as in production."""
    from tests.mailbox import Mailbox

    with Mailbox() as box:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = box.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        yield box
