"""Summary rows for every day of quotes that existed before them."""

from django.db import migrations

from records.analytics.summaries import summaries_rebuild


def backfill(apps, schema_editor):
    summaries_rebuild(
        models=(
            apps.get_model("records", "DailySummary"),
            apps.get_model("records", "DailyQuoteSummary"),
            apps.get_model("negotiations", "Negotiation"),
            apps.get_model("negotiations", "Quote"),
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0001_daily_summaries"),
        ("negotiations", "0008_negotiation_summary"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
