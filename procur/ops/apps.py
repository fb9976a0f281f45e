from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "procur.ops"
    label = "ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Celery's signals bind each task's negotiation id to its log lines, in every process.
        from procur.ops import logging as ops_logging

        ops_logging.connect_task_signals()
