"""Ranking of candidate pairs for the three tracks: features, scores, Chinese reasons, feedback.

Callers (API, CLI, events, digests) use `get_recommender()` / `Recommender` from
`matchmaker.ranking.service`; see docs/ranking.md.
"""

from matchmaker.ranking.results import Evidence, OrgRef, Recommendation
from matchmaker.ranking.service import Recommender, get_recommender
from matchmaker.ranking.tracks import TRACKS

__all__ = ["TRACKS", "Evidence", "OrgRef", "Recommendation", "Recommender", "get_recommender"]
