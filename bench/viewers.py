"""Websocket viewers of one quote's room: each a real client of daphne, logged in by cookie.

Every frame is stamped on receipt; the transcript entries it carries
(``id="msg-<negotiation>-<seq>"``) are noted per viewer, so the caller can tell when each
message reached each browser, and whether any was missed or came twice.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from websockets.asyncio.client import ClientConnection, connect

MESSAGE_ID = re.compile(r'id="msg-(\d+)-(\d+)"')


@dataclass
class Viewer:
    received: list[tuple[int, int, float]] = field(default_factory=list)  # negotiation, seq, t
    frames: int = 0


async def _watch(socket: ClientConnection, viewer: Viewer) -> None:
    async for frame in socket:
        now = time.time()
        viewer.frames += 1
        for negotiation, seq in MESSAGE_ID.findall(frame):
            viewer.received.append((int(negotiation), int(seq), now))


async def watch_room(
    *,
    port: int,
    quote_id: int,
    session_keys: list[str],
    until: Callable[[], bool],
    start: Callable[[], None],
    timeout: float,
) -> list[Viewer]:
    """Connect one viewer per session key, call ``start`` (in a thread), receive until
    ``until()`` is true (polled in a thread), then a grace second for the last pushes."""
    url = f"ws://127.0.0.1:{port}/ws/quotes/{quote_id}/"
    origin = f"http://127.0.0.1:{port}"
    viewers = [Viewer() for _ in session_keys]
    sockets = []
    for key in session_keys:
        sockets.append(
            await connect(
                url,
                origin=origin,
                additional_headers={"Cookie": f"sessionid={key}"},
                max_size=None,
                open_timeout=30,
            )
        )
        await sockets[-1].recv()  # the catch-up frame: the room as it is before the start
    tasks = [asyncio.create_task(_watch(s, v)) for s, v in zip(sockets, viewers, strict=True)]
    try:
        await asyncio.to_thread(start)
        deadline = time.monotonic() + timeout
        while not await asyncio.to_thread(until):
            if time.monotonic() > deadline:
                raise TimeoutError(f"the quote did not finish within {timeout:g} s")
            await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)
    finally:
        for socket in sockets:
            await socket.close()
        await asyncio.gather(*tasks, return_exceptions=True)
    return viewers
