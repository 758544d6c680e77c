"""Starting background work from a request: a task queue that cannot be reached is a clear
message for the person waiting, not a server error."""

from typing import Any, Protocol

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

# What sending a task raises when the broker is down, refusing or not answering.
UNREACHABLE = (OperationalError, RedisConnectionError, RedisTimeoutError)


class Task(Protocol):
    def delay(self, *args: Any, **kwargs: Any) -> Any: ...


class QueueUnreachable(Exception):
    """The task queue (the Celery broker) could not be reached: the task was not queued."""

    def __init__(self, consequence: str) -> None:
        super().__init__(f"The task queue is unreachable: {consequence}; try again shortly.")


def task_enqueue_on_commit(task: Task, *args: Any, consequence: str, **kwargs: Any) -> None:
    """Queue `task` once the current transaction commits, so the worker finds its data.

    Outside a transaction (a request, as Pacer runs them) that is at once, so a queue that is
    down is known before the answer: QueueUnreachable, saying `consequence` ("the import was
    saved but not started"). Inside one it is raised as the transaction commits, its data kept.
    """

    def send() -> None:
        try:
            task.delay(*args, **kwargs)
        except UNREACHABLE as error:
            raise QueueUnreachable(consequence) from error

    transaction.on_commit(send)
