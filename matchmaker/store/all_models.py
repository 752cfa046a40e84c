"""Imports every module that defines tables, so metadata (and Alembic) sees them all."""

from matchmaker.accounts import models as account_models
from matchmaker.digest import models as digest_models
from matchmaker.events import models as event_store
from matchmaker.events import participation_models as event_participation
from matchmaker.finance import models as finance_models
from matchmaker.jobs import models as job_models
from matchmaker.store import auth, feedback, labels, models, search_feedback

__all__ = [
    "account_models",
    "auth",
    "digest_models",
    "event_participation",
    "event_store",
    "feedback",
    "finance_models",
    "job_models",
    "labels",
    "models",
    "search_feedback",
]
