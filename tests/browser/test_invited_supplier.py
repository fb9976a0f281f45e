"""Issue 14 end to end, in two browser contexts: staff and a real supplier with no Procur account.

Staff create a quote through the form with three suppliers, one of them invited, and start it.
The invitation is read from a real local SMTP server (the web server process sends it there); the
supplier opens the emailed link, counters twice with the structured form and sees the brand
agent's replies arrive without a reload (the scripted voice at the embedded pace, played by the
suite's worker), then accepts the brand's standing offer. Staff watch it all live in the room:
the invited column waiting for the supplier, staff's message to the supplier, the counters, the
acceptance; once the two simulated negotiations end too, they award the quote.

What the supplier's browser received (its pages, the answers to its posts, its socket's frames)
never carries the brand's target or maximum, nor staff's internal guidance; neither browser's
console reports an error.

The room with the invited column waiting goes to ``docs/screenshots/room-invited.png`` when
``PROCUR_UPDATE_SCREENSHOTS=1``.
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from negotiations.models import (
    Negotiation,
    NegotiationStatus,
    Quote,
    QuoteStatus,
    Sender,
    SupplierMode,
)
from tests.browser.conftest import SCREENSHOTS
from tests.factories import SupplierFactory
from tests.figures import shows_figure
from tests.mailbox import body_of
from vendors.models import Temperament

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="apt-get install chromium"),
]

PRODUCT = "Custom 500 ml amber glass bottle"
# The brand's limits: odd figures, so that a leak is not a coincidence with an offered price.
TARGET = Decimal("1.87")
MAXIMUM = Decimal("2.33")
INVITED = "Pacific Glassworks"
CONTACT = "sales@pacific-glassworks.example"
GUIDANCE = "GUIDANCE-CANARY stay below 2.20 with Pacific"
TO_SUPPLIER = "Could you confirm the embossing tooling is included in the unit price?"
COUNTERS = [
    ("2.60", "Tooling is included. 2.60 reflects the embossing and food-grade certification."),
    ("2.48", "We can come down to 2.48 for a full-year contract on net 45."),
]
ACCEPTANCE = "Agreed: we will confirm the order in writing today."


@pytest.fixture
def server_env(mailbox) -> dict[str, str]:
    """The quote starts in the web server's process: its mail goes to the local SMTP server."""
    return {"EMAIL_URL": f"smtp://127.0.0.1:{mailbox.port}"}


@pytest.fixture
def suppliers(organisation) -> list:
    """The invited supplier, and two simulated ones dearer than the brand's limits allow for
    much, so that a deal they agree is worth less to the brand than the invited supplier's (a
    better deal agreed elsewhere would make the brand walk away from the invited one)."""
    organisation.name = "Northwind Beverages"
    organisation.save(update_fields=["name"])
    return [
        SupplierFactory(
            organisation=organisation,
            name=INVITED,
            contact_name="Dana Reyes",
            contact_email=CONTACT,
        ),
        SupplierFactory(
            organisation=organisation,
            name="Lumen Bottle Co.",
            temperament=Temperament.HARDBALL,
            list_price=Decimal("2.90"),
            cost_floor=Decimal("2.25"),
        ),
        SupplierFactory(
            organisation=organisation,
            name="Verde Containers",
            list_price=Decimal("2.80"),
            cost_floor=Decimal("2.20"),
        ),
    ]


class SupplierTraffic:
    """Everything the supplier's browser receives: documents and answers to its posts, and its
    sockets' frames.

    Each body is read as its response finishes, not later: the browser drops the body of a
    response its page navigated away from (the portal turning into the refusal, say)."""

    def __init__(self, page) -> None:
        self.texts: list[str] = []
        page.on("requestfinished", self._finished)
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _finished(self, request) -> None:
        if request.resource_type in ("document", "xhr", "fetch"):
            self.texts.append(request.response().text())

    def _frame(self, payload) -> None:
        self.texts.append(payload if isinstance(payload, str) else payload.decode())


