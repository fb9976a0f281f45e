"""``python -m procur.daphne_server [daphne options] procur.asgi:application``: daphne, with its
access log's paths redacted.

Daphne writes its access log (``WSCONNECT /ws/s/<token>/``, ``GET /s/<token>/``) straight to
stdout, past Python's logging and its redaction of supplier portal tokens; ``procur.web`` starts
its processes through here so that log has them redacted too.
"""

from typing import Any

from daphne.cli import CommandLineInterface
from daphne.server import Server

from procur.ops.logging import redact


def redacting(action_logger):
    """The access logger, given each action's details with the path redacted."""

    def log_action(protocol: str, action: str, details: dict[str, Any]) -> None:
        action_logger(protocol, action, {**details, "path": redact(details.get("path", ""))})

    return log_action


class RedactingServer(Server):
    def __init__(self, *args: Any, action_logger=None, **kwargs: Any) -> None:
        if action_logger is not None:
            action_logger = redacting(action_logger)
        super().__init__(*args, action_logger=action_logger, **kwargs)


class RedactingCommandLineInterface(CommandLineInterface):
    server_class = RedactingServer


if __name__ == "__main__":
    RedactingCommandLineInterface.entrypoint()
