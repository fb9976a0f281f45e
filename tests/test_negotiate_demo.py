"""The headless main job, end to end, as a user runs it: a subprocess on the suite's backends."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from negotiations.models import Negotiation, Quote, QuoteStatus

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    """The URL of the database this test runs on (the test database, already migrated)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def test_negotiate_demo_negotiates_a_quote_and_prints_the_recommendation():
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "PROCUR_LLM": "scripted",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "negotiate_demo", "--worker", "in-process"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    quote = Quote.objects.exclude(status=QuoteStatus.DRAFT).get()  # the seed adds two drafts
    assert quote.status == QuoteStatus.AWAITING_APPROVAL
    for negotiation in Negotiation.objects.filter(quote=quote).select_related("supplier"):
        assert f"Slot {negotiation.slot}: {negotiation.supplier.name}" in out
        for message in negotiation.messages.all():
            assert message.text.splitlines()[0] in out
    assert quote.recommendation["summary"] in out
