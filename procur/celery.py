"""The Celery application: configured from Django settings (``CELERY_*``), tasks autodiscovered."""

import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from celery.worker.consumer import Consumer as CeleryConsumer

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")

logger = logging.getLogger(__name__)


class Consumer(CeleryConsumer):
    """The worker's consumer, surviving a broker that goes away while tasks are unacked.

    On a lost connection Celery 5.7 ``collect()``s it, which detaches kombu's transport from
    the old channel; anything that still uses that channel (closing it restores the unacked
    messages; a turn finishing afterwards acks its message on it) raises ``AttributeError``
    in the consumer, which Celery treats as unrecoverable: the worker exited on every Redis
    restart while a turn ran (tests/faults/test_redis_and_sockets.py). Counted here as one more
    connection error, the consumer reconnects instead. The messages concerned are still in
    Redis's unacked set (the visibility timeout restores them) or were lost with a restarted
    Redis (the stall sweep requeues their turns); turns are idempotent either way.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.connection_errors = (*self.connection_errors, AttributeError)

    def on_connection_error_after_connected(self, exc: Exception) -> None:
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError:
            logger.warning("broker connection closed uncleanly; reconnecting", exc_info=True)


app = Celery("procur")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.add_defaults({"worker_consumer": "procur.celery:Consumer"})
app.autodiscover_tasks()


@task_prerun.connect
@task_postrun.connect
def release_database_connections(**kwargs) -> None:
    """Hand the task's connection back (to the pool, on PostgreSQL) and drop a broken one, as
    Django does around a request (see ``CELERY_DB_REUSE_MAX``)."""
    if not getattr(kwargs["task"].request, "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()
