"""Wait until the configured Redis answers, so the worker does not race the embedded server."""

import os
import sys
import time

import redis


def main(timeout: float = 15.0) -> None:
    url = os.environ.get("REDIS_URL") or (
        f"redis://127.0.0.1:{os.environ.get('PROCUR_EMBEDDED_REDIS_PORT', '6390')}/0"
    )
    deadline = time.monotonic() + timeout
    while True:
        try:
            redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            return
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                sys.exit(f"Redis at {url} did not answer within {timeout:g} s.")
            time.sleep(0.2)


if __name__ == "__main__":
    main()
