"""Every URL pattern x every method x the other organisation's ids, and every websocket route
x {anonymous, other organisation, evil Origin}: nothing but a refusal, nothing of theirs shown.

The routes come from the URL resolver (tests/security/routes.py), so a new one is covered the
day it is added.
"""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from negotiations.routing import websocket_urlpatterns
from procur.asgi import application
from tests.security.conftest import CANARY
from tests.security.routes import METHODS, Route, all_routes

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}
MISSING_ID = 987654321
LOGIN_PAGES = ("/login/", "/admin/login/")
ROUTES = all_routes()


def request(client: Client, method: str, url: str, theirs):
    """One request; unsafe ones carry a body naming the other organisation's rows."""
    body = {
        "text": "Accept their offer",
        "client_id": "matrix",
        "negotiation": theirs.negotiation.pk,
        "suppliers": [theirs.supplier.pk],
        "organisation": theirs.organisation.pk,
        "quote": theirs.quote.pk,
    }
    if method in ("GET", "HEAD", "OPTIONS", "DELETE"):
        return client.generic(method, url)
    if method == "POST":
        return client.post(url, body)
    return client.generic(
        method,
        url,
        f"text=x&negotiation={theirs.negotiation.pk}",
        content_type="application/x-www-form-urlencoded",
    )


def outcome(response) -> tuple[int, str]:
    return response.status_code, response.get("Location", "")


def leaked(response) -> bool:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return CANARY.lower().encode() in content.lower()


def test_the_matrix_covers_every_kind_of_route():
    names = {route.name for route in ROUTES}
    assert {
        "quote_room",
        "negotiation_action",
        "supplier_edit",
        "ops_requeue",
        "notification_open",
    } <= names
    exports = {"quote_transcript_csv", "quote_record_json", "quote_award_pdf"}
    assert {*exports, "negotiation_transcript_csv"} <= names
    invitations = {"negotiation_invitation_link", "negotiation_invitation_resend"}
    assert {*invitations, "negotiation_invitation_revoke", "negotiation_message_supplier"} <= names
    assert "admin:negotiations_message_change" in names
    assert sum(route.model is not None for route in ROUTES) >= 40


def _sweep(client: Client, login, theirs) -> list[str]:
    """Every route and method against ``theirs``; the violations found."""
    violations = []
    for route in ROUTES:
        for url in route.urls(theirs):
            for method in METHODS:
                login()
                response = request(client, method, url, theirs)
                where = f"{method} {url} ({route.name})"
                if leaked(response):
                    violations.append(f"{where}: shows the other organisation's data")
                if route.model is None:
                    continue  # the user's own pages (dashboard, lists, forms): no leak is the test
                if response.status_code in REFUSED or _refused_as_missing(
                    client, route, method, url, response, theirs
                ):
                    continue
                violations.append(f"{where}: {response.status_code} {response.get('Location')}")
    return violations


def _refused_as_missing(client, route: Route, method, url, response, theirs) -> bool:
    """A redirect is a refusal if it is exactly what an id that exists nowhere gets: to the
    login page, or the admin's "doesn't exist" (which Django's admin answers with a redirect)."""
    if response.status_code not in (301, 302):
        return False
    if response["Location"].startswith(LOGIN_PAGES):
        return True
    if not route.admin:
        return False
    object_id = theirs.object_of(route.model).pk
    missing_url = next(
        u
        for u in route.urls(theirs, object_id=MISSING_ID)
        if u.replace(str(MISSING_ID), str(object_id)) == url
    )
    status, location = outcome(request(client, method, missing_url, theirs))
    return (status, location.replace(str(MISSING_ID), str(object_id))) == outcome(response)


@pytest.mark.parametrize("who", ["user", "staff", "anonymous"])
def test_no_route_gives_another_organisation_anything(who, ours, our_staff, theirs):
    client = Client()
    user = {"user": ours.user, "staff": our_staff, "anonymous": None}[who]

    def login() -> None:
        # Every time: the matrix posts to the logout routes too.
        if user is not None:
            client.force_login(user)

    assert _sweep(client, login, theirs) == []


def test_the_owner_reaches_every_object_route(ours, our_staff, theirs):
    """The control: with its own ids, each object route answers its owner, so the refusals
    above come from the organisation check, not from ids that fill no route."""
    client = Client()
    unreachable = []
    for route in ROUTES:
        if route.model is None or "view_on_site" in route.name:
            continue  # no model has a page outside the admin, so the shortcut is a 404 for all
        for url in route.urls(ours):
            client.force_login(our_staff)
            statuses = {request(client, m, url, theirs).status_code for m in ("GET", "POST")}
            if statuses <= {404}:
                unreachable.append(url)
    assert unreachable == []


WEBSOCKET_ROUTES = [str(p.pattern) for p in websocket_urlpatterns]


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}".encode()


def connects(path: str, *, cookie: bytes = b"", origin: bytes = b"http://127.0.0.1") -> bool:
    headers = [(b"origin", origin)] + ([(b"cookie", cookie)] if cookie else [])

    async def scenario() -> bool:
        socket = WebsocketCommunicator(application, path, headers=headers)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    return async_to_sync(scenario)()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("route", WEBSOCKET_ROUTES)
def test_every_websocket_route_refuses_outsiders(route, ours, theirs):
    assert route.count("<") == 1 and "quote_id" in route, f"teach this test {route}'s parameters"
    ours_path = "/" + route.replace("<int:quote_id>", str(ours.quote.pk))
    theirs_path = "/" + route.replace("<int:quote_id>", str(theirs.quote.pk))
    our_cookie = session_cookie(ours.user)
    # The control: the owner, from our own origin, gets in.
    assert connects(ours_path, cookie=our_cookie)
    assert not connects(theirs_path), "anonymous"
    assert not connects(ours_path), "anonymous, our quote"
    assert not connects(theirs_path, cookie=our_cookie), "another organisation's quote"
    assert not connects(ours_path, cookie=our_cookie, origin=b"https://evil.example"), "origin"
    assert not connects(ours_path, cookie=our_cookie, origin=b"null"), "null origin"
