"""The portal is rate-limited per link and per client address: a clear 429 page, no lookup."""

import pytest

from negotiations.models import Sender

pytestmark = pytest.mark.django_db


def test_a_link_over_its_limit_gets_a_429_page(supplier_client, invited, settings):
    settings.PROCUR_RATE_LIMIT_PORTAL_TOKEN = "3/hour"
    for _ in range(3):
        assert supplier_client.get(invited.url).status_code == 200
    refused = supplier_client.get(invited.url)
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert b"Too many requests for this link: at most 3 every hour." in refused.content
    # Replies count too, and a refused one stores nothing.
    response = supplier_client.post(invited.url + "decline/", {"reason": "No", "client_id": "d"})
    assert response.status_code == 429
    assert not invited.negotiation.messages.filter(sender=Sender.SUPPLIER).exists()


def test_one_address_trying_many_links_is_limited(supplier_client, invited, settings):
    settings.PROCUR_RATE_LIMIT_PORTAL_ADDRESS = "5/hour"
    statuses = [supplier_client.get(f"/s/guess{n}/").status_code for n in range(5)]
    assert statuses == [404] * 5
    assert supplier_client.get("/s/guess5/").status_code == 429
    assert supplier_client.get(invited.url).status_code == 429  # the same address
    other_address = supplier_client.get(invited.url, REMOTE_ADDR="10.1.2.3")
    assert other_address.status_code == 200


def test_an_htmx_reply_over_the_limit_gets_the_message(supplier_client, invited, settings):
    settings.PROCUR_RATE_LIMIT_PORTAL_TOKEN = "1/hour"
    supplier_client.get(invited.url)
    response = supplier_client.post(
        invited.url + "decline/", {"reason": "No"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 429
    assert b'id="portal-alert"' in response.content and b'hx-swap-oob="true"' in response.content
    assert b'role="alert"' in response.content
    assert b"Too many requests for this link" in response.content
