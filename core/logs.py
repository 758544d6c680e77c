"""Logging helpers."""

import logging
import time


class OnceAMinute(logging.Filter):
    """Let a message through once a minute: a service that is down fails on every request, and
    one line a minute says so as well as thousands would."""

    def __init__(self, seconds: float = 60) -> None:
        super().__init__()
        self.seconds = seconds
        self.last: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        now = time.monotonic()
        message = str(record.msg)
        if now - self.last.get(message, -self.seconds) < self.seconds:
            return False
        self.last[message] = now
        return True
