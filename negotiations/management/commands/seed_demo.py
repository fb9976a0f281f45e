import os

from django.conf import settings
from django.core.management.base import BaseCommand

from negotiations.demo import DEMO_PASSWORD, DEMO_USERNAME, seed_demo


class Command(BaseCommand):
    help = "Load demo data (organisation, staff user, suppliers, sample quotes). Safe to re-run."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-enabled",
            action="store_true",
            help="Load only when PROCUR_SEED_DEMO=true (docker compose runs it so on every start).",
        )

    def handle(self, *args, if_enabled: bool = False, **options) -> None:
        if if_enabled and not settings.PROCUR_SEED_DEMO:
            self.stdout.write("Demo data not loaded: set PROCUR_SEED_DEMO=true to load it.")
            return
        data = seed_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {data.organisation}, {len(data.suppliers)} suppliers, "
                f"{len(data.quotes)} sample quotes.\n"
                f"Log in at http://127.0.0.1:{os.environ.get('PROCUR_PORT') or 8000}/login/ as "
                f"username '{DEMO_USERNAME}', password '{DEMO_PASSWORD}' "
                f"(also for /admin/ and /ops/)."
            )
        )
