"""Redis restarts and websocket drops while quotes negotiate (issue 8, suite 3).

Everything runs as in production, as subprocesses on the test database: two daphne processes
(``procur.web``: the room's websocket and the pages), a Celery worker and celery beat (the
stalled-turn sweep), all on a throwaway ``redis-server`` of this test, never the machine's shared
one. The quotes are created through the web form. Room clients (the ``websockets`` package,
speaking the room's catch-up protocol: ``?after=<negotiation>:<last seq>,...`` on every
reconnect) watch them while the test drops their sockets at random and restarts Redis, which
loses everything in it (broker queue, results, channel-layer subscriptions): the database is
the only truth. Each client must end with exactly the database's messages, each once and in
order, and every negotiation must end.
"""

from __future__ import annotations

import asyncio
import contextlib
import http.client
import os
import random
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest
import websockets
from django.conf import settings
from django.db import connection
from django.test import Client

from negotiations.models import ENDED_STATUSES, Message, Negotiation, NegotiationStatus, Quote
from procur import embedded_redis, web
from tests.factories import SupplierFactory, UserFactory
from tests.test_negotiate_demo import database_url
from tests.ui.test_quote_pages import valid_quote
from vendors.models import Temperament

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
LOG_DIR = Path(settings.VAR_DIR) / "faults" / "redis-and-sockets"
MESSAGE_ID = re.compile(r'id="msg-(\d+)-(\d+)"')
DROPS = 50  # random socket drops (the trials)
RESTARTS_BEFORE = (12, 30)  # Redis restarts just before these drops
QUOTES, CLIENTS_PER_QUOTE = 2, 2
SEED = int(os.environ.get("PROCUR_FAULTS_SEED", "8"))


# --- Processes ---------------------------------------------------------------------------------
@dataclass
class Redis:
    """A redis-server of this test alone, restartable on the same port (nothing persisted)."""

    data_dir: Path
    port: int = field(default_factory=embedded_redis.free_port)
    process: subprocess.Popen | None = None
    restarts: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = embedded_redis.start(self.port, self.data_dir)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def restart(self, down_for: float) -> None:
        self.stop()
        time.sleep(down_for)
        self.start()
        self.restarts += 1


@dataclass
class Stack:
    redis: Redis
    web_port: int
    processes: list[subprocess.Popen] = field(default_factory=list)

    def spawn(self, name: str, *args: str, env: dict[str, str]) -> None:
        log = open(LOG_DIR / f"{name}.log", "w")  # noqa: SIM115 (the child's)
        process = subprocess.Popen(
            [*args],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: teardown reaches its children
        )
        log.close()
        self.processes.append(process)

    def wait_until_serving(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not embedded_redis.is_listening(self.web_port):
            exited = [p.args[1:4] for p in self.processes if p.poll() is not None]
            assert not exited, f"exited at start (logs in {LOG_DIR}): {exited}"
            assert time.monotonic() < deadline, f"the web server did not listen (logs in {LOG_DIR})"
            time.sleep(0.1)

    def stop(self) -> None:
        for process in self.processes:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        self.redis.stop()


def stack_env(redis: Redis) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis.url,
        "PROCUR_LLM": "scripted",
        # A human-ish pace, so the drops and restarts land while the quotes negotiate.
        "PROCUR_TURN_DELAY": "0.3",
        # Small limits, so a turn Redis lost is swept up soon (the stall must exceed the limit).
        "PROCUR_TURN_TIME_LIMIT": "15",
        "PROCUR_STALL_SECONDS": "16",
        "PROCUR_ANTHROPIC_TIMEOUT": "5",  # must stay under the turn limit (unused: scripted)
        "PROCUR_SWEEP_SECONDS": "2",
        "PROCUR_VISIBILITY_TIMEOUT": "10",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "console",
    }


