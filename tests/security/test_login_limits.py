"""Login attempts are rate-limited per client address and per username, on the app's login page
and the admin's: over a limit, 429 with the message in the form, the password never checked."""

import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.security.test_rate_limits import within_one_window

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # the factories' password
LOGIN_PAGES = ["/login/", "/admin/login/"]


@pytest.fixture
def limits(settings):
    settings.PROCUR_RATE_LIMIT_LOGIN_ADDRESS = "6/hour"
    settings.PROCUR_RATE_LIMIT_LOGIN_USERNAME = "3/hour"
    return settings


def attempt(url: str, username: str, password: str, address: str = "203.0.113.7"):
    return Client(REMOTE_ADDR=address).post(url, {"username": username, "password": password})


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_a_username_is_refused_after_its_limit_even_with_the_right_password(limits, url):
    def scenario():
        user = UserFactory(is_staff=True)
        # Attempts from three addresses: the username's own count stops them.
        wrong = [attempt(url, user.username, "guess", f"198.51.100.{i}") for i in range(3)]
        assert [r.status_code for r in wrong] == [200, 200, 200]
        refused = attempt(url, user.username.upper(), PASSWORD, "198.51.100.9")
        assert refused.status_code == 429
        assert 0 < int(refused["Retry-After"]) <= 3600
        body = refused.content.decode()
        assert "Too many login attempts for this username: at most 3 every hour." in body
        assert 'name="password"' in body  # the form again, not a bare error
        assert "_auth_user_id" not in refused.client.session
        # Another account from a fresh address still logs in.
        other = UserFactory(is_staff=True)
        assert attempt(url, other.username, PASSWORD, "198.51.100.10").status_code == 302

    within_one_window(scenario)


@pytest.mark.parametrize("url", LOGIN_PAGES)
def test_an_address_is_refused_after_its_limit_whatever_the_username(limits, url):
    def scenario():
        address = "192.0.2.1"
        statuses = [attempt(url, f"nobody-{i}", "guess", address).status_code for i in range(6)]
        assert statuses == [200] * 6
        user = UserFactory(is_staff=True)
        refused = attempt(url, user.username, PASSWORD, address)
        assert refused.status_code == 429
        assert "Too many login attempts from your address" in refused.content.decode()
        assert attempt(url, user.username, PASSWORD, "192.0.2.251").status_code == 302

    within_one_window(scenario)


@pytest.mark.parametrize("url", LOGIN_PAGES)
@pytest.mark.parametrize(
    "data",
    [{}, {"username": "x" * 10_000, "password": "y"}, {"username": "\x00é☃", "password": ""}],
)
def test_odd_login_posts_are_answered_not_500(limits, url, data):
    for _ in range(8):  # past both limits
        response = Client(REMOTE_ADDR="203.0.113.99").post(url, data)
        assert response.status_code in (200, 429)


def test_the_login_page_explains_a_wrong_password(client):
    user = UserFactory()
    response = client.post("/login/", {"username": user.username, "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
