import pytest
from celery import Celery
from django.contrib.auth.models import Permission

from procur import health
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def operator_client(client, organisation):
    """A client logged in as an operator (the ops page's permission): readyz explains."""
    operator = UserFactory(organisation=organisation, is_staff=True)
    operator.user_permissions.add(Permission.objects.get(codename="view_operations"))
    client.force_login(operator)
    return client


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_missing_worker(operator_client, settings, monkeypatch):
    # A real app on a Redis database that no worker consumes (the suite's worker may be running).
    unwatched = Celery("unwatched", broker=settings.REDIS_URL.rsplit("/", 1)[0] + "/15")
    monkeypatch.setattr(health, "celery_app", unwatched)
    response = operator_client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert "no celery worker answered" in body["checks"]["worker"]


def test_readyz_is_ready_with_a_worker(client, celery_worker):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


def test_readyz_names_an_unreachable_redis(operator_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = operator_client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("redis unreachable")


@pytest.mark.parametrize("who", ["anonymous", "member without the ops permission"])
def test_readyz_tells_others_what_fails_but_not_why(client, user, settings, caplog, who):
    if who != "anonymous":
        client.force_login(user)
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "redis": "failing", "worker": "failing"},
    }
    assert "127.0.0.1:1" not in response.content.decode()
    # The reason is in the log, for whoever runs the service.
    assert any("redis unreachable" in r.getMessage() for r in caplog.records)
