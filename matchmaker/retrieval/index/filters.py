"""Structured search filters evaluated on an in-memory, column-wise metadata table.

Each item kind keeps one `MetadataTable` in step with its vector and lexical indexes. A `Filters`
value is turned into the array of database ids that pass (`MetadataTable.select`), and that array
into a FAISS `IDSelector` (`make_selector`), so the indexes search *inside* the allowed set: a
search asks for k hits and gets k whenever k matching items exist, never a post-filtered shortfall.

Semantics: fields combine with AND; the values inside one field combine with OR ("any of").
An item without a value for a constrained field (no TRL, no park, no cooperation modes) fails it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import faiss as _faiss
import numpy as np

from matchmaker.core.vocab import is_eastern, is_guangxi, normalise_province

DEFAULT_STATUSES: frozenset[str] = frozenset({"active"})
BITMAP_MAX_ID = 1 << 27  # ids below this use a bitmap selector (16 MiB at most), else a hash set

faiss: Any = _faiss  # FAISS's bundled stubs lack SearchParameters keywords, DirectMap…


@dataclass(frozen=True)
class Filters:
    """What a search may return besides relevance; `statuses=None` means any status."""

    industries: frozenset[str] = frozenset()
    park_ids: frozenset[int] = frozenset()
    provinces: frozenset[str] = frozenset()
    eastern: bool | None = None
    guangxi: bool | None = None
    trl_min: int | None = None
    trl_max: int | None = None
    coop_modes: frozenset[str] = frozenset()
    statuses: frozenset[str] | None = DEFAULT_STATUSES
    exclude_ids: frozenset[int] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        industries: Iterable[str] | None = None,
        park_ids: Iterable[int] | None = None,
        provinces: Iterable[str] | None = None,
        eastern: bool | None = None,
        guangxi: bool | None = None,
        trl_min: int | None = None,
        trl_max: int | None = None,
        coop_modes: Iterable[str] | None = None,
        statuses: Iterable[str] | None = DEFAULT_STATUSES,
        exclude_ids: Iterable[int] | None = None,
    ) -> Filters:
        """Make filters from plain lists (CLI/API input), normalising province spellings."""
        if trl_min is not None and trl_max is not None and trl_min > trl_max:
            raise ValueError(
                f"TRL 下限 {trl_min} 大于上限 {trl_max} / trl_min {trl_min} is above trl_max {trl_max}"
            )
        return cls(
            industries=frozenset(industries or ()),
            park_ids=frozenset(int(p) for p in park_ids or ()),
            provinces=frozenset(normalise_province(p) for p in provinces or ()),
            eastern=eastern,
            guangxi=guangxi,
            trl_min=trl_min,
            trl_max=trl_max,
            coop_modes=frozenset(coop_modes or ()),
            statuses=None if statuses is None else frozenset(statuses),
            exclude_ids=frozenset(int(i) for i in exclude_ids or ()),
        )


ANY_STATUS = Filters(statuses=None)


@dataclass(frozen=True, slots=True)
class ItemMeta:
    """The structured fields of one item that filters look at."""

    id: int
    status: str = "active"
    industries: tuple[str, ...] = ()
    trl: int | None = None
    coop_modes: tuple[str, ...] = ()
    park_id: int | None = None
    province: str | None = None


@dataclass
class _Vocab:
    """Codes for strings, so columns stay small numpy arrays."""

    codes: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def code(self, name: str) -> int:
        """The code of `name`, assigning the next one to a new name."""
        found = self.codes.get(name)
        if found is None:
            found = self.codes[name] = len(self.names)
            self.names.append(name)
        return found


class _TagColumn:
    """A set-valued column (industries, cooperation modes) as one bit per known tag."""

    def __init__(self, capacity: int) -> None:
        self.vocab = _Vocab()
        self.bits = np.zeros((capacity, 1), dtype=np.uint64)

    def resize(self, capacity: int) -> None:
        """Grow (or shrink) to `capacity` rows, keeping the existing ones."""
        grown = np.zeros((capacity, self.bits.shape[1]), dtype=np.uint64)
        keep = min(capacity, self.bits.shape[0])
        grown[:keep] = self.bits[:keep]
        self.bits = grown

    def set_row(self, row: int, tags: Iterable[str]) -> None:
        """Replace the tags of one row (a new tag gets the next bit, adding a word if needed)."""
        self.bits[row] = 0
        for tag in tags:
            code = self.vocab.code(tag)
            word, bit = divmod(code, 64)
            if word >= self.bits.shape[1]:
                extra = np.zeros((self.bits.shape[0], word + 1 - self.bits.shape[1]), np.uint64)
                self.bits = np.hstack([self.bits, extra])
            self.bits[row, word] |= np.uint64(1) << np.uint64(bit)

    def get_row(self, row: int) -> tuple[str, ...]:
        """The tags of one row, in code order."""
        tags = []
        for word in range(self.bits.shape[1]):
            value = int(self.bits[row, word])
            for bit in range(64):
                if value >> bit & 1:
                    tags.append(self.vocab.names[word * 64 + bit])
        return tuple(tags)

    def any_of(self, n: int, tags: Iterable[str]) -> np.ndarray:
        """Mask of the first n rows having at least one of `tags` (unknown tags match nothing)."""
        query = np.zeros(self.bits.shape[1], dtype=np.uint64)
        for tag in tags:
            code = self.vocab.codes.get(tag)
            if code is not None:
                word, bit = divmod(code, 64)
                query[word] |= np.uint64(1) << np.uint64(bit)
        return np.asarray((self.bits[:n] & query).any(axis=1), dtype=bool)

    def move(self, source: int, target: int) -> None:
        """Copy one row over another (used when a deleted row is filled by the last one)."""
        self.bits[target] = self.bits[source]


class MetadataTable:
    """Filterable fields of every indexed item of one kind, one numpy column per field."""

    def __init__(self, capacity: int = 1024) -> None:
        self._n = 0
        self._row: dict[int, int] = {}
        self._status_vocab = _Vocab()
        self._province_vocab = _Vocab()
        self._alloc(capacity)
        self._industries = _TagColumn(capacity)
        self._coop = _TagColumn(capacity)

    def _alloc(self, capacity: int) -> None:
        self._ids = np.zeros(capacity, dtype=np.int64)
        self._status = np.zeros(capacity, dtype=np.int32)
        self._trl = np.full(capacity, -1, dtype=np.int16)
        self._park = np.full(capacity, -1, dtype=np.int64)
        self._province = np.full(capacity, -1, dtype=np.int32)
        self._eastern = np.zeros(capacity, dtype=bool)
        self._guangxi = np.zeros(capacity, dtype=bool)

    def _columns(self) -> list[np.ndarray]:
        return [
            self._ids,
            self._status,
            self._trl,
            self._park,
            self._province,
            self._eastern,
            self._guangxi,
        ]

    def _grow(self, needed: int) -> None:
        capacity = len(self._ids)
        if needed <= capacity:
            return
        new_capacity = max(needed, capacity * 2)
        old = self._columns()
        self._alloc(new_capacity)
        for new, previous in zip(self._columns(), old, strict=True):
            new[: self._n] = previous[: self._n]
        self._industries.resize(new_capacity)
        self._coop.resize(new_capacity)

    def __len__(self) -> int:
        return self._n

    def __contains__(self, item_id: object) -> bool:
        return item_id in self._row

    def ids(self) -> np.ndarray:
        """Every id in the table (a copy, in row order)."""
        return self._ids[: self._n].copy()

    def upsert(self, metas: Iterable[ItemMeta]) -> None:
        """Insert new items or overwrite the fields of known ones."""
        for meta in metas:
            row = self._row.get(meta.id)
            if row is None:
                self._grow(self._n + 1)
                row = self._n
                self._n += 1
                self._row[meta.id] = row
                self._ids[row] = meta.id
            province = normalise_province(meta.province) if meta.province else None
            self._status[row] = self._status_vocab.code(meta.status)
            self._trl[row] = -1 if meta.trl is None else meta.trl
            self._park[row] = -1 if meta.park_id is None else meta.park_id
            self._province[row] = -1 if province is None else self._province_vocab.code(province)
            self._eastern[row] = is_eastern(province)
            self._guangxi[row] = is_guangxi(province)
            self._industries.set_row(row, meta.industries)
            self._coop.set_row(row, meta.coop_modes)

    def delete(self, ids: Iterable[int]) -> int:
        """Forget items (unknown ids are ignored); returns how many were removed."""
        removed = 0
        for item_id in ids:
            row = self._row.pop(int(item_id), None)
            if row is None:
                continue
            last = self._n - 1
            if row != last:
                moved_id = int(self._ids[last])
                for column in self._columns():
                    column[row] = column[last]
                self._industries.move(last, row)
                self._coop.move(last, row)
                self._row[moved_id] = row
            self._n = last
            removed += 1
        return removed

    def get(self, item_id: int) -> ItemMeta | None:
        """The stored fields of one item, or None when it is not in the table."""
        row = self._row.get(item_id)
        if row is None:
            return None
        trl = int(self._trl[row])
        park = int(self._park[row])
        province = int(self._province[row])
        return ItemMeta(
            id=item_id,
            status=self._status_vocab.names[int(self._status[row])],
            industries=self._industries.get_row(row),
            trl=None if trl < 0 else trl,
            coop_modes=self._coop.get_row(row),
            park_id=None if park < 0 else park,
            province=None if province < 0 else self._province_vocab.names[province],
        )

    def mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask over rows: which items pass every constraint."""
        n = self._n
        keep = np.ones(n, dtype=bool)
        if filters.statuses is not None:
            codes = [
                self._status_vocab.codes[s]
                for s in filters.statuses
                if s in self._status_vocab.codes
            ]
            keep &= _one_of(self._status[:n], codes)
        if filters.industries:
            keep &= self._industries.any_of(n, filters.industries)
        if filters.coop_modes:
            keep &= self._coop.any_of(n, filters.coop_modes)
        if filters.park_ids:
            keep &= _one_of(self._park[:n], list(filters.park_ids))
        if filters.provinces:
            codes = [
                self._province_vocab.codes[p]
                for p in filters.provinces
                if p in self._province_vocab.codes
            ]
            keep &= _one_of(self._province[:n], codes)
        if filters.eastern is not None:
            keep &= self._eastern[:n] == filters.eastern
        if filters.guangxi is not None:
            keep &= self._guangxi[:n] == filters.guangxi
        if filters.trl_min is not None or filters.trl_max is not None:
            trl = self._trl[:n]
            keep &= trl >= 0
            if filters.trl_min is not None:
                keep &= trl >= filters.trl_min
            if filters.trl_max is not None:
                keep &= trl <= filters.trl_max
        for item_id in filters.exclude_ids:
            row = self._row.get(item_id)
            if row is not None:
                keep[row] = False
        return keep

    def select(self, filters: Filters | None) -> np.ndarray | None:
        """The ids passing `filters` (in no order); None when every item passes."""
        if filters is None:
            return None
        keep = self.mask(filters)
        if keep.all():
            return None
        return self._ids[: self._n][keep]