def brand_messages(negotiation: Negotiation) -> int:
    return negotiation.messages.filter(sender=Sender.BRAND).count()


def test_an_invited_supplier_negotiates_from_its_emailed_link_while_staff_watch_and_award(
    celery_worker, server, new_page, mailbox, approver, suppliers
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    staff = new_page(viewport={"width": 1500, "height": 1100})

    # Staff create the quote: three picked suppliers, the first one invited.
    staff.goto(f"{server}/login/")
    staff.fill("#id_username", approver.username)
    staff.fill("#id_password", "correct-horse-battery")
    staff.click("button[type=submit]")
    staff.click("text=New quote request")
    staff.fill("#id_product", PRODUCT)
    staff.fill("#id_category", "bottles")
    staff.fill("#id_description", "Amber glass, 500 ml, 28 mm screw neck, embossed logo.")
    staff.fill("#id_quantity", "5000")
    staff.fill("#id_target_price", str(TARGET))
    staff.fill("#id_max_price", str(MAXIMUM))
    staff.fill("#id_needed_by", (date.today() + timedelta(days=60)).isoformat())
    staff.fill("#id_max_rounds", "10")
    staff.fill("#id_question_budget", "0")
    for supplier in suppliers:
        staff.check(f".supplier-picks tr:has-text('{supplier.name}') input[name=suppliers]")
    staff.check(f".supplier-picks tr:has-text('{INVITED}') input[name=invite]")
    staff.click("text=Create and start negotiating")
    staff.wait_for_url(re.compile(r"/quotes/\d+/$"))

    quote = Quote.objects.get(product=PRODUCT)
    negotiations = {n.supplier.name: n for n in Negotiation.objects.filter(quote=quote)}
    invited = negotiations[INVITED]
    assert {name: n.supplier_mode for name, n in negotiations.items()} == {
        INVITED: SupplierMode.INVITED,
        "Lumen Bottle Co.": SupplierMode.SIMULATED,
        "Verde Containers": SupplierMode.SIMULATED,
    }
    staff.wait_for_selector("#room[data-live=open]")
    staff.evaluate("window.neverReloaded = true")
    column = f"#transcript-{invited.pk}"
    waiting = f"#neg-status-{invited.pk} .badge:has-text('Waiting for supplier')"

    # The brand opens; the invited column then waits for the supplier, its reply deadline shown,
    # while the simulated suppliers' agents answer in the other columns.
    staff.wait_for_selector(f"{column} .msg-brand")
    staff.wait_for_selector(waiting)
    staff.wait_for_selector(f"#neg-status-{invited.pk} .reply-due")
    staff.wait_for_selector(f"#neg-invitation-{invited.pk} >> text=Link emailed to {CONTACT}")
    for name in ("Lumen Bottle Co.", "Verde Containers"):
        staff.wait_for_selector(f"#transcript-{negotiations[name].pk} .msg-supplier")
    staff.screenshot(path=SCREENSHOTS / "room-invited.png", full_page=True)

    # The invitation, from the SMTP server; its link points at this server.
    [invitation] = mailbox.wait_for(to=CONTACT, subject="invites you to negotiate")
    assert "Northwind Beverages invites you to negotiate" in invitation["Subject"]
    body = body_of(invitation)
    assert "Hello Dana Reyes" in body
    link = re.search(rf"{re.escape(server)}/s/[\w-]+/", body).group()

    # The supplier opens it, with no login, in a browser context of its own.
    supplier = new_page(viewport={"width": 1280, "height": 900})
    traffic = SupplierTraffic(supplier)
    supplier.goto(link)
    supplier.wait_for_selector("#room[data-live=open]")
    supplier.evaluate("window.neverReloaded = true")
    assert supplier.locator(".msg-brand").count() == 1
    assert supplier.inner_text("#portal-status .badge") == "Your turn"

    # Staff write to the supplier (it reads it live, signed as the brand's staff) and guide the
    # brand agent (internal: never sent to the supplier).
    staff.fill(f"#to-supplier-{invited.pk}", TO_SUPPLIER)
    staff.click(f"#neg-to-supplier-{invited.pk} button")
    supplier.wait_for_selector(f".msg-staff:has-text('{TO_SUPPLIER}')")
    assert "Northwind Beverages (staff)" in supplier.inner_text(".msg-staff")
    staff.fill(f"#guidance-{invited.pk}", GUIDANCE)
    staff.click(f"#neg-guidance-{invited.pk} button")
    staff.wait_for_selector(f"{column} .msg-staff.msg-internal:has-text('GUIDANCE-CANARY')")

    # Two counters through the structured form; each reaches staff live, and the brand agent's
    # reply reaches the supplier live.
    for price, text in COUNTERS:
        before = brand_messages(invited)
        supplier.fill("#counter-unit_price", price)
        supplier.fill("#counter-lead_time_days", "21")
        supplier.select_option("#counter-payment_terms_days", "45")
        supplier.fill("#counter-message", text)
        supplier.click("text=Send counter-offer")
        supplier.wait_for_selector(f".msg-supplier:has-text('{text}')")
        staff.wait_for_selector(f"{column} .msg-supplier:has-text('{text}')")
        supplier.wait_for_function(
            f"document.querySelectorAll('.msg-brand').length === {before + 1}"
        )
        supplier.wait_for_selector("#counter-form")  # the supplier's turn again
        supplier.wait_for_selector("#portal-status .badge:has-text('Your turn')")
        staff.wait_for_selector(waiting)
        assert brand_messages(invited) == before + 1

    # The supplier accepts exactly the brand's standing offer; staff see it live.
    offered = invited.messages.filter(sender=Sender.BRAND).exclude(terms=None).last()
    assert offered.terms["unit_price"] in supplier.inner_text("#accept-form")
    supplier.fill("#accept-message", ACCEPTANCE)
    supplier.click("text=Accept these terms")
    supplier.wait_for_selector("text=Agreed terms")
    supplier.wait_for_selector("#portal-status .badge:has-text('Agreed')")
    staff.wait_for_selector(f"{column} .msg-supplier:has-text('{ACCEPTANCE}')")
    staff.wait_for_selector(f"#neg-status-{invited.pk} .badge:has-text('Agreed')")

    # The simulated negotiations end too: the quote awaits approval, and staff award it.
    # A locator, not an element: a push may re-render the outcome between its arrival and the click.
    approve = staff.locator(
        f"#quote-outcome tr:has(input[value='{invited.pk}']) button:has-text('Approve')"
    )
    approve.wait_for()
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    assert supplier.evaluate("window.neverReloaded") is True
    assert supplier.console_errors == []
    approve.click()
    staff.wait_for_selector(f"#quote-outcome >> text=Awarded to {INVITED}")
    # The quote decided, the link stops working: the supplier's page turns into the refusal.
    supplier.wait_for_selector(".portal-refused")

    # Real data: the deal is the brand's offer the supplier accepted, and the quote is awarded.
    invited.refresh_from_db()
    assert invited.status == NegotiationStatus.AGREED
    assert invited.final_terms == offered.terms
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWARDED
    assert quote.awarded_negotiation_id == invited.pk
    assert all(n.is_ended for n in Negotiation.objects.filter(quote=quote))

    # The supplier never received the brand's limits (unless a side offered that very figure)
    # nor staff's guidance; what staff wrote to it, it did.
    received = "\n".join(traffic.texts)
    assert TO_SUPPLIER in received
    assert GUIDANCE not in received and "GUIDANCE-CANARY" not in received
    offered_prices = {
        message.terms["unit_price"] for message in invited.messages.exclude(terms=None)
    }
    for limit in {str(TARGET), str(MAXIMUM)} - offered_prices:
        assert not shows_figure(received, limit), f"the brand's limit {limit} reached the supplier"

    assert staff.evaluate("window.neverReloaded") is True
    assert staff.console_errors == []
