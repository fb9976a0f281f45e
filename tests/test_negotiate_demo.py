"""The headless main job, end to end, as a user runs it: a subprocess on the suite's backends."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from negotiations.models import Invitation, Negotiation, Quote, QuoteStatus, SupplierMode

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
        assert negotiation.supplier_mode == SupplierMode.SIMULATED
        for message in negotiation.messages.all():
            assert message.text.splitlines()[0] in out
    assert quote.recommendation["summary"] in out
    assert not Invitation.objects.exists()  # the demo never emails a real supplier


def test_negotiate_demo_runs_on_embedded_defaults(tmp_path):
    """SQLite and the embedded Redis, whatever backends the rest of the suite uses."""
    from procur import embedded_redis

    port = embedded_redis.free_port()
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'procur.sqlite3'}",
        PROCUR_EMBEDDED_REDIS_PORT=str(port),
        PROCUR_LLM="scripted",
    )

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )

    assert manage("migrate", "--noinput").returncode == 0
    result = manage("negotiate_demo")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "starting one in this process" in result.stdout
    assert all(f"Slot {slot}:" in result.stdout for slot in (1, 2, 3))
    assert "reached a deal" in result.stdout or "nothing to award" in result.stdout
    assert not embedded_redis.is_listening(port), "the embedded Redis outlived the command"
