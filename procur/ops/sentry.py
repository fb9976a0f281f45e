"""Error reporting to Sentry, only when ``SENTRY_DSN`` is set (called from settings)."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=True)],
        traces_sample_rate=traces_sample_rate,
        # Quotes and transcripts are customer data: never attach request bodies or users' details.
        send_default_pii=False,
    )
