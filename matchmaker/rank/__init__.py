"""Ranking of candidate pairs for the three tracks: features, scores, Chinese reasons, feedback.

Callers (API, CLI, events, digests) use `get_recommender()` / `Recommender` from
`matchmaker.rank.service`; see docs/ranking.md.
"""

from matchmaker.rank.results import Evidence, OrgRef, Recommendation
from matchmaker.rank.service import Recommender, get_recommender
from matchmaker.rank.tracks import TRACKS

__all__ = ["TRACKS", "Evidence", "OrgRef", "Recommendation", "Recommender", "get_recommender"]
