"""The portal's websocket through the real ASGI app: the token authenticates it, catch-up by
the shared messages' numbers (never the seq), the brand's replies live, one frame per commit the
supplier can see and none for the brand's internal entries, nothing internal in any frame, and it
closes when the link goes."""

import re

import pytest
from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction

from negotiations.models import Message, Negotiation, NegotiationStatus, Sender
from negotiations.services import negotiation_answer, negotiation_guide
from negotiations.services.invitations import invitation_revoke
from negotiations.services.supplier_replies import supplier_counter
from negotiations.services.transcript import append_message, lock_negotiation
from portal import consumers
from procur.asgi import application
from tests.orchestration.conftest import wait_for
from tests.orchestration.invited import offer
from tests.portal.conftest import assert_nothing_internal, play_brand
from tests.ui.test_room_consumer import communicator as room_communicator
from tests.ui.test_room_consumer import message_ids, session_cookie

pytestmark = pytest.mark.django_db(transaction=True)

NUMBERS = re.compile(r'id="msg-\d+-(\d+)"')


def communicator(
    token: str, query: str = "", origin: bytes = b"http://127.0.0.1"
) -> WebsocketCommunicator:
    path = f"/ws/s/{token}/" + (f"?{query}" if query else "")
    return WebsocketCommunicator(application, path, headers=[(b"origin", origin)])


def connects(token: str, origin: bytes = b"http://127.0.0.1") -> bool:
    async def scenario() -> bool:
        socket = communicator(token, origin=origin)
        connected, _ = await socket.connect()
        await socket.disconnect()
        return connected

    return async_to_sync(scenario)()


def numbers(html: str) -> list[int]:
    """The numbers the messages in ``html`` are known by (their ids' last part)."""
    return [int(n) for n in NUMBERS.findall(html)]


def shared_seqs(negotiation) -> list[int]:
    return list(negotiation.messages.filter(audience="shared").values_list("seq", flat=True))


def last_shown(negotiation) -> int:
    """The number of the latest message the portal shows: they count the shared ones."""
    return len(shared_seqs(negotiation))


# Long enough for a push that follows another to arrive.
QUIET = 3.0


async def frames_until_quiet(socket: WebsocketCommunicator) -> list[str]:
    """The next frame and any that follow it until the socket is quiet (each push the portal
    gets is one frame: it answers every event with the page's state)."""
    frames = [await socket.receive_from(timeout=15)]
    while not await socket.receive_nothing(timeout=QUIET):
        frames.append(await socket.receive_from())
    return frames


async def staff_room(quote_id: int, cookie: bytes) -> WebsocketCommunicator:
    """Staff's room socket of the quote, past its catch-up."""
    socket = room_communicator(quote_id, cookie)
    assert (await socket.connect())[0]
    await socket.receive_from(timeout=30)
    return socket


def test_an_unknown_or_gone_link_is_refused(invited, user):
    assert connects(invited.token)
    assert not connects("x" * 43)
    assert not connects(invited.token, origin=b"https://evil.example"), "another site's page"
    invitation_revoke(negotiation=invited.negotiation, by=user)
    assert not connects(invited.token)


def test_connects_are_rate_limited(invited, settings):
    settings.PROCUR_RATE_LIMIT_PORTAL_TOKEN = "2/hour"
    assert connects(invited.token) and connects(invited.token)
    assert not connects(invited.token)


