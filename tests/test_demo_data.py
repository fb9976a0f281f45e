"""The demo data `make run` loads: complete, usable, and safe to load twice."""

import pytest
from django.core.management import call_command

from negotiations import services
from negotiations.demo import DEMO_PASSWORD, seed_demo
from negotiations.models import Invitation, Quote, SupplierMode
from procur.accounts.models import User
from vendors.models import Supplier

pytestmark = pytest.mark.django_db


def test_seeding_twice_adds_nothing():
    seed_demo()
    counts = (User.objects.count(), Supplier.objects.count(), Quote.objects.count())
    seed_demo()
    assert (User.objects.count(), Supplier.objects.count(), Quote.objects.count()) == counts
    assert counts[1] >= 6 and counts[2] == 2


def test_the_demo_user_logs_in_and_reaches_the_admin_and_ops(client):
    data = seed_demo()
    assert client.login(username=data.user.username, password=DEMO_PASSWORD)
    assert client.get("/").status_code == 200
    assert client.get("/admin/negotiations/quote/").status_code == 200
    assert client.get("/ops/").status_code == 200


def test_the_demo_suppliers_vary():
    data = seed_demo()
    assert len({s.temperament for s in data.suppliers}) >= 4
    assert len({s.fastest_lead_time_days for s in data.suppliers}) == len(data.suppliers)


def test_the_demo_quotes_negotiate_with_simulated_suppliers():
    seed_demo()
    for quote in Quote.objects.all():
        negotiations = services.quote_start(quote=quote)
        assert {n.supplier_mode for n in negotiations} == {SupplierMode.SIMULATED}
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("enabled", [False, True])
def test_docker_composes_seed_loads_demo_data_only_when_enabled(settings, enabled, capsys):
    settings.PROCUR_SEED_DEMO = enabled
    call_command("seed_demo", if_enabled=True)
    assert User.objects.filter(username="demo").exists() is enabled
    assert Supplier.objects.exists() is enabled
    if not enabled:
        assert "set PROCUR_SEED_DEMO=true" in capsys.readouterr().out
