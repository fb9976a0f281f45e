"""Live sockets end with the session that opened them.

Every websocket listens to one group, ``sessions`` (one subscription per process, however many
sockets: ``negotiations.fanout``); logging out (the app's page or the admin's) sends
``session.ended`` there with a hash of the session key (never the key itself), and every socket
of that session closes. A socket also re-reads its session now and then
(:data:`RECHECK_SECONDS`), so one whose session expired or was deleted closes too.
"""

import hashlib
import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SESSIONS_GROUP = "sessions"
SESSION_ENDED = "session.ended"
# How often an open socket checks its session still exists (expiry, deletion).
RECHECK_SECONDS = 60.0


def session_id(session_key: str) -> str:
    """What a logout names the session by on the channel layer."""
    return hashlib.sha256(session_key.encode()).hexdigest()


def end_session_sockets(sender, request: HttpRequest, user, **kwargs) -> None:
    """``user_logged_out`` receiver: close the sockets of the session being flushed."""
    session_key = getattr(request, "session", None) and request.session.session_key
    if not session_key:
        return
    try:
        async_to_sync(get_channel_layer().group_send)(
            SESSIONS_GROUP, {"type": SESSION_ENDED, "session": session_id(session_key)}
        )
    except Exception:  # the logout itself must succeed; the recheck closes the sockets later
        logger.warning("could not close the sockets of a logged-out session", exc_info=True)


def session_alive(session: SessionBase, user_id: int) -> bool:
    """Whether ``session`` (the socket's, read at connect) still logs ``user_id`` in: read anew
    from the store, so an expired, deleted or flushed session reads as ended."""
    from django.conf import settings

    fresh = import_string(f"{settings.SESSION_ENGINE}.SessionStore")(session.session_key)
    data = fresh.load()
    return str(data.get(SESSION_KEY)) == str(user_id) and data.get(HASH_SESSION_KEY) == session.get(
        HASH_SESSION_KEY
    )
