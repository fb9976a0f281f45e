"""The whole room in a real browser, as a newcomer's first run has it: two daphne processes
(``procur.web``) serving the real ASGI app, a real Celery worker, Redis, and the suite's database
(PostgreSQL, or on embedded defaults the SQLite test file, which the server opens too). The
scripted voice keeps the pace ``make run`` gives it on embedded defaults. Nothing is reloaded
after the room opens: every message, status and chart update arrives over the websocket; and the
browser's console stays free of errors throughout.

Screenshots of the room mid-negotiation and at the end go to ``docs/screenshots/`` when
``PROCUR_UPDATE_SCREENSHOTS=1`` (otherwise to a temporary folder, so a test run leaves git clean).
"""

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from negotiations import live
from negotiations.models import Negotiation, Quote, QuoteStatus
from tests.browser.conftest import SCREENSHOTS
from tests.factories import SupplierFactory
from vendors.models import Temperament

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="apt-get install chromium"),
]


@pytest.fixture
def suppliers(organisation):
    common = {
        "organisation": organisation,
        "categories": ["bottles"],
        "reliability": Decimal("4.5"),
    }
    return [
        SupplierFactory(
            name="Pacific Glassworks",
            temperament=Temperament.HARDBALL,
            list_price=Decimal("2.60"),
            cost_floor=Decimal("1.75"),
            **common,
        ),
        SupplierFactory(
            name="Lumen Bottle Co.",
            temperament=Temperament.FLEXIBLE,
            list_price=Decimal("2.20"),
            cost_floor=Decimal("1.60"),
            **common,
        ),
        # Can make only part of the order: the brand agent asks staff whether that will do.
        SupplierFactory(
            name="Verde Containers",
            temperament=Temperament.BALANCED,
            capacity=3000,
            list_price=Decimal("2.45"),
            cost_floor=Decimal("1.70"),
            **common,
        ),
    ]


