"""The room's websocket through the real ASGI app: auth, isolation, order, catch-up, gaps."""

import asyncio
import re
from collections.abc import Awaitable, Callable

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client
from django.test.signals import template_rendered

from negotiations import consumers, live
from negotiations.models import Message
from procur import redis_client
from procur.accounts import sessions
from procur.asgi import application
from tests.factories import QuoteFactory, UserFactory
from tests.ui.conftest import ask, offer

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


publish_negotiation = database_sync_to_async(live.publish_negotiation)


@database_sync_to_async
def add_offer(negotiation, seq: int, price: str, *, push: bool = True) -> None:
    """Store an offer and push it as the services do after commit (or lose the push)."""
    message = offer(negotiation, seq, price)
    if push:
        live.publish_message(message.pk)


@database_sync_to_async
def repeat_push(negotiation_id: int, seq: int) -> None:
    live.publish_message(Message.objects.get(negotiation_id=negotiation_id, seq=seq).pk)


async def join(quote_id: int, cookie: bytes, query: str = "") -> tuple[WebsocketCommunicator, str]:
    """A connected room socket and the catch-up it got on connecting."""
    socket = communicator(quote_id, cookie, query)
    assert (await socket.connect())[0]
    return socket, await socket.receive_from()


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
        outsider, _ = await join(their_quote.pk, other_user_cookie)
        await add_offer(started.negotiations[0], 3, "2.40")
        assert await outsider.receive_nothing(timeout=0.5)
        await outsider.disconnect()

    run(scenario)


def test_connecting_sends_the_whole_transcript_in_order(started, user_cookie):
    async def scenario():
        socket, html = await join(started.quote.pk, user_cookie)
        expected = [(n.pk, seq) for n in started.negotiations for seq in (1, 2)]
        assert message_ids(html) == expected
        assert 'id="price-chart"' in html and 'id="quote-header"' in html
        await socket.disconnect()

    run(scenario)


def test_reconnecting_catches_up_from_the_last_seq_without_duplicates(started, user_cookie):
    first, second, third = started.negotiations

    async def scenario():
        # The page already shows seq 1 of the first, both of the second, none of the third.
        query = f"after={first.pk}:1,{second.pk}:2,junk,{third.pk}:x"
        socket, html = await join(started.quote.pk, user_cookie, query)
        assert message_ids(html) == [(first.pk, 2), (third.pk, 1), (third.pk, 2)]
        await socket.disconnect()

    run(scenario)


def test_live_messages_arrive_once_and_in_order(started, user_cookie):
    negotiation = started.negotiations[0]

    async def scenario():
        socket, _ = await join(started.quote.pk, user_cookie)
        for seq, price in ((3, "2.40"), (4, "2.10"), (5, "2.30")):
            await add_offer(negotiation, seq, price)
        received = [message_ids(await socket.receive_from()) for _ in range(3)]
        assert received == [[(negotiation.pk, 3)], [(negotiation.pk, 4)], [(negotiation.pk, 5)]]
        await repeat_push(negotiation.pk, 5)
        assert message_ids(await socket.receive_from()) == []
        await socket.disconnect()

    run(scenario)


def test_a_dropped_push_is_filled_from_the_database(started, user_cookie):
    negotiation = started.negotiations[2]

    async def scenario():
        socket, _ = await join(started.quote.pk, user_cookie)
        await add_offer(negotiation, 3, "2.40", push=False)
        await add_offer(negotiation, 4, "2.10")
        html = await socket.receive_from()
        assert message_ids(html) == [(negotiation.pk, 3), (negotiation.pk, 4)]
        await socket.disconnect()

    run(scenario)


def test_a_state_push_also_brings_missed_messages(started, user_cookie):
    negotiation = started.negotiations[1]

    async def scenario():
        socket, _ = await join(started.quote.pk, user_cookie)
        await add_offer(negotiation, 3, "2.40", push=False)
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


def test_a_quote_push_leaves_the_question_boxes_alone(started, user_cookie):
    waiting = started.negotiations[0]
    ask(waiting, 3, "Accept a partial order?")

    async def scenario():
        socket, html = await join(started.quote.pk, user_cookie)
        assert f'id="neg-question-{waiting.pk}"' in html  # the catch-up brings the question
        await database_sync_to_async(live.publish_quote)(started.quote.pk)
        pushed = await socket.receive_from()
        assert f'id="neg-status-{waiting.pk}"' in pushed
        assert f'id="neg-question-{waiting.pk}"' not in pushed  # an answer being typed survives
        await socket.disconnect()

    run(scenario)


@pytest.mark.parametrize(
    "publish", [live.publish_message, live.publish_negotiation, live.publish_quote]
)
def test_publishing_a_missing_row_logs_and_never_raises(publish, caplog):
    watcher = redis_client.client().pubsub()  # someone watches that id: the push is tried
    watcher.subscribe(live.group_channel(987654321))
    try:
        assert live.has_viewers(987654321)
        publish(987654321)
    finally:
        watcher.close()
    assert "live push" in caplog.text


