"""Recompute the analytics' daily summary rows from the negotiations and quotes: after a bulk
change made outside the services (an import, a manual fix in the database)."""

from django.core.management.base import BaseCommand, CommandParser

from records.analytics.summaries import summaries_rebuild


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--organisation", type=int, action="append", help="Only this organisation's id."
        )

    def handle(self, *args, organisation: list[int] | None, **options) -> None:
        days = summaries_rebuild(organisations=organisation)
        self.stdout.write(f"Recomputed {days} organisation-days of summary rows.")
