from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What Procur keeps and shows of finished work: exports, audit trail, playback, analytics."""

    name = "records"
    verbose_name = "Records and analytics"

    def ready(self) -> None:
        from negotiations.signals import quote_figures_changed
        from records.analytics.summaries import on_quote_figures_changed

        quote_figures_changed.connect(
            on_quote_figures_changed, dispatch_uid="records-daily-summaries"
        )
