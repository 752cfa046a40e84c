"""Imports every module that defines tables, so metadata (and Alembic) sees them all."""

from matchmaker.store import models  # noqa: F401
