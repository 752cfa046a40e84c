"""Logging of the served app, defined once: `matchmaker serve` hands `log_config()` to uvicorn, so
every worker writes one JSON access line per request (`matchmaker.access`) to stdout and the
application's other log records as JSON to stderr; uvicorn's own start-up lines stay as they are."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

ACCESS_LOGGER = "matchmaker.access"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, then the record's fields.
    A message that is itself a JSON object (the access lines) is merged in, not nested."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        message = record.getMessage()
        try:
            fields = json.loads(message)
        except ValueError:
            fields = None
        if isinstance(fields, dict):
            line.update(fields)
        else:
            line["message"] = message
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_config(level: str = "info") -> dict[str, Any]:
    """A `logging.config.dictConfig` document for uvicorn's `log_config`: uvicorn's defaults plus
    JSON handlers for matchmaker's loggers (access lines on stdout, the rest on stderr). uvicorn's
    plain access line is switched off, since the JSON one replaces it."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = json.loads(json.dumps(LOGGING_CONFIG))  # a deep copy
    config["formatters"]["json"] = {"()": f"{__name__}.JsonFormatter"}
    config["handlers"]["json_stdout"] = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stdout",
    }
    config["handlers"]["json_stderr"] = {
        "class": "logging.StreamHandler",
        "formatter": "json",
        "stream": "ext://sys.stderr",
    }
    config["loggers"][ACCESS_LOGGER] = {
        "handlers": ["json_stdout"],
        "level": "INFO",
        "propagate": False,
    }
    config["loggers"]["matchmaker"] = {
        "handlers": ["json_stderr"],
        "level": level.upper(),
        "propagate": False,
    }
    config["loggers"]["uvicorn.access"] = {"handlers": [], "level": "WARNING", "propagate": False}
    return config
