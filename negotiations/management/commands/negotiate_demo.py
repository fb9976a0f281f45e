"""Headless form of the main job: create a quote, negotiate it through a real Celery worker,
print the three transcripts and the recommendation."""

import logging
import time
from contextlib import ExitStack, contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from negotiations import services
from negotiations.demo import seed_demo
from negotiations.engine import Terms
from negotiations.models import ENDED_STATUSES, NegotiationStatus, Quote
from negotiations.selectors import quote_with_transcripts
from procur import embedded_redis
from procur.celery import app as celery_app


@contextmanager
def embedded_redis_running():
    """Start the embedded Redis for the run when nothing serves its port yet."""
    process = embedded_redis.ensure_running(
        settings.EMBEDDED_REDIS_PORT, settings.VAR_DIR / "redis"
    )
    try:
        yield
    finally:
        if process:
            process.terminate()
            process.wait(timeout=10)


@contextmanager
def in_process_worker():
    """A real Celery worker in this process (thread pool), for when none is running."""
    from celery.contrib.testing.worker import start_worker

    with start_worker(
        celery_app, pool="threads", concurrency=3, perform_ping_check=False, loglevel="WARNING"
    ):
        yield


# What the demo's staff answers when a brand agent asks a question.
DEMO_ANSWER = (
    "Yes: partial shipments are fine as long as the full quantity arrives by the needed-by date."
)


def describe(terms: dict | None) -> str:
    if not terms:
        return ""
    t = Terms.from_dict(terms)
    return (
        f"[{t.unit_price} {t.currency}/unit, {t.lead_time_days} d lead, "
        f"net {t.payment_terms_days}, {t.warranty_months} mo warranty]"
    )


class Command(BaseCommand):
    help = "Create a demo quote, run its three negotiations through Celery, print the outcome."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=300, help="seconds to wait")
        parser.add_argument(
            "--worker",
            choices=["auto", "external", "in-process"],
            default="auto",
            help="use a running worker, start one in this process, or decide by pinging (auto)",
        )

    def handle(self, *args, timeout: float, worker: str, verbosity: int, **options) -> None:
        if verbosity < 2:
            logging.getLogger().setLevel(logging.WARNING)  # keep the worker's chatter out
        with ExitStack() as stack:
            if settings.EMBEDDED_REDIS:
                stack.enter_context(embedded_redis_running())
            if worker == "in-process" or (
                worker == "auto" and not celery_app.control.ping(timeout=1.0)
            ):
                self.stdout.write("No Celery worker answered: starting one in this process.")
                stack.enter_context(in_process_worker())
            quote = self.create_quote()
            services.quote_start(quote=quote)
            self.stdout.write(f"Negotiating quote #{quote.pk}: {quote} ...")
            pace = settings.PROCUR_SIMULATED_LLM_LATENCY
            if settings.PROCUR_LLM == "scripted" and pace:
                self.stdout.write(
                    f"The scripted voice takes {pace:g} s a turn, as a model would "
                    "(PROCUR_SIMULATED_LLM_LATENCY=0 for an instant run)."
                )
            self.wait(quote, timeout)
        self.report(quote)

    def create_quote(self) -> Quote:
        data = seed_demo()
        template = data.quotes[0]
        return Quote.objects.create(
            organisation=data.organisation,
            created_by=data.user,
            product=template.product,
            category=template.category,
            description=template.description,
            quantity=template.quantity,
            target_price=template.target_price,
            max_price=template.max_price,
            needed_by=template.needed_by,
            requirements=template.requirements,
            max_rounds=10,
        )

    def wait(self, quote: Quote, timeout: float) -> None:
        """Poll the database until the quote is evaluated, answering the agents' questions."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for negotiation in quote.negotiations.filter(
                status=NegotiationStatus.WAITING_FOR_STAFF
            ):
                self.stdout.write(f"Staff answers {negotiation.supplier}'s brand agent.")
                services.negotiation_answer(
                    negotiation=negotiation, author=quote.created_by, text=DEMO_ANSWER
                )
            statuses = list(quote.negotiations.values_list("status", flat=True))
            quote.refresh_from_db(fields=["status"])
            if all(s in ENDED_STATUSES for s in statuses) and quote.status != "negotiating":
                return
            time.sleep(0.25)
        raise CommandError(
            f"The negotiations did not finish within {timeout:g} s "
            f"(statuses: {', '.join(statuses)}). Is a Celery worker consuming the queue?"
        )

    def report(self, quote: Quote) -> None:
        quote = quote_with_transcripts(quote.pk)
        for negotiation in quote.negotiations.all():
            supplier = negotiation.supplier
            self.stdout.write(
                self.style.MIGRATE_HEADING(
                    f"\n— Slot {negotiation.slot}: {supplier.name} ({supplier.temperament}) — "
                    f"{negotiation.get_status_display()} after {negotiation.round} rounds"
                )
            )
            for message in negotiation.messages.all():
                self.stdout.write(
                    f"  #{message.seq:<2} r{message.round:<2} {message.sender:<8} "
                    f"{message.action:<9} {describe(message.terms)}\n      {message.text}"
                )
        recommendation = quote.recommendation or {}
        self.stdout.write(self.style.SUCCESS(f"\n{recommendation.get('summary', '')}"))
        for reason in recommendation.get("reasons", []):
            self.stdout.write(f"  - {reason}")
