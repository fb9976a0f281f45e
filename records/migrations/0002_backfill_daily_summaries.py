"""Summary rows for every day of quotes that existed before them."""

from django.db import migrations

from records.analytics.summaries import backfill


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_daily_summaries"),
        ("negotiations", "0008_negotiation_summary"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
