import pytest
from celery import Celery

from procur import health

pytestmark = pytest.mark.django_db(transaction=True)


def test_healthz_answers_without_touching_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_names_the_missing_worker(client, settings, monkeypatch):
    # A real app on a Redis database that no worker consumes (the suite's worker may be running).
    unwatched = Celery("unwatched", broker=settings.REDIS_URL.rsplit("/", 1)[0] + "/15")
    monkeypatch.setattr(health, "celery_app", unwatched)
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"] == "ok"
    assert "no celery worker answered" in body["checks"]["worker"]


def test_readyz_is_ready_with_a_worker(client, celery_worker):
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


def test_readyz_names_an_unreachable_redis(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("redis unreachable")
