"""A small local fake of the Anthropic Messages API for the tests (``POST /v1/messages``).

It runs a threaded ``http.server`` on 127.0.0.1 and answers from a queue of scripted replies
(a tool call with given input, plain text, malformed tool input, an HTTP error such as 429, 529
or 500, or a stall), falling back to a default responder when the queue is empty. It records
every request body and reports realistic ``usage``: tokens are estimated at 4 characters per
token, and ``cache_creation_input_tokens`` / ``cache_read_input_tokens`` follow the
``cache_control`` breakpoints it has seen across calls (prefix order tools → system →
messages, like the real API; the real minimum cacheable length is ignored).

    with FakeAnthropic() as fake:
        fake.tool_call({"action": "counter", ...})
        fake.error(529)
        ... Anthropic(base_url=fake.url) ...
        fake.requests[0]["tool_choice"]
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    429: "rate_limit_error",
    500: "api_error",
    529: "overloaded_error",
}


@dataclass
class Reply:
    """One scripted answer. ``kind``: tool, text, error or stall."""

    kind: str
    content: Any = None
    status: int = 200
    seconds: float = 0.0


Responder = Callable[[dict[str, Any]], Reply]


@dataclass
class Usage:
    input_tokens: int
    cache_creation_input_tokens: int
    cache_read_input_tokens: int


@dataclass
class FakeAnthropic:
    """The fake server; use as a context manager (or ``start()`` / ``stop()``)."""

    default: Responder | None = None
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    usages: list[Usage] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._queue: deque[Reply] = deque()
        self._cache: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        # A short poll interval makes stop() (and so each test's teardown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # ends any stall at once
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- scripting ----------------------------------------------------------------------------
    def tool_call(self, tool_input: dict[str, Any], times: int = 1) -> None:
        """Answer with a ``make_move`` tool call carrying ``tool_input``."""
        self._push(Reply("tool", tool_input), times)

    def text(self, text: str, times: int = 1) -> None:
        """Answer with plain text and no tool call."""
        self._push(Reply("text", text), times)

    def malformed(self, times: int = 1) -> None:
        """Answer with a ``make_move`` call whose input is unusable (no action, a bad price)."""
        self._push(Reply("tool", {"terms": {"unit_price": "cheap"}, "message": ""}), times)

    def error(self, status: int, times: int = 1) -> None:
        """Answer with an API error (429, 529, 500, ...); the SDK retries retryable ones."""
        self._push(Reply("error", status=status), times)

    def stall(self, seconds: float = 60.0, times: int = 1) -> None:
        """Hold the request without answering (until ``seconds`` pass or the server stops)."""
        self._push(Reply("stall", seconds=seconds), times)

    def _push(self, reply: Reply, times: int) -> None:
        with self._lock:
            self._queue.extend(copy.deepcopy(reply) for _ in range(times))

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._queue)

    # -- answering ----------------------------------------------------------------------------
    def _next(self, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            if self._queue:
                return self._queue.popleft()
        if self.default is not None:
            return self.default(body)
        return Reply("text", "No reply scripted.")

    def _usage(self, body: dict[str, Any]) -> Usage:
        """Token usage with prompt caching: the longest prefix cached by an earlier breakpoint
        is read, the rest up to the last breakpoint is written, what follows is input."""
        blocks = _blocks(body)
        tokens = [_tokens(b) for b in blocks]
        digest = hashlib.sha256(str(body.get("model")).encode())
        prefixes = []
        for block in blocks:
            digest.update(_canonical(block).encode())
            prefixes.append(digest.hexdigest())
        breakpoints = [
            i for i, b in enumerate(blocks) if isinstance(b, dict) and b.get("cache_control")
        ]
        if not breakpoints:
            return Usage(sum(tokens), 0, 0)
        last = breakpoints[-1]
        with self._lock:
            hit = max((i for i in range(last + 1) if prefixes[i] in self._cache), default=-1)
            self._cache.update(prefixes[i] for i in breakpoints)
        read = sum(tokens[: hit + 1])
        written = sum(tokens[hit + 1 : last + 1])
        return Usage(sum(tokens[last + 1 :]), written, read)

    def _message(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        n = len(self.requests)
        if reply.kind == "tool":
            tool = (body.get("tool_choice") or {}).get("name") or "make_move"
            content = [
                {"type": "tool_use", "id": f"toolu_{n:04d}", "name": tool, "input": reply.content}
            ]
            stop = "tool_use"
        else:
            content = [{"type": "text", "text": str(reply.content)}]
            stop = "end_turn"
        usage = self._usage(body)
        self.usages.append(usage)
        return {
            "id": f"msg_{n:04d}",
            "type": "message",
            "role": "assistant",
            "model": body.get("model", ""),
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {
                "input_tokens": usage.input_tokens,
                "cache_creation_input_tokens": usage.cache_creation_input_tokens,
                "cache_read_input_tokens": usage.cache_read_input_tokens,
                "output_tokens": math.ceil(len(json.dumps(content)) / 4),
            },
        }


def _blocks(body: dict[str, Any]) -> list[Any]:
    """The request as the ordered blocks a cache prefix is made of."""
    blocks: list[Any] = list(body.get("tools") or [])
    system = body.get("system")
    blocks += [system] if isinstance(system, str) else list(system or [])
    for message in body.get("messages") or []:
        content = message.get("content")
        if isinstance(content, str):
            blocks.append({"role": message.get("role"), "text": content})
        else:
            blocks += [{"role": message.get("role"), **b} for b in content or []]
    return blocks


def _canonical(block: Any) -> str:
    if isinstance(block, dict):
        block = {k: v for k, v in block.items() if k != "cache_control"}
    return json.dumps(block, sort_keys=True)


def _tokens(block: Any) -> int:
    return max(1, math.ceil(len(_canonical(block)) / 4))


def _handler(fake: FakeAnthropic) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output quiet

        def do_POST(self) -> None:
            if self.path.split("?")[0] != "/v1/messages":
                self._send(404, {"type": "error", "error": {"type": "not_found_error"}})
                return
            length = int(self.headers.get("content-length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except json.JSONDecodeError:
                self._send(400, _error(400, "body is not JSON"))
                return
            reply = fake._next(body, {k.lower(): v for k, v in self.headers.items()})
            if reply.kind == "stall":
                fake._stopping.wait(reply.seconds)
                reply = Reply("error", status=500)
            if reply.kind == "error":
                # A short retry-after keeps the SDK's backoff fast in the tests.
                self._send(reply.status, _error(reply.status), {"retry-after-ms": "20"})
                return
            self._send(200, fake._message(body, reply))

        def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            try:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", "req_fake")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler


def _error(status: int, message: str = "fake error") -> dict[str, Any]:
    return {
        "type": "error",
        "error": {"type": ERROR_TYPES.get(status, "api_error"), "message": message},
    }
