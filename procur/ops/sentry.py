"""Error reporting to Sentry, only when ``SENTRY_DSN`` is set (called from settings)."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from procur.ops.logging import redact


def redact_event(event: dict, hint: dict) -> dict:
    """A Sentry event or breadcrumb with supplier portal tokens redacted (its request URL, the
    transaction name, messages, breadcrumbs and stack frames' text alike)."""
    return redact(event)


def init_sentry(*, dsn: str, environment: str, traces_sample_rate: float) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration(monitor_beat_tasks=True)],
        traces_sample_rate=traces_sample_rate,
        # Quotes and transcripts are customer data: never attach request bodies or users' details.
        send_default_pii=False,
        # Frames' locals hold portal tokens bare (a view's ``token``, Django's callback_kwargs),
        # where no redaction can recognise them: never sent.
        include_local_variables=False,
        # Portal links are secrets (procur/ops/logging.py).
        before_send=redact_event,
        before_send_transaction=redact_event,
        before_breadcrumb=redact_event,
    )
