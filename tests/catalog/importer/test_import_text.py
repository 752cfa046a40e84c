"""The importer applies the boundary text rule (core.text) to every cell: a control character or
NUL is refused as row, field and reason with nothing written; arbitrary Unicode, huge and empty
cells (Hypothesis) never crash an import, and what is imported is stored clean."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from matchmaker.catalog.importer.apply import ImportFailed
from matchmaker.catalog.importer.readers import ReadError
from matchmaker.catalog.importer.service import import_file, import_upload
from matchmaker.core.text import REFUSED
from matchmaker.store.db import make_engine, session_factory, upgrade
from matchmaker.store.models import Need, Organisation
from tests.api.text_targets import fingerprint

ANY_TEXT = st.text(st.characters(codec=None, categories=None), max_size=40)
EDGES = st.sampled_from(
    ["", " ", "\x00", "\r\n\t", "\u202e\u200b", "\ud800", "\x85", "检" * 30_000]
)
FIELDS = ("title", "description", "keywords", "contact_name", "external_id", "enterprise")
_serial = itertools.count(1)


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated SQLite database with the enterprise the rows refer to."""
    eng = make_engine(f"sqlite:///{tmp_path_factory.mktemp('import-text') / 'db.sqlite'}")
    upgrade(eng)
    with session_factory(eng)() as session:
        session.add(
            Organisation(external_id="E1", name="南宁测试电子", kind="enterprise", province="广西")
        )
        session.commit()
    yield eng
    eng.dispose()


def _row(field: str, value: str) -> dict[str, str]:
    row = {
        "external_id": f"N-{next(_serial)}",
        "title": "虚焊检测",
        "description": "人工目检效率低。",
        "keywords": "虚焊、AOI",
        "contact_name": "李经理",
        "enterprise": "南宁测试电子",
    }
    row[field] = value
    return row


def _import(session: Session, fmt: str, row: dict[str, str]) -> object:
    if fmt == "jsonl":  # JSON escapes carry any code point, lone surrogates included
        return import_upload(session, "needs", "needs.jsonl", json.dumps(row).encode("ascii"))
    header = ",".join(row)
    line = ",".join('"' + v.replace('"', '""') + '"' for v in row.values())
    data = ("\ufeff" + header + "\r\n" + line + "\r\n").encode("utf-8", "surrogatepass")
    return import_upload(session, "needs", "needs.csv", data)


def test_a_control_character_is_refused_as_row_field_and_reason(engine: Engine) -> None:
    before = fingerprint(engine)
    with session_factory(engine)() as session, pytest.raises(ImportFailed) as failed:
        _import(session, "jsonl", _row("title", "虚焊\x00检测"))
    problem = failed.value.report.problems[0]
    assert (problem.row, problem.field) == (1, "需求名称")
    assert "U+0000" in problem.reason and "第 3 个字符" in problem.reason
    assert fingerprint(engine) == before


def test_multi_line_cells_keep_their_lines_and_single_line_cells_are_folded(
    engine: Engine, tmp_path: Path
) -> None:
    row = _row("description", "一、现状\r\n二、\t目标")
    row["title"] = "虚焊\n检测\u200b"
    path = tmp_path / "needs.jsonl"
    path.write_text(json.dumps(row, ensure_ascii=False), encoding="utf-8")
    with session_factory(engine)() as session:
        import_file(session, "needs", path)
        session.commit()
        need = session.scalars(select(Need).where(Need.external_id == row["external_id"])).one()
        assert need.title == "虚焊 检测"
        assert need.description == "一、现状\n二、\t目标"


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
@pytest.mark.parametrize("field", FIELDS)
@given(value=st.one_of(ANY_TEXT, EDGES))
@example(value="")
@example(value='=HYPERLINK("http://evil.example")')
@settings(max_examples=12, deadline=None, database=None, suppress_health_check=list(HealthCheck))
def test_any_cell_text_imports_clean_or_is_refused_changing_nothing(
    engine: Engine, fmt: str, field: str, value: str
) -> None:
    before = fingerprint(engine)
    with session_factory(engine)() as session:
        try:
            _import(session, fmt, _row(field, value))
        except (ImportFailed, ReadError) as exc:
            assert str(exc), "a refusal says why"
            assert fingerprint(engine) == before, "a refused file changed the database"
            return
        for need in session.scalars(select(Need)):
            for text in (need.title, need.description, need.external_id, *need.keywords):
                assert not REFUSED.search(text), f"stored with a control character: {text!r}"
