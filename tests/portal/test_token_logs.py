"""Portal links are secrets: no log line shows a token, whoever writes it (our request log,
Django's request and security loggers, daphne's access log) and Sentry's events neither."""

import asyncio
import logging
import urllib.error
import urllib.request

import pytest
import websockets
from django.test import Client

from procur.ops.logging import REDACTED
from procur.ops.sentry import redact_event

TOKEN = "Zx8-secret_token_value_that_must_not_leak_0123456"


def test_a_token_is_redacted_from_any_logged_message_and_arguments(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("django.request").warning("Not Found: %s", f"/s/{TOKEN}/counter/")
    logging.getLogger("daphne.ws").info(f"WSCONNECT /ws/s/{TOKEN}/?after=3:4")
    logging.getLogger("tests").info("%(path)s", {"path": f"https://x.example/s/{TOKEN}/"})
    assert TOKEN not in caplog.text
    assert [r.getMessage() for r in caplog.records] == [
        f"Not Found: /s/{REDACTED}/counter/",
        f"WSCONNECT /ws/s/{REDACTED}/?after=3:4",
        f"https://x.example/s/{REDACTED}/",
    ]


def test_other_paths_are_left_alone(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("tests").info("GET /suppliers/3/ and /static/css/procur.css")
    assert caplog.records[0].getMessage() == "GET /suppliers/3/ and /static/css/procur.css"


@pytest.mark.django_db
def test_portal_requests_log_no_token(caplog, invited):
    caplog.set_level(logging.INFO)
    client = Client(enforce_csrf_checks=True)
    client.get(invited.url)
    client.get(f"/s/{TOKEN}/")  # unknown: Django logs "Not Found"
    client.post(invited.url + "decline/", {"reason": "x"})  # no CSRF token: django.security
    assert {"procur.request", "django.request", "django.security.csrf"} <= {
        r.name for r in caplog.records
    }
    assert invited.token not in caplog.text and TOKEN not in caplog.text
    assert f"/s/{REDACTED}/" in caplog.text


def test_sentry_events_have_tokens_redacted():
    event = {
        "request": {
            "url": f"https://procur.example/s/{TOKEN}/",
            "headers": {"Referer": f"/s/{TOKEN}/"},
        },
        "breadcrumbs": {"values": [{"message": f"GET /ws/s/{TOKEN}/"}]},
        "level": "error",
    }
    assert TOKEN not in repr(redact_event(event, {}))
    assert redact_event(event, {})["level"] == "error"


def test_the_servers_access_log_shows_no_token(web_server, invited):
    url, log = web_server
    urllib.request.urlopen(f"{url}{invited.url}", timeout=30).read()
    with pytest.raises(urllib.error.HTTPError, match="404"):
        urllib.request.urlopen(f"{url}/s/{TOKEN}/", timeout=30)

    async def open_socket() -> None:
        ws_url = url.replace("http", "ws") + f"/ws/s/{invited.token}/"
        async with websockets.connect(ws_url, origin="http://127.0.0.1") as socket:
            await asyncio.wait_for(socket.recv(), timeout=30)

    asyncio.run(open_socket())
    printed = log.read_text()
    assert f'"GET /s/{REDACTED}/ HTTP' in printed or f"GET /s/{REDACTED}/" in printed, printed
    assert f"WSCONNECT /ws/s/{REDACTED}/" in printed, printed
    assert invited.token not in printed and TOKEN not in printed


def test_sentry_events_carry_no_token_in_frame_locals(settings):
    """An error while a portal request is handled: Sentry would record each frame's locals
    (the view's ``token``, Django's ``callback_kwargs`` and ``resolver_match``), where the token
    stands alone, not after ``/s/``."""
    import sentry_sdk
    from sentry_sdk.transport import Transport

    from procur.ops.sentry import init_sentry

    sent: list[dict] = []

    class Capture(Transport):  # Sentry's servers are the outside world
        def capture_envelope(self, envelope) -> None:
            sent.extend(item.payload.json for item in envelope.items if item.payload.json)

    init_sentry(dsn="https://key@sentry.example/1", environment="test", traces_sample_rate=0.0)
    sentry_sdk.get_client().transport = Capture()

    def portal_view(token: str) -> None:
        callback_kwargs = {"token": token}  # as django.core.handlers.base holds it
        raise RuntimeError(f"failed with {len(callback_kwargs)} argument")

    try:
        try:
            portal_view(TOKEN)
        except RuntimeError:
            sentry_sdk.capture_exception()
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # no DSN: reporting off again
    assert sent, "the event was not captured"
    assert TOKEN not in repr(sent)
