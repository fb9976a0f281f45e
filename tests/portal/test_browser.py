"""The supplier portal in a real browser, on a phone (390x844) and a desktop: the web server as
production runs it, a real Celery worker playing the brand, Redis and the suite's database.
The supplier opens its link, gets a clear error for a bad price (focus on the field), counters,
sees the brand's reply arrive without a reload, and accepts.

Screenshots go to ``docs/screenshots/portal-{desktop,phone}.png`` when
``PROCUR_UPDATE_SCREENSHOTS=1`` (otherwise to a temporary folder, so a run leaves git clean).
"""

import os
import tempfile
from pathlib import Path

import pytest

from negotiations.models import Negotiation, NegotiationStatus, Sender
from negotiations.services.invitations import invitation_issue
from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
from tests.factories import QuoteFactory, SupplierFactory
from tests.orchestration.conftest import wait_for
from tests.orchestration.invited import start_invited
from tests.portal.conftest import MAXIMUM, REPO, TARGET

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="apt-get install chromium"),
]

SCREENSHOTS = (
    REPO / "docs" / "screenshots"
    if os.environ.get("PROCUR_UPDATE_SCREENSHOTS")
    else Path(tempfile.mkdtemp(prefix="procur-screenshots-"))
)
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
WAIT_MS = 90_000


@pytest.fixture
def links(organisation, settings) -> dict[str, tuple[Negotiation, str]]:
    """Two invited suppliers of one quote (one per viewport), the brand's opening played by
    the worker; each with its link."""
    settings.PROCUR_SIMULATED_LLM_LATENCY = 1.0  # the brand's reply takes a visible moment
    organisation.name = "Northwind Beverages"
    organisation.save(update_fields=["name"])
    quote = QuoteFactory(
        organisation=organisation,
        product="Custom 500 ml amber glass bottle",
        description="Amber glass, 500 ml, 28 mm screw neck, embossed logo on the shoulder.",
        requirements="Food-grade (EU 10/2011); shipped on pallets of 1,000.",
        target_price=TARGET,
        max_price=MAXIMUM,
        question_budget=0,
        max_rounds=10,
    )
    suppliers = [
        SupplierFactory(organisation=organisation, name=name, contact_email="sales@example.com")
        for name in ("Pacific Glassworks", "Lumen Bottle Co.", "Verde Containers")
    ]
    negotiations = start_invited(quote, suppliers, slots=(1, 2))
    links = {}
    for viewport, negotiation in zip(VIEWPORTS, negotiations, strict=False):
        wait_for(
            lambda n=negotiation: (
                Negotiation.objects.get(pk=n.pk).status == NegotiationStatus.WAITING_FOR_SUPPLIER
            )
        )
        links[viewport] = (negotiation, invitation_issue(negotiation=negotiation, send=False))
    return links


def brand_messages(negotiation: Negotiation) -> int:
    return negotiation.messages.filter(sender=Sender.BRAND).count()


def test_the_supplier_counters_sees_the_reply_live_and_accepts(
    celery_worker, web_server, links, monkeypatch
):
    from playwright.sync_api import sync_playwright

    url, _ = web_server
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # Playwright's sync API runs an event loop in this thread; the ORM calls between browser
    # steps are still plain synchronous calls.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        for viewport, (negotiation, token) in links.items():
            context = browser.new_context(
                viewport=VIEWPORTS[viewport],
                is_mobile=viewport == "phone",
                has_touch=viewport == "phone",
            )
            page = context.new_page()
            page.set_default_timeout(WAIT_MS)
            errors: list[str] = []
            page.on("console", lambda m, e=errors: m.type == "error" and e.append(m.text))
            page.on("pageerror", lambda error, e=errors: e.append(f"uncaught: {error}"))

            page.goto(f"{url}/s/{token}/")
            page.wait_for_selector("#room[data-live=open]")
            page.evaluate("window.neverReloaded = true")
            assert page.locator(".msg-brand").count() == 1
            # Nothing is wider than the screen.
            assert (
                page.evaluate("document.documentElement.scrollWidth")
                <= VIEWPORTS[viewport]["width"]
            )

            # A bad price is answered on its field, announced, and the focus goes there.
            page.fill("#counter-unit_price", "0")
            page.fill("#counter-lead_time_days", "25")
            page.click("text=Send counter-offer")
            page.wait_for_selector("#counter-unit_price-error")
            assert "above zero" in page.inner_text("#counter-unit_price-error")
            # htmx focuses the swapped-in autofocus field when it settles, just after the swap.
            page.wait_for_function("document.activeElement?.id === 'counter-unit_price'")
            assert page.get_attribute("#counter-unit_price", "aria-invalid") == "true"

            # Counter; the brand's reply arrives over the socket.
            page.fill("#counter-unit_price", "2.55")
            page.select_option("#counter-payment_terms_days", "45")
            page.fill("#counter-message", "We can hold this price for a full-year contract.")
            page.click("text=Send counter-offer")
            page.wait_for_selector("text=Your counter-offer was sent.")
            page.wait_for_selector(".msg-supplier >> text=full-year contract")
            page.wait_for_function("document.querySelectorAll('.msg-brand').length === 2")
            page.wait_for_selector("#counter-form")  # the supplier's turn again
            assert brand_messages(negotiation) == 2
            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(
                path=SCREENSHOTS / f"portal-{viewport}.png", full_page=viewport == "desktop"
            )

            # Accept exactly the brand's standing offer.
            offered = negotiation.messages.filter(sender=Sender.BRAND).exclude(terms=None).last()
            accept_form = page.inner_text("#accept-form")
            assert offered.terms["unit_price"] in accept_form
            page.click("text=Accept these terms")
            page.wait_for_selector("text=Agreed terms")
            assert Negotiation.objects.get(pk=negotiation.pk).status == NegotiationStatus.AGREED
            assert page.evaluate("window.neverReloaded") is True
            assert errors == []
            context.close()
        browser.close()
