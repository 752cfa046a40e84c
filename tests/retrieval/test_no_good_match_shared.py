"""On real data: a real enterprise need with nothing fitting in CSL is told "no good match",
while CSL's own problem queries mostly are not."""

from __future__ import annotations

import json

import pytest

from matchmaker.retrieval.evaluate import searchable
from matchmaker.retrieval.search import SearchRequest
from tests.shared_data import require_shared

# A BDCI need (edible tableware) for which csl-dev/problem holds no paper: no abstract in it
# mentions 餐具 or anything about making tableware.
NEED_ID = "38e0274c-67a4-4a27-a929-6a130be0537b"


@pytest.mark.slow
def test_a_real_need_with_nothing_fitting_in_csl_gets_no_good_match() -> None:
    needs = require_shared("bdci-needs.jsonl")
    folder = require_shared("csl-dev/problem")
    need = next(json.loads(line) for line in needs.open(encoding="utf-8") if NEED_ID in line)
    with searchable(folder) as corpus:
        service, session = corpus.service, corpus.session
        assert service.calibrator is not None, "the shipped calibrator is used"
        for query in (need["title"], need["title"] + " " + need["text"][:150]):
            found = service.search(session, SearchRequest(query, limit=10))
            assert found.no_good_match, query
            assert all(item.level == "low" and item.weak for item in found.items)
        said_none = sum(
            service.search(session, SearchRequest(q, limit=1, explain=False)).no_good_match
            for q in corpus.data.query_texts[:100]
        )
        assert said_none <= 10, "CSL's own problem queries have answers and are mostly told so"