def test_staff_watch_guide_answer_and_award_live(
    celery_worker, server, browser_page, approver, suppliers
):
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Keep hold of the room's sockets, to drop one mid-negotiation.
    page.add_init_script(
        """const NativeWebSocket = window.WebSocket;
        window.roomSockets = [];
        window.WebSocket = function (...args) {
          const socket = new NativeWebSocket(...args);
          window.roomSockets.push(socket);
          return socket;
        };
        Object.assign(window.WebSocket, NativeWebSocket);
        window.WebSocket.prototype = NativeWebSocket.prototype;"""
    )
    page.goto(f"{server}/login/")
    page.fill("#id_username", approver.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    page.click("text=New quote request")

    # Bad input is answered inline, without a page load.
    page.fill("#id_product", "Custom 500 ml amber glass bottle")
    page.fill("#id_category", "bottles")
    page.fill("#id_quantity", "5000")
    page.fill("#id_target_price", "1.95")
    page.fill("#id_max_price", "1.50")
    page.fill("#id_needed_by", (date.today() + timedelta(days=60)).isoformat())
    page.fill("#id_max_rounds", "10")
    page.fill("#id_question_budget", "1")  # one question for the whole quote: then it can end
    page.check("label:has-text('Boulware: Holds firm until late') input[type=radio]")
    page.click("text=Create and start negotiating")
    page.wait_for_selector("text=The maximum price cannot be below the target price.")
    page.fill("#id_max_price", "2.40")
    page.click("text=Create and start negotiating")

    page.wait_for_url(re.compile(r"/quotes/\d+/$"))
    quote = Quote.objects.get(product="Custom 500 ml amber glass bottle")
    negotiations = {n.supplier.name: n for n in Negotiation.objects.filter(quote=quote)}
    assert set(negotiations) == {s.name for s in suppliers}
    assert {n.brand_strategy for n in negotiations.values()} == {"boulware"}  # staff's pick
    page.wait_for_selector("#room[data-live=open]")
    page.evaluate("window.roomNeverReloaded = true")

    # A state push re-renders the room's state, but guidance being typed stays as it is.
    lumen = negotiations["Lumen Bottle Co."]
    page.fill("#guidance-text", "Draft for all three, not sent yet")
    page.fill(f"#guidance-{lumen.pk}", "Draft for Lumen")
    page.evaluate("document.getElementById('quote-outcome').dataset.beforePush = 'yes'")
    live.publish_quote(quote.pk)
    page.wait_for_function("!document.getElementById('quote-outcome').dataset.beforePush")
    assert page.input_value("#guidance-text") == "Draft for all three, not sent yet"
    assert page.input_value(f"#guidance-{lumen.pk}") == "Draft for Lumen"

    # Messages appear in all three columns as the agents play.
    for negotiation in negotiations.values():
        page.wait_for_selector(f"#transcript-{negotiation.pk} .msg-supplier")
        page.wait_for_selector(f"#transcript-{negotiation.pk} .msg-brand")

    # Guidance lands in the running negotiation: it shows up in its column, and the brand agent's
    # next move comes with an internal note of how it applied it.
    hardball = negotiations["Pacific Glassworks"]
    page.fill(f"#guidance-{hardball.pk}", "Push for net 45 payment terms, please.")
    page.click(f"#neg-guidance-{hardball.pk} button")
    staff = f"#transcript-{hardball.pk} .msg-staff:has-text('net 45 payment terms')"
    page.wait_for_selector(staff)
    note = f"{staff} ~ .msg-system:has-text('staff named net 45')"
    page.wait_for_selector(f"{note} + .msg-brand")
    # Staff's words and the note are marked as internal; what the two sides said is not.
    for internal in (staff, note):
        mark = page.locator(f"{internal} .internal-mark").first
        assert mark.is_visible()
        assert mark.inner_text() == "internal — not sent to the supplier"
    column = f"#transcript-{hardball.pk}"
    assert page.locator(f"{column} .msg-brand .internal-mark").count() == 0
    assert page.locator(f"{column} .msg-supplier .internal-mark").count() == 0
    assert "staff" not in page.locator(f"{note} + .msg-brand .text").inner_text().lower()
    page.screenshot(path=SCREENSHOTS / "room-mid-negotiation.png", full_page=True)

    # The socket drops; the page reconnects by itself and catches up from its last seqs.
    page.evaluate("window.roomSockets.at(-1).close(4000)")
    page.wait_for_selector("#room[data-live=closed]")
    page.wait_for_selector("#room[data-live=open]")
    reconnected = page.evaluate("window.roomSockets.at(-1).url")
    assert re.search(rf"\?after=(\d+:\d+,)*{hardball.pk}:\d+", reconnected)

    # A brand agent asks staff a question (the partial order, or one the supplier raised);
    # the answer appears in its transcript and the agent carries on.
    box = page.wait_for_selector(".question-box textarea")
    asking = int(box.get_attribute("id").removeprefix("answer-"))
    box.fill("Yes, that is acceptable if the price is right.")
    page.click(f"#neg-question-{asking} button")
    answer = f"#transcript-{asking} .msg-staff:has-text('acceptable if the price is right')"
    page.wait_for_selector(answer)
    assert page.locator(f"{answer} .internal-mark").is_visible()
    page.wait_for_selector(f"{answer} ~ .msg-brand")

    # All three end: the comparison and the recommendation appear; staff approve the winner.
    # A locator, not an element: a push may re-render the outcome before the click.
    approve = page.locator("#quote-outcome .recommended button:has-text('Approve')")
    approve.wait_for()
    assert page.locator("#quote-outcome .recommendation").inner_text().startswith("Recommendation")
    # Nothing is left to guide: each guidance box went with the push that ended its negotiation,
    # the quote-wide one with the last.
    assert page.locator("#quote-guidance").is_hidden()
    assert page.locator("#room textarea").count() == 0
    # Each deal shows the money it left on the table: the estimate and, for these simulated
    # suppliers, the known figure.
    quote.refresh_from_db()
    for entry in quote.recommendation["ranking"]:
        if entry["status"] != "agreed":
            continue
        row = page.locator(f"#quote-outcome tr:has(input[value='{entry['negotiation_id']}'])")
        cell = row.locator(".left-on-table").inner_text()
        estimate = f"≈ {entry['left_on_table']}" if entry["left_on_table"] else "no estimate"
        assert estimate in cell and f"known: {entry['left_on_table_known']}" in cell
    assert "Money left on the table" in page.locator("#quote-outcome .recommendation").inner_text()
    approve.click()
    page.wait_for_selector("#quote-outcome >> text=Awarded to")
    page.screenshot(path=SCREENSHOTS / "room-awarded.png", full_page=True)

    assert page.evaluate("window.roomNeverReloaded") is True
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.AWARDED
    assert quote.awarded_negotiation_id == quote.recommendation["recommended_negotiation_id"]
    for negotiation in negotiations.values():  # every stored message is on the page, once
        seqs = list(negotiation.messages.values_list("seq", flat=True))
        page.wait_for_function(
            "([selector, count]) => document.querySelectorAll(selector).length >= count",
            arg=[f"#transcript-{negotiation.pk} [data-seq]", len(seqs)],
        )
        shown = page.eval_on_selector_all(
            f"#transcript-{negotiation.pk} [data-seq]", "els => els.map(e => +e.dataset.seq)"
        )
        assert shown == seqs
    assert page.console_errors == []