@pytest.fixture
def stack(transactional_db, tmp_path):
    """Redis, the web server, a worker and beat; all stopped before the database is flushed."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    redis = Redis(tmp_path / "redis")
    redis.start()
    stack = Stack(redis, embedded_redis.free_port())
    env = stack_env(redis)
    try:
        # As production runs it: two daphne processes, so the sockets are spread over both and
        # each push crosses Redis pub/sub to both.
        stack.spawn("web", *web.command(port=stack.web_port, processes=2), env=env)
        celery = (sys.executable, "-m", "celery", "-A", "procur")
        stack.spawn(
            "worker",
            *celery,
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            "redis-faults@%h",
            "--loglevel",
            "WARNING",
            env=env,
        )
        stack.spawn(
            "beat", *celery, "beat", "-s", str(tmp_path / "beat-schedule"), "-l", "WARNING", env=env
        )
        stack.wait_until_serving()
        yield stack
    finally:
        stack.stop()


# --- The web, as a user ------------------------------------------------------------------------
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def post_form(port: int, cookie: str, path: str, form: dict) -> int:
    """Post a form to daphne as the page does (CSRF cookie and token); the status, after
    asserting it is no server error."""
    web = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    web.request("GET", "/quotes/new/", headers={"Cookie": cookie})
    page = web.getresponse()
    page.read()
    cookies = SimpleCookie()
    for header in page.headers.get_all("Set-Cookie") or []:
        cookies.load(header)
    csrf = cookies["csrftoken"].value
    web.request(
        "POST",
        path,
        urlencode(form, doseq=True),
        headers={
            "Cookie": f"{cookie}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    response = web.getresponse()
    body = response.read()
    assert response.status < 500, body[-3000:]
    return response.status


def create_quote(port: int, cookie: str, suppliers, product: str) -> int:
    """Post the new-quote form to daphne, as the page does; the new quote's id."""
    form = valid_quote(
        product=product,
        suppliers=[s.pk for s in suppliers],
        max_rounds="6",
        question_budget="0",
    )
    assert post_form(port, cookie, "/quotes/new/", form) == 302
    quote = Quote.objects.filter(product=product).get()
    return quote.pk


# --- Room clients ------------------------------------------------------------------------------
@dataclass
class RoomClient:
    """A room page's socket: reconnects after any drop and asks for what it lacks."""

    name: str
    url: str
    cookie: str
    origin: str
    arrivals: dict[int, list[int]] = field(default_factory=dict)  # negotiation -> seqs received
    connections: int = 0
    refused: int = 0
    drops: int = 0
    socket: websockets.ClientConnection | None = None

    def after(self) -> str:
        return ",".join(f"{n}:{max(seqs)}" for n, seqs in sorted(self.arrivals.items()))

    def record(self, frame: str | bytes) -> None:
        text = frame if isinstance(frame, str) else frame.decode()
        for negotiation, seq in MESSAGE_ID.findall(text):
            self.arrivals.setdefault(int(negotiation), []).append(int(seq))

    def seen(self) -> set[tuple[int, int]]:
        return {(n, s) for n, seqs in self.arrivals.items() for s in seqs}

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            after = self.after()
            try:
                async with websockets.connect(
                    self.url + (f"?after={after}" if after else ""),
                    origin=self.origin,
                    additional_headers={"Cookie": self.cookie},
                    open_timeout=10,
                ) as socket:
                    self.socket = socket
                    self.connections += 1
                    async for frame in socket:
                        self.record(frame)
            except (websockets.InvalidHandshake, websockets.ConnectionClosed, OSError):
                self.refused += 1  # refused (Redis down) or dropped: reconnect, as the page does
            except TimeoutError:
                self.refused += 1
            finally:
                self.socket = None
            await asyncio.sleep(0.1)

    async def drop(self, rng: random.Random) -> bool:
        socket = self.socket
        if socket is None:
            return False
        if rng.random() < 0.5:
            socket.transport.abort()  # the network goes: no closing handshake
        else:
            await socket.close()  # the page is reloaded or the tab suspended
        self.drops += 1
        return True


# --- Reading the database from the event loop's side -------------------------------------------
def in_thread(function):
    """Run ``function`` in a worker thread (Django refuses sync queries on the event loop's),
    closing the thread's database connection after."""

    def call():
        try:
            return function()
        finally:
            connection.close()

    return asyncio.to_thread(call)


def stored(quote_ids: list[int]) -> dict[int, dict[int, list[int]]]:
    """Quote -> negotiation -> the seqs in the database."""
    result: dict[int, dict[int, list[int]]] = {q: {} for q in quote_ids}
    for negotiation_id, quote_id in Negotiation.objects.filter(quote__in=quote_ids).values_list(
        "pk", "quote_id"
    ):
        result[quote_id][negotiation_id] = []
    rows = Message.objects.filter(negotiation__quote__in=quote_ids).order_by("negotiation", "seq")
    for negotiation_id, quote_id, seq in rows.values_list(
        "negotiation_id", "negotiation__quote_id", "seq"
    ):
        result[quote_id][negotiation_id].append(seq)
    return result


def open_negotiations(quote_ids: list[int]) -> int:
    return (
        Negotiation.objects.filter(quote__in=quote_ids).exclude(status__in=ENDED_STATUSES).count()
    )


async def wait_for(predicate, what: str, timeout: float, describe=None) -> None:
    """Poll ``predicate`` until true; fail saying what hangs (``describe()``, in a thread)."""
    deadline = time.monotonic() + timeout
    while not await predicate():
        if time.monotonic() > deadline:
            detail = await in_thread(describe) if describe else ""
            raise AssertionError(f"{what}: not within {timeout} s. {detail}")
        await asyncio.sleep(0.25)


