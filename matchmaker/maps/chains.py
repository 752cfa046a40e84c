"""Industry chains (产业链): links by stage, shipped as data files and overridable by import.

The shipped chains are `matchmaker/maps/data/<industry>.json`. `matchmaker maps import FILE`
writes the chains it replaces to `<data dir>/maps/chains.json`; a chain there wins over the
shipped one of the same industry, and `maps reset` removes it again.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matchmaker.core.taxonomy import industry_zh

SHIPPED_DIR = Path(__file__).parent / "data"
OVERRIDE_FILE = "chains.json"

# stage code -> (Chinese name, what the stage holds); the order is the order of the columns
STAGES: dict[str, tuple[str, str]] = {
    "upstream": ("上游", "材料与零部件"),
    "midstream": ("中游", "制造与集成"),
    "downstream": ("下游", "应用与服务"),
}
STAGE_EN: dict[str, str] = {
    "upstream": "Upstream: materials and components",
    "midstream": "Midstream: manufacturing and integration",
    "downstream": "Downstream: applications and services",
}


class UnknownChain(LookupError):
    """No chain is defined for the industry asked for."""


@dataclass(frozen=True)
class Link:
    """One link (环节) of a chain: where it sits, what it is and its core technologies."""

    industry: str
    code: str
    stage: str
    name: str
    description: str
    core_technologies: tuple[str, ...]
    name_en: str = ""

    @property
    def key(self) -> str:
        """Unique id across chains: `industry/code`."""
        return f"{self.industry}/{self.code}"

    def match_text(self) -> str:
        """The text the link is matched by: its name, description and core technologies."""
        stage_zh = STAGES[self.stage][0]
        techs = "、".join(self.core_technologies)
        return (
            f"{industry_zh(self.industry)}产业链{stage_zh}环节：{self.name}。"
            f"{self.description}\n核心技术：{techs}"
        )

    def as_dict(self) -> dict[str, Any]:
        """Plain form, the same shape as the shipped files."""
        return {
            "code": self.code,
            "stage": self.stage,
            "name": self.name,
            "name_en": self.name_en,
            "description": self.description,
            "core_technologies": list(self.core_technologies),
        }


@dataclass(frozen=True)
class Chain:
    """The chain of one industry: its links in stage order, and where the definition came from."""

    industry: str
    name: str
    links: tuple[Link, ...]
    name_en: str = ""
    description: str = ""
    source: str = "shipped"  # shipped | imported

    def stage_links(self, stage: str) -> list[Link]:
        """The links of one stage, in file order."""
        return [link for link in self.links if link.stage == stage]

    def link(self, code: str) -> Link:
        """One link by code (KeyError when unknown)."""
        for link in self.links:
            if link.code == code:
                return link
        raise KeyError(code)

    def as_dict(self) -> dict[str, Any]:
        """Plain form, the same shape as the shipped files."""
        return {
            "industry": self.industry,
            "name": self.name,
            "name_en": self.name_en,
            "description": self.description,
            "links": [link.as_dict() for link in self.links],
        }


def chain_from_dict(data: dict[str, Any], source: str) -> Chain:
    """Build a chain from its file form (already validated)."""
    industry = str(data["industry"])
    links = tuple(
        Link(
            industry=industry,
            code=str(item["code"]),
            stage=str(item["stage"]),
            name=str(item["name"]),
            description=str(item["description"]),
            core_technologies=tuple(str(t) for t in item["core_technologies"]),
            name_en=str(item.get("name_en") or ""),
        )
        for item in data["links"]
    )
    order = {stage: i for i, stage in enumerate(STAGES)}
    links = tuple(sorted(links, key=lambda link: order[link.stage]))  # stable: file order kept
    return Chain(
        industry=industry,
        name=str(data.get("name") or f"{industry_zh(industry)}产业链"),
        links=links,
        name_en=str(data.get("name_en") or ""),
        description=str(data.get("description") or ""),
        source=source,
    )


def shipped_chains() -> dict[str, Chain]:
    """The chains written for this product, one file per leading industry."""
    chains: dict[str, Chain] = {}
    for path in sorted(SHIPPED_DIR.glob("*.json")):
        chain = chain_from_dict(json.loads(path.read_text(encoding="utf-8")), "shipped")
        chains[chain.industry] = chain
    return chains


def override_path(data_dir: Path | None = None) -> Path:
    """Where imported chains are kept: `<data dir>/maps/chains.json`."""
    if data_dir is None:
        from matchmaker.core.config import get_settings

        data_dir = get_settings().data_dir
    return Path(data_dir) / "maps" / OVERRIDE_FILE


def read_overrides(data_dir: Path | None = None) -> dict[str, dict[str, Any]]:
    """Imported chains by industry, in file form (empty when nothing was imported)."""
    path = override_path(data_dir)
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {str(k): v for k, v in data.get("chains", {}).items()}


def write_overrides(chains: dict[str, dict[str, Any]], data_dir: Path | None = None) -> Path:
    """Replace the imported chains in one atomic step (a reader sees the old file or the new one)."""
    path = override_path(data_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = json.dumps({"format": 1, "chains": chains}, ensure_ascii=False, indent=1)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".chains-", suffix=".json")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(payload)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def load_chains(data_dir: Path | None = None) -> dict[str, Chain]:
    """Every chain in force: the shipped ones, each replaced by its imported version if any."""
    chains = shipped_chains()
    for industry, data in read_overrides(data_dir).items():
        chains[industry] = chain_from_dict(data, "imported")
    return chains


def get_chain(industry: str, data_dir: Path | None = None) -> Chain:
    """The chain in force for one industry, or UnknownChain naming the industries that have one."""
    chains = load_chains(data_dir)
    if industry not in chains:
        known = "、".join(f"{code}（{industry_zh(code)}）" for code in chains)
        raise UnknownChain(
            f"产业“{industry}”没有产业链定义，可选：{known} / no chain for industry {industry!r}"
        )
    return chains[industry]


def reset_chains(industries: list[str], data_dir: Path | None = None) -> list[str]:
    """Drop imported chains so the shipped ones apply again; returns the industries reset."""
    overrides = read_overrides(data_dir)
    removed = [code for code in industries if code in overrides]
    for code in removed:
        del overrides[code]
    if removed:
        write_overrides(overrides, data_dir)
    return removed
