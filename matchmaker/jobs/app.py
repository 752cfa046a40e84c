"""The Celery application, configured from the settings (imported only when a broker is set)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from matchmaker.core.config import Settings, get_settings

if TYPE_CHECKING:
    from celery import Celery

QUEUE = "matchmaker"
_apps: dict[str, Celery] = {}
_lock = threading.Lock()


class NoBroker(RuntimeError):
    """A queue was asked for while MATCHMAKER_BROKER_URL is unset."""


def celery_config(settings: Settings) -> dict[str, object]:
    """The settings every producer and worker share: a task is acknowledged only once it has
    finished, so a worker killed mid-task leaves it to be handed to another worker."""
    return {
        "broker_url": settings.broker_url,
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_ignore_result": True,
        "task_default_queue": QUEUE,
        "broker_connection_retry_on_startup": True,
        "broker_transport_options": {"visibility_timeout": settings.queue_visibility_timeout},
        "worker_hijack_root_logger": False,
        "worker_send_task_events": False,
        "timezone": "UTC",
    }


def get_app(settings: Settings | None = None) -> Celery:
    """The process's Celery app for the configured broker, with the project's tasks registered."""
    settings = settings or get_settings()
    if not settings.queued or settings.broker_url is None:
        raise NoBroker(
            "未配置 MATCHMAKER_BROKER_URL，后台任务在本进程内运行 / MATCHMAKER_BROKER_URL is "
            "not set: background jobs run in this process"
        )
    url = settings.broker_url.strip()
    with _lock:
        app = _apps.get(url)
        if app is None:
            from celery import Celery

            from matchmaker.jobs.tasks import register

            app = Celery("matchmaker", set_as_current=False)
            app.conf.update(celery_config(settings))
            register(app)
            _apps[url] = app
        return app


def send(name: str, *args: object, settings: Settings | None = None) -> None:
    """Put one task on the queue by name (arguments must be JSON)."""
    get_app(settings).send_task(name, args=list(args), queue=QUEUE)


def send_task(settings: Settings, name: str, *args: object) -> None:
    """`send` with the settings first (the shape job code takes as its sender)."""
    send(name, *args, settings=settings)