def test_the_catch_up_sends_the_shared_messages_after_the_clients_last(invited):
    negotiation = invited.negotiation
    shown = last_shown(negotiation)

    async def scenario() -> None:
        socket = communicator(invited.token)
        assert (await socket.connect())[0]
        everything = await socket.receive_from(timeout=10)
        await socket.disconnect()
        assert numbers(everything) == list(range(1, shown + 1))
        assert 'id="portal-status"' in everything and 'id="portal-actions"' in everything
        assert_nothing_internal(everything)

        socket = communicator(invited.token, f"after={negotiation.pk}:{shown}")
        assert (await socket.connect())[0]
        newer = await socket.receive_from(timeout=10)
        assert numbers(newer) == []  # nothing newer: the state fragments only
        assert 'id="portal-offers"' in newer
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_brands_reply_arrives_live_and_internal_entries_never_do(invited, user):
    negotiation = invited.negotiation

    @database_sync_to_async
    def counter_and_reply() -> None:
        supplier_counter(negotiation=negotiation, terms=offer("2.10"), text="Can do", client_id="c")
        play_brand(negotiation)

    @database_sync_to_async
    def guide() -> None:
        negotiation_guide(negotiation=negotiation, author=user, text="GUIDANCE-CANARY hold firm")

    last_seen = last_shown(negotiation)

    async def scenario() -> None:
        socket = communicator(invited.token, f"after={negotiation.pk}:{last_seen}")
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=10)  # the catch-up
        await counter_and_reply()
        frames = []
        while True:
            frames.append(await socket.receive_from(timeout=15))
            if "Your turn" in frames[-1]:
                break
        pushed = "".join(frames)
        assert "Can do" in pushed  # the supplier's own counter, under "You"
        assert '<span class="sender">You</span>' in pushed
        brand_reply = await database_sync_to_async(last_shown)(negotiation)
        assert f'id="msg-{negotiation.pk}-{brand_reply}"' in pushed
        assert_nothing_internal(pushed)
        # Staff guidance is internal: whatever it pushes carries none of it.
        await guide()
        while not await socket.receive_nothing(timeout=1):
            assert_nothing_internal(await socket.receive_from())
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_portal_numbers_the_shared_messages_so_no_gap_counts_internal_ones(
    invited, supplier_client
):
    """Internal entries sit between the shared messages: by seq, the supplier would read how
    many. Its page, catch-up and pushes number the shared messages 1, 2, 3, ...; a page that
    reconnects saying the last it shows gets what follows, once."""
    negotiation = invited.negotiation
    supplier_counter(negotiation=negotiation, terms=offer("2.10"), text="Can do", client_id="1")
    play_brand(negotiation)
    seqs = shared_seqs(negotiation)
    assert seqs != list(range(seqs[0], seqs[0] + len(seqs))), "no internal entry in between"
    shown = list(range(1, len(seqs) + 1))

    page = supplier_client.get(invited.url).content.decode()
    assert numbers(page) == shown
    assert re.findall(r'data-seq="(\d+)"', page) == [str(n) for n in shown]

    @database_sync_to_async
    def counter_again() -> None:
        supplier_counter(negotiation=negotiation, terms=offer("2.05"), text="Final", client_id="2")

    async def scenario() -> None:
        socket = communicator(invited.token)
        assert (await socket.connect())[0]
        assert numbers(await socket.receive_from(timeout=30)) == shown
        await socket.disconnect()

        socket = communicator(invited.token, f"after={negotiation.pk}:{shown[-2]}")
        assert (await socket.connect())[0]
        caught_up = await socket.receive_from(timeout=30)
        assert numbers(caught_up) == shown[-1:]
        assert "Can do" not in caught_up  # the counter before it, which the page has
        await counter_again()
        # The session's worker, if one runs, may answer before the push goes out: its reply
        # then comes in the same frame or the next, numbered next.
        pushed = await frames_until_quiet(socket)
        assert "Final" in pushed[0]
        got = [n for frame in pushed for n in numbers(frame)]
        assert got == list(range(len(shown) + 1, len(shown) + 1 + len(got))) and len(got) <= 2
        await socket.disconnect()

    async_to_sync(scenario)()


def status_becomes(negotiation, *statuses: str):
    """Wait until the worker has moved ``negotiation`` to one of ``statuses``."""
    return database_sync_to_async(wait_for)(
        lambda: Negotiation.objects.get(pk=negotiation.pk).status in statuses
    )


def test_each_move_is_one_frame_however_much_it_changes(celery_worker, invited, user):
    """A move's message and its change of status are one commit: the portal reads it once (the
    supplier's counter, then the brand's reply, which the worker plays). Staff still get the
    message and the state pushes."""
    negotiation = invited.negotiation
    counter = database_sync_to_async(supplier_counter)
    last_seen = last_shown(negotiation)
    cookie = session_cookie(user)

    async def scenario() -> None:
        portal = communicator(invited.token, f"after={negotiation.pk}:{last_seen}")
        assert (await portal.connect())[0]
        await portal.receive_from(timeout=30)  # the catch-up
        staff = await staff_room(invited.quote.pk, cookie)

        countered = await counter(
            negotiation=negotiation, terms=offer("2.10"), text="Can do", client_id="c"
        )
        await status_becomes(negotiation, NegotiationStatus.WAITING_FOR_SUPPLIER)
        frames = await frames_until_quiet(portal)
        assert len(frames) == 2, "one frame per move"
        assert numbers("".join(frames)) == [last_seen + 1, last_seen + 2]
        assert "Can do" in frames[0] and "Your turn" in frames[-1]

        staff_frames = "".join(await frames_until_quiet(staff))
        assert (negotiation.pk, countered.seq) in message_ids(staff_frames)
        assert f'id="neg-status-{negotiation.pk}"' in staff_frames
        await portal.disconnect()
        await staff.disconnect()

    async_to_sync(scenario)()