def still_open(quote_ids: list[int]) -> str:
    rows = Negotiation.objects.filter(quote__in=quote_ids).exclude(status__in=ENDED_STATUSES)
    fields = ("pk", "status", "turns_taken", "turn_deliveries", "last_activity_at", "error")
    return f"Still open: {list(rows.values_list(*fields))} (logs in {LOG_DIR})"


# --- The test ----------------------------------------------------------------------------------
def test_clients_end_with_exactly_the_stored_messages_through_redis_restarts_and_drops(
    stack, organisation
):
    rng = random.Random(SEED)
    user = UserFactory(organisation=organisation)
    suppliers = [
        SupplierFactory(organisation=organisation, temperament=t)
        for t in (Temperament.HARDBALL, Temperament.BALANCED, Temperament.FLEXIBLE)
    ]
    cookie = session_cookie(user)
    port = stack.web_port
    quote_ids = [create_quote(port, cookie, suppliers, f"Bottle {i}") for i in range(QUOTES)]
    clients = [
        RoomClient(
            f"quote {q} client {c}",
            f"ws://127.0.0.1:{port}/ws/quotes/{q}/",
            cookie,
            f"http://127.0.0.1:{port}",
        )
        for q in quote_ids
        for c in range(CLIENTS_PER_QUOTE)
    ]
    quote_of = {client.name: q for client in clients for q in quote_ids if f"/{q}/" in client.url}
    drops_while_open = 0

    async def scenario() -> dict[int, dict[int, list[int]]]:
        nonlocal drops_while_open
        stop = asyncio.Event()
        running = [asyncio.create_task(client.run(stop)) for client in clients]
        for trial in range(DROPS):
            if trial in RESTARTS_BEFORE:
                await asyncio.to_thread(stack.redis.restart, rng.uniform(0.5, 2.0))
            await asyncio.sleep(rng.uniform(0.05, 0.5))
            client = rng.choice(clients)
            await wait_for(  # it may be reconnecting, or refused while Redis is down
                lambda client=client: client.drop(rng), f"{client.name} connected", timeout=60
            )
            if await in_thread(lambda: open_negotiations(quote_ids)):
                drops_while_open += 1
        await wait_for(
            lambda: in_thread(lambda: open_negotiations(quote_ids) == 0),
            "every negotiation ended",
            timeout=150,
            describe=lambda: still_open(quote_ids),
        )
        truth = await in_thread(lambda: stored(quote_ids))

        async def converged() -> bool:
            return all(
                client.seen()
                == {(n, s) for n, seqs in truth[quote_of[client.name]].items() for s in seqs}
                for client in clients
            )

        try:
            await wait_for(converged, "every client has every stored message", timeout=30)
        finally:
            stop.set()
            for client in clients:
                if client.socket is not None:
                    await client.socket.close()
            await asyncio.gather(*running)
        return truth

    truth = asyncio.run(scenario())

    report = {c.name: (c.connections, c.drops, c.refused) for c in clients}
    print(f"seed {SEED}; (connections, drops, refused) per client: {report}")
    print(f"drops while negotiating: {drops_while_open}; Redis restarts: {stack.redis.restarts}")
    assert stack.redis.restarts == len(RESTARTS_BEFORE)
    assert sum(c.drops for c in clients) == DROPS
    for client in clients:
        # Exactly the database's messages: each once, in order (the page appends them).
        assert client.arrivals == truth[quote_of[client.name]], client.name
    negotiations = Negotiation.objects.filter(quote__in=quote_ids)
    assert negotiations.count() == QUOTES * 3
    statuses = list(negotiations.values_list("status", flat=True))
    assert all(s in ENDED_STATUSES and s != NegotiationStatus.FAILED for s in statuses), statuses


def test_staff_actions_while_redis_is_down_are_stored_and_run_once_it_is_back(stack, organisation):
    """The database is the truth: with Redis down, a new quote and guidance are still stored
    (no server error), and the quote negotiates to the end once Redis is back."""
    user = UserFactory(organisation=organisation)
    suppliers = SupplierFactory.create_batch(3, organisation=organisation)
    cookie = session_cookie(user)
    stack.redis.stop()
    quote_id = create_quote(stack.web_port, cookie, suppliers, "Bottle while Redis is down")
    negotiation = Negotiation.objects.filter(quote_id=quote_id).first()
    guided = post_form(
        stack.web_port, cookie, f"/negotiations/{negotiation.pk}/guide/", {"text": "Push on price"}
    )
    assert guided == 302
    assert negotiation.messages.filter(text="Push on price").exists()
    stack.redis.start()
    asyncio.run(
        wait_for(
            lambda: in_thread(lambda: open_negotiations([quote_id]) == 0),
            "every negotiation ended",
            timeout=120,
            describe=lambda: still_open([quote_id]),
        )
    )
    statuses = Negotiation.objects.filter(quote_id=quote_id).values_list("status", flat=True)
    assert NegotiationStatus.FAILED not in statuses
