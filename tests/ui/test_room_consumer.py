"""The room's websocket through the real ASGI app: auth, isolation, order, catch-up, gaps."""

import re
from collections.abc import Awaitable, Callable

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from negotiations import live
from procur.asgi import application
from tests.factories import QuoteFactory, UserFactory
from tests.ui.conftest import offer

pytestmark = pytest.mark.django_db(transaction=True)

MESSAGE_ID = re.compile(r'id="msg-(\d+)-(\d+)"')


def run(scenario: Callable[[], Awaitable[None]]) -> None:
    async_to_sync(scenario)()


def session_cookie(user) -> bytes:
    """A logged-in session, made synchronously before the scenario's event loop runs."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    return f"{settings.SESSION_COOKIE_NAME}={session}".encode()


def communicator(quote_id: int, cookie: bytes = b"", query: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie))
    path = f"/ws/quotes/{quote_id}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=headers)


@pytest.fixture
def user_cookie(user) -> bytes:
    return session_cookie(user)


@pytest.fixture
def other_user_cookie(other_user) -> bytes:
    return session_cookie(other_user)


def message_ids(html: str) -> list[tuple[int, int]]:
    return [(int(n), int(s)) for n, s in MESSAGE_ID.findall(html)]


publish_message = database_sync_to_async(live.publish_message)
publish_negotiation = database_sync_to_async(live.publish_negotiation)
create_offer = database_sync_to_async(offer)


def test_an_anonymous_socket_is_refused(started):
    async def scenario():
        connected, _ = await communicator(started.quote.pk).connect()
        assert not connected

    run(scenario)


def test_another_organisations_user_is_refused(started, other_user_cookie):
    async def scenario():
        connected, _ = await communicator(started.quote.pk, other_user_cookie).connect()
        assert not connected

    run(scenario)


def test_outsiders_receive_nothing_of_another_quote(started, other_user, other_user_cookie):
    their_quote = QuoteFactory(organisation=other_user.organisation)

    async def scenario():
        outsider = communicator(their_quote.pk, other_user_cookie)
        connected, _ = await outsider.connect()
        assert connected
        await outsider.receive_from()  # their own (empty) catch-up
        await create_offer(started.negotiations[0], 3, "2.40")
        await publish_message(await _last_message_id(started.negotiations[0].pk))
        assert await outsider.receive_nothing(timeout=0.5)
        await outsider.disconnect()

    run(scenario)


@database_sync_to_async
def _last_message_id(negotiation_id: int) -> int:
    from negotiations.models import Message

    return Message.objects.filter(negotiation_id=negotiation_id).latest("seq").pk


def test_connecting_sends_the_whole_transcript_in_order(started, user_cookie):
    async def scenario():
        socket = communicator(started.quote.pk, user_cookie)
        assert (await socket.connect())[0]
        html = await socket.receive_from()
        expected = [(n.pk, seq) for n in started.negotiations for seq in (1, 2)]
        assert message_ids(html) == expected
        assert 'id="price-chart"' in html and 'id="quote-header"' in html
        await socket.disconnect()

    run(scenario)


def test_reconnecting_catches_up_from_the_last_seq_without_duplicates(started, user_cookie):
    first, second, third = started.negotiations

    async def scenario():
        # The page already shows seq 1 of the first, both of the second, none of the third.
        socket = communicator(
            started.quote.pk, user_cookie, f"after={first.pk}:1,{second.pk}:2,junk,{third.pk}:x"
        )
        assert (await socket.connect())[0]
        html = await socket.receive_from()
        assert message_ids(html) == [(first.pk, 2), (third.pk, 1), (third.pk, 2)]
        await socket.disconnect()

    run(scenario)


def test_live_messages_arrive_once_and_in_order(started, user_cookie):
    negotiation = started.negotiations[0]

    async def scenario():
        socket = communicator(started.quote.pk, user_cookie)
        assert (await socket.connect())[0]
        await socket.receive_from()
        for seq, price in ((3, "2.40"), (4, "2.10"), (5, "2.30")):
            await create_offer(negotiation, seq, price)
            await publish_message(await _last_message_id(negotiation.pk))
        received = [message_ids(await socket.receive_from()) for _ in range(3)]
        assert received == [[(negotiation.pk, 3)], [(negotiation.pk, 4)], [(negotiation.pk, 5)]]
        await publish_message(await _last_message_id(negotiation.pk))  # a repeated push
        assert message_ids(await socket.receive_from()) == []
        await socket.disconnect()

    run(scenario)


def test_a_dropped_push_is_filled_from_the_database(started, user_cookie):
    negotiation = started.negotiations[2]

    async def scenario():
        socket = communicator(started.quote.pk, user_cookie)
        assert (await socket.connect())[0]
        await socket.receive_from()
        await create_offer(negotiation, 3, "2.40")  # its push is lost
        await create_offer(negotiation, 4, "2.10")
        await publish_message(await _last_message_id(negotiation.pk))
        html = await socket.receive_from()
        assert message_ids(html) == [(negotiation.pk, 3), (negotiation.pk, 4)]
        await socket.disconnect()

    run(scenario)


def test_a_state_push_also_brings_missed_messages(started, user_cookie):
    negotiation = started.negotiations[1]

    async def scenario():
        socket = communicator(started.quote.pk, user_cookie)
        assert (await socket.connect())[0]
        await socket.receive_from()
        await create_offer(negotiation, 3, "2.40")  # its push is lost
        await publish_negotiation(negotiation.pk)
        html = await socket.receive_from()
        assert message_ids(html) == [(negotiation.pk, 3)]
        assert f'id="neg-status-{negotiation.pk}" class="col-status" hx-swap-oob="true"' in html
        await socket.disconnect()

    run(scenario)


def test_a_user_without_organisation_is_refused(started):
    platform_user_cookie = session_cookie(UserFactory(organisation=None))

    async def scenario():
        connected, _ = await communicator(started.quote.pk, platform_user_cookie).connect()
        assert not connected

    run(scenario)