def _one_of(column: np.ndarray, values: list[int]) -> np.ndarray:
    """column ∈ values; a few comparisons beat np.isin's sort on 100k rows (3 ms → 0.1 ms)."""
    if len(values) > 8:
        return np.isin(column, values)
    hit = np.zeros(len(column), dtype=bool)
    for value in values:
        hit |= column == value
    return hit


def is_member(ids: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Which of `ids` are in `allowed`, through a flag array over the id range (no sorting)."""
    ids = np.asarray(ids, dtype=np.int64)
    if not len(ids) or not len(allowed):
        return np.zeros(len(ids), dtype=bool)
    top = max(int(ids.max()), int(allowed.max())) + 1
    if int(ids.min()) < 0 or int(allowed.min()) < 0 or top > BITMAP_MAX_ID:
        return np.isin(ids, allowed)
    flags = np.zeros(top, dtype=bool)
    flags[allowed] = True
    return flags[ids]


@dataclass
class Selector:
    """A FAISS IDSelector together with the buffer it reads (which must outlive the search)."""

    selector: faiss.IDSelector
    buffer: np.ndarray


def make_selector(allowed_ids: np.ndarray) -> Selector:
    """A FAISS selector admitting exactly `allowed_ids` (bitmap for dense ids, hash set otherwise)."""
    ids = np.ascontiguousarray(allowed_ids, dtype=np.int64)
    top = int(ids.max()) + 1 if len(ids) else 1
    if len(ids) and int(ids.min()) >= 0 and top <= BITMAP_MAX_ID:
        flags = np.zeros(top, dtype=bool)
        flags[ids] = True
        bitmap = np.packbits(flags, bitorder="little")
        return Selector(faiss.IDSelectorBitmap(len(bitmap), faiss.swig_ptr(bitmap)), bitmap)
    return Selector(faiss.IDSelectorBatch(len(ids), faiss.swig_ptr(ids)), ids)
