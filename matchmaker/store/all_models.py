"""Imports every module that defines tables, so metadata (and Alembic) sees them all."""

from matchmaker.accounts import models as account_models
from matchmaker.digest import models as digest_models
from matchmaker.events import models as event_store
from matchmaker.store import auth, feedback, models

__all__ = ["account_models", "auth", "digest_models", "event_store", "feedback", "models"]
