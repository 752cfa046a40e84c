"""The product's names, defined once: item kinds, tracks, and the kinds a track ranks from and to."""

from __future__ import annotations

from typing import Literal, get_args

ItemKind = Literal["achievement", "need", "scenario"]
ITEM_KINDS: tuple[ItemKind, ...] = get_args(ItemKind)

TrackName = Literal["tech-transfer", "scenario", "east-to-guangxi"]
TRACK_NAMES: tuple[TrackName, ...] = get_args(TrackName)
TECH_TRANSFER: TrackName = "tech-transfer"
SCENARIO: TrackName = "scenario"
EAST_TO_GUANGXI: TrackName = "east-to-guangxi"

SourceKind = Literal["need", "achievement", "scenario", "park"]
SOURCE_KINDS: tuple[SourceKind, ...] = get_args(SourceKind)
TargetKind = Literal["achievement", "need", "scenario", "organisation", "park"]
TARGET_KINDS: tuple[TargetKind, ...] = get_args(TargetKind)


def check_item_kind(kind: str) -> ItemKind:
    """The kind itself when it names an item kind; ValueError naming the choices otherwise."""
    if kind not in ITEM_KINDS:
        raise ValueError(
            f"未知的条目类型 {kind!r}，可选：{'、'.join(ITEM_KINDS)} / unknown item kind {kind!r}"
        )
    return kind
