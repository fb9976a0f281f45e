"""One channel per process and room: a quote's pushes handed to this process's sockets in one loop.

Channels gives every consumer a channel of its own. A push to a room of 200 viewers was then
received 200 times by the process: a Redis subscription, an asyncio queue, two task wake-ups and
a fresh receive task per socket, which was most of what a push cost daphne. Here the first
socket of a quote in a process joins the quote's group with one channel for the process; each
event is read once and handed to every socket of the room in turn; the last socket to leave
discards the channel. Rooms are per event loop (daphne runs one; each test has its own).
"""

import asyncio
import logging
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

Deliver = Callable[[dict], Awaitable[None]]


@dataclass(eq=False)
class _Room:
    group: str
    deliveries: list[Deliver] = field(default_factory=list)
    channel: str = ""
    joined: asyncio.Future | None = None  # done once the group's channel receives
    pump: asyncio.Task | None = None


_rooms: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, _Room]]" = (
    weakref.WeakKeyDictionary()
)


def _rooms_here() -> dict[str, _Room]:
    return _rooms.setdefault(asyncio.get_running_loop(), {})


async def _open(room: _Room) -> None:
    layer = get_channel_layer()
    room.channel = await layer.new_channel()
    await layer.group_add(room.group, room.channel)
    room.pump = asyncio.create_task(_pump(room))


async def _pump(room: _Room) -> None:
    """Hand each event to every socket of the room, in the order they joined."""
    layer = get_channel_layer()
    while True:
        event = await layer.receive(room.channel)
        for deliver in list(room.deliveries):
            try:
                await deliver(event)
            except Exception:  # one broken socket must not starve the others
                logger.exception("room %s: a socket failed to take a push", room.group)


async def join(group: str, deliver: Deliver) -> None:
    """Have ``deliver`` called with each event sent to ``group`` from now on.

    Returns once the group's channel is subscribed, so anything committed after the caller's
    next database read reaches it. Raises (and leaves no trace) if the channel layer is down.
    """
    rooms = _rooms_here()
    room = rooms.get(group)
    if room is None:
        room = rooms[group] = _Room(group)
        room.joined = asyncio.ensure_future(_open(room))
    room.deliveries.append(deliver)
    try:
        await asyncio.shield(room.joined)
    except BaseException:
        await leave(group, deliver)
        raise


async def leave(group: str, deliver: Deliver) -> None:
    """Stop calling ``deliver``; the last socket of the room closes its channel."""
    rooms = _rooms_here()
    room = rooms.get(group)
    if room is None or deliver not in room.deliveries:
        return
    room.deliveries.remove(deliver)
    if room.deliveries:
        return
    del rooms[group]
    room.joined.cancel()
    if room.pump is not None:
        room.pump.cancel()  # the pub/sub layer unsubscribes a cancelled receive's channel
    if room.channel:
        try:
            await get_channel_layer().group_discard(group, room.channel)
        except Exception:  # Redis down: its subscriptions went with the connection
            logger.warning("room %s: could not leave the group", group, exc_info=True)
