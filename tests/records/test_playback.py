"""Playback of an ended quote's room: every message rendered by the room's own partial, in the
page, for the browser to reveal in order (the browser test plays it)."""

import re

import pytest

from negotiations.models import Message, QuoteStatus
from tests.factories import NegotiationFactory, QuoteFactory

pytestmark = pytest.mark.django_db


def test_an_ended_quote_plays_back_with_every_message_from_the_rooms_partial(staff_client, ended):
    response = staff_client.get(f"/quotes/{ended.quote.pk}/playback/")
    page = response.content.decode()
    assert "negotiations/room_message.html" in [t.name for t in response.templates]
    for negotiation in ended.negotiations:
        seqs = list(negotiation.messages.order_by("seq").values_list("seq", flat=True))
        shown = re.findall(rf'id="msg-{negotiation.pk}-(\d+)"', page)
        assert [int(s) for s in shown] == seqs
    assert "data-play" in page and 'type="range"' in page and "data-speed" in page
    assert "js/playback.js" in page
    assert 'id="price-chart"' in page  # the room's chart partial


def test_the_quote_page_links_to_playback_once_ended(staff_client, ended, organisation):
    page = staff_client.get(f"/quotes/{ended.quote.pk}/").content.decode()
    assert f'href="/quotes/{ended.quote.pk}/playback/"' in page
    running = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
    NegotiationFactory(quote=running, slot=1)
    assert "/playback/" not in staff_client.get(f"/quotes/{running.pk}/").content.decode()


def test_a_running_quote_says_playback_comes_when_it_ends(staff_client, organisation):
    quote = QuoteFactory(organisation=organisation, status=QuoteStatus.NEGOTIATING)
    negotiation = NegotiationFactory(quote=quote, slot=1)
    Message.objects.create(negotiation=negotiation, seq=1, sender="supplier", text="Hello")
    page = staff_client.get(f"/quotes/{quote.pk}/playback/").content.decode()
    assert "once all of this quote" in page and "msg-" not in page


def test_another_organisations_playback_is_404(client, other_user, ended):
    client.force_login(other_user)
    assert client.get(f"/quotes/{ended.quote.pk}/playback/").status_code == 404
