"""Unsafe requests need a CSRF token; production settings pass Django's deployment checks."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.security.routes import UNSAFE_METHODS, all_routes
from tests.test_negotiate_demo import database_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_every_unsafe_request_without_a_csrf_token_is_refused(ours, our_staff):
    client = Client(enforce_csrf_checks=True)
    accepted = []
    for route in all_routes():
        for url in route.urls(ours):
            for method in UNSAFE_METHODS:
                client.force_login(our_staff)
                response = client.generic(method, url, "text=hello")
                if response.status_code != 403 or b"CSRF" not in response.content:
                    accepted.append(f"{method} {url}: {response.status_code}")
    assert accepted == []


@pytest.mark.django_db
def test_the_same_post_with_its_token_goes_through(ours):
    """The control: the refusals above are the CSRF check's, not the views'."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(ours.user)
    client.get(f"/quotes/{ours.quote.pk}/")  # sets the CSRF cookie, as the page does
    token = client.cookies["csrftoken"].value
    url = f"/negotiations/{ours.negotiation.pk}/pause/"
    assert client.post(url).status_code == 403
    assert client.post(url, HTTP_X_CSRFTOKEN=token).status_code == 302
    ours.negotiation.refresh_from_db()
    assert ours.negotiation.status == "paused"


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PROCUR_METRICS_TOKEN": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "procur.example.com",
        "DATABASE_URL": database_url(),
    }
    env.update(overrides)
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.django_db
def test_production_settings_pass_the_deployment_checks():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_the_deployment_checks_catch_a_weak_setting():
    """The check above can fail: a short secret key is reported."""
    env = production_env(SECRET_KEY="short")
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


@pytest.mark.parametrize(
    "name",
    [
        "PROCUR_RATE_LIMIT_INTERVENTIONS",
        "PROCUR_RATE_LIMIT_QUOTES",
        "PROCUR_RATE_LIMIT_PORTAL_TOKEN",
        "PROCUR_RATE_LIMIT_PORTAL_ADDRESS",
    ],
)
def test_a_bad_rate_limit_stops_start_up_saying_what_to_set(name):
    result = manage("check", env={**os.environ, name: "lots"})
    assert result.returncode != 0
    assert f"{name}: 'lots' is not a rate" in result.stderr
