"""The task queue: Huey on a SQLite file in `instance/` by default, on Redis when REDIS_URL is set.

Each app gets its own Huey instance with every task registered on it, and each
task runs inside that app's context, so a task reads settings and uses the
database exactly as a request does (and its session is removed afterwards).
Routes and services enqueue with `enqueue(jobs.some_task, ...)`; the consumer
(`huey_consumer clinic.tasks.consumer.huey`, or `flask serve`) runs them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from huey import Huey, RedisHuey, SqliteHuey, crontab

from clinic.database import make_private_file

QUEUE_NAME = "groundwork"
# A failing task is tried again after 30 s, 2 min, 8 min, 32 min and about 2 h, then given up.
RETRIES = 5
RETRY_DELAY_SECONDS = 30
RETRY_BACKOFF = 4


def init_app(app: Flask) -> None:
    from clinic.tasks import cli, jobs

    huey = _make_huey(app)
    wrappers = {}
    for function, periodic in jobs.TASKS:
        runner = _in_app_context(app, function)
        if periodic:
            wrappers[function.__name__] = huey.periodic_task(crontab(minute="0"), name=function.__name__)(runner)
        else:
            wrappers[function.__name__] = huey.task(
                retries=RETRIES, retry_delay=RETRY_DELAY_SECONDS, retry_backoff=RETRY_BACKOFF,
                context=True, name=function.__name__)(runner)
    app.extensions["huey"] = huey
    app.extensions["huey_tasks"] = wrappers
    cli.init_app(app)


def _make_huey(app: Flask) -> Huey:
    """Redis when REDIS_URL is set (several consumers on several machines), else a SQLite file."""
    if app.config["REDIS_URL"]:
        return RedisHuey(QUEUE_NAME, url=app.config["REDIS_URL"], results=False)
    path = Path(app.config["QUEUE_FILE"] or Path(app.instance_path) / "queue.sqlite")
    path.parent.mkdir(parents=True, exist_ok=True)
    make_private_file(path)  # task arguments can name clients: 0600, and its WAL files follow
    return SqliteHuey(QUEUE_NAME, filename=str(path), results=False)


def _in_app_context(app: Flask, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        with app.app_context():  # its teardown removes the database session
            return function(*args, **kwargs)

    return run


def enqueue(function: Callable[..., Any], *args: Any) -> None:
    """Put a call of one of `jobs.TASKS` on the queue; call it after the data it needs is committed."""
    current_app.extensions["huey_tasks"][function.__name__](*args)
