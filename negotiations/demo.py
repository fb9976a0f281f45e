"""Demo data: an organisation, a staff user, six suppliers and two sample quote requests.

Idempotent: running it again updates the same rows instead of adding more.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from negotiations.models import Quote, QuoteStatus
from procur.accounts.models import Organisation, User
from vendors.models import Supplier, Temperament

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "procur-demo"

SUPPLIERS = [
    # name, list price, floor, fastest lead days, capacity, payment days, reliability, temperament
    ("Pacific Glassworks", "2.60", "1.70", 21, 20000, 30, "4.6", Temperament.HARDBALL),
    ("Northwind Packaging", "2.35", "1.85", 28, 12000, 45, "4.2", Temperament.BALANCED),
    ("Lumen Bottle Co.", "2.20", "1.60", 35, 50000, 30, "3.9", Temperament.FLEXIBLE),
    ("Verde Containers", "2.45", "1.75", 18, 8000, 60, "4.4", Temperament.RELATIONSHIP),
    ("Harbor Molding", "2.10", "1.90", 40, 30000, 30, "3.6", Temperament.BALANCED),
    ("Atlas Polymer Works", "2.75", "1.65", 14, 15000, 15, "4.8", Temperament.HARDBALL),
]


@dataclass(frozen=True)
class DemoData:
    organisation: Organisation
    user: User
    suppliers: list[Supplier]
    quotes: list[Quote]


@transaction.atomic
def seed_demo() -> DemoData:
    organisation, _ = Organisation.objects.get_or_create(
        slug="acme-brands", defaults={"name": "Acme Brands"}
    )
    user, created = User.objects.get_or_create(
        username=DEMO_USERNAME,
        defaults={"organisation": organisation, "email": "demo@acme.example", "is_staff": True},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    # Organisation staff: the scoped admin for quotes, negotiations and suppliers, and /ops/.
    user.user_permissions.add(
        *Permission.objects.filter(
            Q(content_type__app_label__in=["negotiations", "vendors"])
            | Q(content_type__app_label="ops", codename="view_operations")
        )
    )
    suppliers = [
        Supplier.objects.update_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "categories": ["bottles", "packaging"],
                "contact_name": "Sales desk",
                "contact_email": f"sales@{name.split()[0].lower()}.example",
                "list_price": Decimal(list_price),
                "cost_floor": Decimal(floor),
                "fastest_lead_time_days": lead,
                "capacity": capacity,
                "preferred_payment_terms_days": payment,
                "reliability": Decimal(reliability),
                "temperament": temperament,
            },
        )[0]
        for name, list_price, floor, lead, capacity, payment, reliability, temperament in SUPPLIERS
    ]
    quotes = [
        Quote.objects.get_or_create(
            organisation=organisation,
            product=product,
            status=QuoteStatus.DRAFT,
            defaults={
                "created_by": user,
                "category": "bottles",
                "description": description,
                "quantity": quantity,
                "target_price": Decimal(target),
                "max_price": Decimal(cap),
                "needed_by": date.today() + timedelta(days=days),
                "requirements": requirements,
            },
        )[0]
        for product, description, quantity, target, cap, days, requirements in [
            (
                "Custom 500 ml amber glass bottle",
                "Embossed logo, child-resistant cap thread.",
                5000,
                "1.95",
                "2.40",
                60,
                "FDA food-contact certified; palletised delivery.",
            ),
            (
                "250 ml frosted serum bottle",
                "Frosted finish with a gold dropper collar.",
                10000,
                "1.80",
                "2.30",
                75,
                "Samples approved before the production run.",
            ),
        ]
    ]
    return DemoData(organisation, user, suppliers, quotes)
