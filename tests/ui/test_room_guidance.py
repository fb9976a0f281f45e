"""Guidance boxes show only where guidance can still land: an ended negotiation loses its box,
the quote-wide form goes when all three have ended; the page and the live push agree, and a post
that comes too late is answered with the reason."""

import re

import pytest

from negotiations.models import Message, NegotiationStatus, Quote, Sender
from negotiations.room import load_room, room_state

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
ENDINGS = (NegotiationStatus.AGREED, NegotiationStatus.WALKED_AWAY, NegotiationStatus.CANCELLED)


def end(negotiation, status=NegotiationStatus.AGREED) -> None:
    negotiation.status = status
    negotiation.save(update_fields=["status"])


def element(html: str, element_id: str) -> str:
    """The opening tag of the element with ``element_id``, without its out-of-band marker (the
    push's only difference from the page)."""
    tag = re.search(rf'<(?:div|form) id="{element_id}"[^>]*>', html)
    assert tag, f"no #{element_id}"
    return tag[0].replace(' hx-swap-oob="true"', "")


def pushed_state(quote: Quote) -> str:
    """What a state push (``live.publish_quote``, the catch-up) carries for the room."""
    return room_state(load_room(Quote.objects.get(pk=quote.pk)), questions=True)


def test_an_ended_negotiation_has_no_guidance_box_on_the_page_nor_in_the_push(
    staff_client, started
):
    ended, *running = started.negotiations
    end(ended)
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    pushed = pushed_state(started.quote)
    for html in (page, pushed):
        assert f'id="guidance-{ended.pk}"' not in html
        assert f'action="/negotiations/{ended.pk}/guide/"' not in html
        assert " hidden" in element(html, f"neg-guidance-{ended.pk}")
        for negotiation in running:
            assert f'id="guidance-{negotiation.pk}"' in html
            # The page's script leaves an open form on the page alone, whatever is typed in it.
            assert "data-open-form" in element(html, f"neg-guidance-{negotiation.pk}")
        assert 'id="guidance-text"' in html  # two negotiations still take guidance from all
    for negotiation in started.negotiations:
        box = f"neg-guidance-{negotiation.pk}"
        if negotiation is ended:
            assert element(page, box) == element(pushed, box)


def test_the_quote_wide_form_goes_when_all_three_have_ended(staff_client, started):
    for negotiation, status in zip(started.negotiations, ENDINGS, strict=True):
        end(negotiation, status)
    page = staff_client.get(f"/quotes/{started.quote.pk}/").content.decode()
    pushed = pushed_state(started.quote)
    for html in (page, pushed):
        assert "<textarea" not in html.split('id="transcript-')[0]  # nothing to type above
        assert 'id="guidance-text"' not in html
        assert (
            element(html, "quote-guidance") == '<div id="quote-guidance" class="guidance" hidden>'
        )
        for negotiation in started.negotiations:
            assert f'id="guidance-{negotiation.pk}"' not in html


def test_guiding_an_ended_negotiation_says_why_not(staff_client, started):
    negotiation = started.negotiations[0]
    end(negotiation, NegotiationStatus.WALKED_AWAY)
    url = f"/negotiations/{negotiation.pk}/guide/"
    response = staff_client.post(url, {"text": "Go lower", "client_id": "late-1"}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "has ended (walked away); you can no longer guide it." in html
    assert " hidden" not in element(html, f"neg-guidance-{negotiation.pk}")  # the reason shows
    assert "<textarea" not in html
    plain = staff_client.post(url, {"text": "Go lower"}, follow=True)
    assert plain.status_code == 200
    assert "you can no longer guide it" in plain.content.decode()
    assert not Message.objects.filter(negotiation=negotiation, sender=Sender.STAFF).exists()


def test_guiding_all_after_all_have_ended_says_why_not(staff_client, started):
    for negotiation in started.negotiations:
        end(negotiation)
    response = staff_client.post(
        f"/quotes/{started.quote.pk}/guide/", {"text": "Hold firm", "client_id": "late-2"}, **HTMX
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "negotiations have ended; there is no one to guide." in html
    assert "<textarea" not in html
    assert not Message.objects.filter(sender=Sender.STAFF).exists()
