"""A real SMTP server for the tests: Procur sends through Django's SMTP backend, the test reads
what arrived here (the only fake is the recipient's mail server)."""

import email
import email.policy
import threading
import time
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from procur.embedded_redis import free_port


class Mailbox:
    """An ``aiosmtpd`` server on loopback that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        # The next this many messages are refused with a 451 ("try again later"), as a mail server
        # that is busy or greylisting does; ``refused`` counts those refusals.
        self.refuse_next = 0
        self.refused = 0
        self._arrived = threading.Condition()
        self.port = free_port()
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope) -> str:  # aiosmtpd calls it by this name
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self._arrived:
            if self.refuse_next:
                self.refuse_next -= 1
                self.refused += 1
                return "451 4.3.0 Try again later"
            self.messages.append(message)
            self._arrived.notify_all()
        return "250 Message accepted for delivery"

    def __enter__(self) -> "Mailbox":
        self._controller.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._controller.stop()

    def wait_for(self, count: int = 1, timeout: float = 20.0, **headers: str) -> list[EmailMessage]:
        """The messages whose headers contain each of ``headers`` (``to="a@b"``, ``subject=``),
        once at least ``count`` of them have arrived; fails after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._arrived:
            while True:
                found = [m for m in self.messages if _matches(m, headers)]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"{count} mail(s) matching {headers} did not arrive in {timeout} s; "
                        f"got: {[(m['To'], m['Subject']) for m in self.messages]}"
                    )
                self._arrived.wait(left)


def _matches(message: EmailMessage, headers: dict[str, str]) -> bool:
    return all(
        value in str(message[name.replace("_", "-")] or "") for name, value in headers.items()
    )


def body_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    return message.get_body(preferencelist=("plain",)).get_content()