def test_pushes_are_rendered_only_while_someone_watches(started, user_cookie):
    negotiation = started.negotiations[0]
    rendered: list[str] = []

    def count(sender, template, **kwargs):
        rendered.append(template.name)

    template_rendered.connect(count)
    try:
        async_to_sync(add_offer)(negotiation, 3, "2.40")  # nobody in the group
        assert rendered == []

        async def scenario():
            socket, _ = await join(started.quote.pk, user_cookie)
            rendered.clear()
            await add_offer(negotiation, 4, "2.30")
            assert message_ids(await socket.receive_from()) == [(negotiation.pk, 4)]
            assert "negotiations/room_message.html" in rendered
            await socket.disconnect()

        run(scenario)
    finally:
        template_rendered.disconnect(count)


def test_a_process_holds_one_subscription_per_room_however_many_sockets_watch(started, user_cookie):
    negotiation = started.negotiations[0]
    channel = live.group_channel(started.quote.pk)

    def subscribers() -> int:
        [(_, count)] = redis_client.client().pubsub_numsub(channel)
        return count

    async def scenario():
        first, _ = await join(started.quote.pk, user_cookie)
        second, _ = await join(started.quote.pk, user_cookie)
        assert subscribers() == 1  # one channel for this process, not one per socket
        await add_offer(negotiation, 3, "2.40")
        assert message_ids(await first.receive_from()) == [(negotiation.pk, 3)]
        assert message_ids(await second.receive_from()) == [(negotiation.pk, 3)]
        await first.disconnect()
        await add_offer(negotiation, 4, "2.35")  # the room stays open for the other socket
        assert message_ids(await second.receive_from()) == [(negotiation.pk, 4)]
        assert subscribers() == 1
        await second.disconnect()
        for _ in range(50):  # the last socket out closes the channel (unsubscribe is async)
            if subscribers() == 0:
                break
            await asyncio.sleep(0.02)
        assert subscribers() == 0
        assert not live.has_viewers(started.quote.pk)

    run(scenario)


def test_pushes_that_arrive_during_the_catch_up_follow_it_in_order(started, user_cookie):
    negotiation = started.negotiations[0]

    async def scenario():
        watcher, _ = await join(started.quote.pk, user_cookie)  # keeps the room subscribed
        socket = communicator(started.quote.pk, user_cookie)
        connecting = asyncio.ensure_future(socket.connect())
        await add_offer(negotiation, 3, "2.40")  # while (or before) the new socket catches up
        assert (await connecting)[0]
        frames = [await socket.receive_from()]  # the catch-up, with or without the offer
        while not await socket.receive_nothing(timeout=0.3):
            frames.append(await socket.receive_from())
        seen = [ids for frame in frames for ids in message_ids(frame)]
        # Once: in the catch-up or in the push after it; and nothing else twice.
        assert seen.count((negotiation.pk, 3)) == 1
        assert len(seen) == len(set(seen))
        await socket.disconnect()
        await watcher.disconnect()

    run(scenario)


def _client_of(cookie: bytes) -> Client:
    """A test client holding the session of ``cookie`` (as the browser that opened the socket)."""
    client = Client()
    name, _, value = cookie.decode().partition("=")
    client.cookies[name] = value
    return client


def test_logging_out_closes_that_sessions_sockets_only(started, user):
    this_session, other_session = session_cookie(user), session_cookie(user)
    logout = database_sync_to_async(lambda: _client_of(this_session).post("/logout/"))

    async def scenario():
        socket, _ = await join(started.quote.pk, this_session)
        same_session, _ = await join(started.quote.pk, this_session)
        other_tab, _ = await join(started.quote.pk, other_session)
        response = await logout()
        assert response.status_code == 302
        for closed in (socket, same_session):
            assert await closed.receive_output(timeout=5) == {
                "type": "websocket.close",
                "code": consumers.SESSION_ENDED,
            }
        # The same user's other session (another browser) keeps its room.
        assert await other_tab.receive_nothing(timeout=0.3)
        await add_offer(started.negotiations[0], 3, "2.40")
        assert message_ids(await other_tab.receive_from()) == [(started.negotiations[0].pk, 3)]
        await other_tab.disconnect()

    run(scenario)


def test_a_socket_whose_session_expired_or_was_deleted_closes(started, user, monkeypatch):
    from django.contrib.sessions.models import Session

    monkeypatch.setattr(sessions, "RECHECK_SECONDS", 0.1)
    cookie = session_cookie(user)
    session_key = cookie.decode().partition("=")[2]
    delete = database_sync_to_async(lambda: Session.objects.filter(pk=session_key).delete())

    async def scenario():
        socket, _ = await join(started.quote.pk, cookie)
        assert await socket.receive_nothing(timeout=0.5)  # rechecked, still alive
        await delete()
        assert await socket.receive_output(timeout=5) == {
            "type": "websocket.close",
            "code": consumers.SESSION_ENDED,
        }

    run(scenario)
