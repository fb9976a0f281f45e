from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """What Procur keeps and shows of finished work: exports, audit trail, playback, analytics."""

    name = "records"
    verbose_name = "Records and analytics"
