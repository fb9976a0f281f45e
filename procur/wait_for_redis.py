"""Wait until the configured Redis answers, so the worker does not race the embedded server."""

import os
import sys
import time

import redis


def main(timeout: float = 15.0) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "procur.settings")
    from django.conf import settings  # the settings decide the URL, embedded or not

    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=0.5).ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                sys.exit(f"Redis at {settings.REDIS_URL} did not answer within {timeout:g} s.")
            time.sleep(0.2)


if __name__ == "__main__":
    main()