def test_the_brand_asking_its_staff_and_their_answer_send_the_portal_nothing(
    celery_worker, invited, user
):
    """To the supplier the brand is preparing its reply throughout: a frame would tell it, by
    its timing, that the brand's side asked and answered something. The worker plays the
    brand's turns."""
    negotiation = invited.negotiation
    invited.quote.question_budget = 3
    invited.quote.save(update_fields=["question_budget"])
    # A partial quantity offered twice: the brand asks its staff whether that will do.
    partial = offer("2.10", quantity=2500)
    supplier_counter(negotiation=negotiation, terms=partial, text="", client_id="1")
    wait_for(lambda: invited.refresh().status == NegotiationStatus.WAITING_FOR_SUPPLIER)
    last_seen = last_shown(negotiation)
    cookie = session_cookie(user)
    counter = database_sync_to_async(supplier_counter)

    @database_sync_to_async
    def staff_answer_and_guide() -> None:
        negotiation_answer(negotiation=negotiation, author=user, text="ANSWER-CANARY yes")
        negotiation_guide(negotiation=negotiation, author=user, text="GUIDANCE-CANARY hold firm")

    async def scenario() -> None:
        portal = communicator(invited.token, f"after={negotiation.pk}:{last_seen}")
        assert (await portal.connect())[0]
        await portal.receive_from(timeout=30)  # the catch-up
        staff = await staff_room(invited.quote.pk, cookie)

        await counter(negotiation=negotiation, terms=partial, text="", client_id="2")
        await status_becomes(negotiation, NegotiationStatus.WAITING_FOR_STAFF)
        [frame] = await frames_until_quiet(portal)  # the counter's; the question sends nothing
        assert numbers(frame) == [last_seen + 1]

        await staff_answer_and_guide()
        replied = (NegotiationStatus.WAITING_FOR_SUPPLIER, NegotiationStatus.AGREED)
        await status_becomes(negotiation, *replied)
        [frame] = await frames_until_quiet(portal)  # the brand's reply; the answer sends nothing
        assert numbers(frame) == [last_seen + 2]
        assert_nothing_internal(frame)

        staff_frames = "".join(await frames_until_quiet(staff))
        asked = await database_sync_to_async(
            lambda: negotiation.messages.filter(action="ask_info").latest("seq").seq
        )()
        assert (negotiation.pk, asked) in message_ids(staff_frames)
        assert "ANSWER-CANARY" in staff_frames and "GUIDANCE-CANARY" in staff_frames
        await portal.disconnect()
        await staff.disconnect()

    async_to_sync(scenario)()


def test_a_message_the_client_missed_comes_with_the_next_push(invited):
    """Events carry no content: every push re-reads everything after the client's last seq."""
    negotiation = invited.negotiation

    @database_sync_to_async
    def staff_writes(text: str, *, push: bool) -> None:
        with transaction.atomic():
            locked = lock_negotiation(negotiation.pk)
            message = Message.objects.create(
                negotiation=locked,
                seq=locked.messages.count() + 1,
                sender=Sender.STAFF,
                action=Message.TO_SUPPLIER,
                audience="shared",
                text=text,
            )
            if push:
                append_message(
                    locked, sender=Sender.STAFF, action=Message.TO_SUPPLIER, text=text + " again"
                )
        return message

    async def scenario() -> None:
        socket = communicator(invited.token)
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=10)
        await staff_writes("First note", push=False)  # committed, its push lost
        await staff_writes("Second note", push=True)
        pushed = await socket.receive_from(timeout=10)
        assert pushed.index("First note") < pushed.index("Second note again")
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_socket_closes_when_the_link_is_revoked(invited, user, monkeypatch):
    async def scenario() -> None:
        socket = communicator(invited.token)
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=10)
        await database_sync_to_async(invitation_revoke)(negotiation=invited.negotiation, by=user)
        closed = await socket.receive_output(timeout=10)
        assert closed == {"type": "websocket.close", "code": consumers.LINK_GONE}

    async_to_sync(scenario)()


def test_the_periodic_recheck_closes_a_socket_whose_quote_ended(invited, monkeypatch):
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)

    @database_sync_to_async
    def end_quote_quietly() -> None:  # no push: only the recheck can notice
        invited.quote.status = "cancelled"
        invited.quote.save(update_fields=["status"])

    async def scenario() -> None:
        socket = communicator(invited.token)
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=10)
        await end_quote_quietly()
        closed = await socket.receive_output(timeout=10)
        assert closed == {"type": "websocket.close", "code": consumers.LINK_GONE}

    async_to_sync(scenario)()
    assert invited.refresh().status == NegotiationStatus.WAITING_FOR_SUPPLIER
