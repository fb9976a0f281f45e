"""The records in a real browser (daphne + Chromium on the PostgreSQL test database): an ended
quote's three exports downloaded and checked against the database, its playback played, paused
and scrubbed, and the analytics page with its charts.

Screenshots of playback and analytics go to ``docs/screenshots/`` when
``PROCUR_UPDATE_SCREENSHOTS=1`` (otherwise to a temporary folder).
"""

import csv
import io
import json

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from negotiations.models import AgentCall, Message
from tests.browser import test_negotiation_room as room_test

# The browser tests' fixtures (tests/browser/conftest.py), which this folder does not inherit.
from tests.browser.conftest import (  # noqa: F401
    SCREENSHOTS,
    browser,
    browser_page,
    new_page,
    server,
    server_env,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.worker,  # the session's worker also ends the server's database sessions
    pytest.mark.django_db(transaction=True),
    *(mark for mark in room_test.pytestmark if mark.name == "skipif"),
]


def _download(page, link: str) -> bytes:
    with page.expect_download() as info:
        page.click(link)
    return info.value.path().read_bytes()


def test_exports_playback_and_analytics_in_the_browser(
    celery_worker,
    server,  # noqa: F811 (the browser tests' fixtures, imported above)
    browser_page,  # noqa: F811
    ended,
    user,
):
    page = browser_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{server}/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "correct-horse-battery")
    page.click("button[type=submit]")
    quote = ended.quote
    page.goto(f"{server}/quotes/{quote.pk}/")
    page.wait_for_selector("#quote-records >> text=Awarded to")

    rows = list(csv.DictReader(io.StringIO(_download(page, "text=Transcript (CSV)").decode())))
    stored = Message.objects.filter(negotiation__quote=quote).order_by("negotiation__slot", "seq")
    assert [(r["seq"], r["text"]) for r in rows] == [(str(m.seq), m.text) for m in stored]

    record = json.loads(_download(page, "text=Full record (JSON)"))
    assert [m["id"] for m in record["messages"]] == [m.pk for m in stored]
    assert record["award"]["supplier"] == ended.winner.supplier.name
    assert len(record["agent_calls"]) == AgentCall.objects.filter(negotiation__quote=quote).count()

    pdf = PdfReader(io.BytesIO(_download(page, "text=Award summary (PDF)")))
    text = " ".join(p.extract_text() for p in pdf.pages)
    assert f"Awarded to {ended.winner.supplier.name}" in text

    # Playback: nothing shown at first; play at 32x until every message is back; scrub.
    page.click("text=Play back the negotiations")
    page.wait_for_selector("#playback [data-play]")
    total = stored.count()
    # (expect() waits for playback.js, which runs after the page's elements are there.)
    expect(page.locator(".transcript [data-seq]:visible")).to_have_count(0)
    # Each column's progress follows the messages shown: no round yet.
    expect(page.locator(".progress .small")).to_have_text(["round 0 of 8"] * 3)
    page.select_option("[data-speed]", "32")
    page.click("[data-play]")
    page.wait_for_function(
        "n => document.querySelectorAll('.transcript [data-seq]:not([hidden])').length === n",
        arg=total,
    )
    assert page.locator("[data-play]").inner_text() == "Play"  # it paused itself at the end
    assert page.locator(".progress .small").all_inner_texts() == ["round 3 of 8"] * 3
    page.screenshot(path=SCREENSHOTS / "playback.png", full_page=True)
    page.fill("[data-timeline]", "5")
    page.dispatch_event("[data-timeline]", "input")
    assert page.locator(".transcript [data-seq]:not([hidden])").count() == 5
    assert f"5 of {total} messages" in page.locator("[data-position]").inner_text()
    # The first five shown are the five stored first.
    first = sorted(stored, key=lambda m: (m.created_at, m.negotiation.slot, m.seq))[:5]
    shown = page.eval_on_selector_all(
        ".transcript [data-seq]:not([hidden])", "els => els.map(e => e.id)"
    )
    assert sorted(shown) == sorted(f"msg-{m.negotiation_id}-{m.seq}" for m in first)

    # Analytics: the period holding the quote, with its charts drawn.
    page.click("text=Analytics")
    page.wait_for_selector("svg.bar-chart")
    assert page.locator("svg.bar-chart").count() == 3
    assert page.locator("svg.bar-chart rect").first.is_visible()
    assert ended.winner.supplier.name in page.locator("#analytics-suppliers").inner_text()
    page.screenshot(path=SCREENSHOTS / "analytics.png", full_page=True)
