"""Draw a park map as an SVG chain diagram (upstream → midstream → downstream), and as PNG.

Each link is one box (`rect.link-box`) coloured by coverage: green covered, amber weak, red gap,
with the number of firms and pieces of evidence, the leading firms or, for a gap, the best
candidate. Hovering a box shows its description and candidates (`<title>`).
"""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape, quoteattr

from matchmaker.core.taxonomy import industry_zh
from matchmaker.core.text import xml_safe
from matchmaker.maps.chains import STAGES
from matchmaker.maps.coverage import COVERED, GAP, STATUS_ZH, WEAK, LinkCoverage
from matchmaker.maps.gaps import GROUP_ZH, Candidate
from matchmaker.maps.park_map import ChainMap, ParkMap

FONT = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
COLOURS: dict[str, tuple[str, str, str]] = {  # status -> (fill, border, text accent)
    COVERED: ("#e6f4ea", "#2e7d32", "#1b5e20"),
    WEAK: ("#fff4d6", "#e0a100", "#8a5a00"),
    GAP: ("#fde7e7", "#c62828", "#b71c1c"),
}
WIDTH = 1140
MARGIN = 30
COLUMN_GAP = 60
BOX_W = (WIDTH - 2 * MARGIN - 2 * COLUMN_GAP) // 3
BOX_H = 104
ROW_GAP = 16
TITLE_H = 64
HEADER_H = 44
SECTION_GAP = 36
LEGEND_H = 70


def _width(text: str) -> float:
    """Display width in em: CJK and full-width characters 1, others about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WF" else 0.56 for ch in text)


def clip(text: str, em: float) -> str:
    """Cut text to fit `em` ems, ending in … when cut."""
    if _width(text) <= em:
        return text
    out = ""
    for ch in text:
        if _width(out + ch) > em - 1:
            break
        out += ch
    return out + "…"


def _text(x: float, y: float, content: str, size: int, **attrs: str) -> str:
    extra = "".join(f" {k.replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{x:.0f}" y="{y:.0f}" font-size="{size}"{extra}>{escape(content)}</text>'


def _tooltip(coverage: LinkCoverage, chain_map: ChainMap) -> str:
    link = coverage.link
    lines = [f"{link.name}（{STAGES[link.stage][0]}）", link.description]
    lines.append("核心技术：" + "、".join(link.core_technologies))
    for support in coverage.firms[:5]:
        titles = "；".join(m.piece.title for m in support.matches[:2])
        lines.append(f"✔ {support.firm.name}：{titles}")
    for group, items in chain_map.candidates.get(link.code, {}).items():
        for candidate in items[:2]:
            lines.append(f"候选{GROUP_ZH[group]}：{candidate.name}（{candidate.org.name}）")
    return "\n".join(lines)


def _label(candidate: Candidate) -> str:
    """How a candidate reads in a box: an organisation's name or an achievement's title."""
    return candidate.name if candidate.kind == "organisation" else f"《{candidate.name}》"


def _box(x: float, y: float, coverage: LinkCoverage, chain_map: ChainMap) -> str:
    link = coverage.link
    fill, border, accent = COLOURS[coverage.status]
    inner = (BOX_W - 24) / 14  # ems at 14 px
    parts = [
        f'<g class="link" data-link={quoteattr(link.key)} data-status="{coverage.status}">',
        f"<title>{escape(_tooltip(coverage, chain_map))}</title>",
        f'<rect class="link-box" x="{x:.0f}" y="{y:.0f}" width="{BOX_W}" height="{BOX_H}" '
        f'rx="10" fill="{fill}" stroke="{border}" stroke-width="2"/>',
        f'<rect x="{x:.0f}" y="{y:.0f}" width="8" height="{BOX_H}" rx="4" fill="{border}"/>',
        _text(
            x + 18,
            y + 26,
            clip(link.name, (BOX_W - 30) / 16),
            16,
            font_weight="bold",
            fill="#1f2933",
        ),
    ]
    status = (
        f"{STATUS_ZH[coverage.status]} · {len(coverage.firms)} 家企业 · "
        f"{coverage.evidence_count} 条证据"
    )
    parts.append(_text(x + 18, y + 48, status, 13, fill=accent, font_weight="bold"))
    top = chain_map.top(link.code)
    if coverage.firms:
        names = "、".join(support.firm.name for support in coverage.firms[:3])
        parts.append(_text(x + 18, y + 70, clip("企业：" + names, inner), 13, fill="#374151"))
    elif top is not None:
        parts.append(_text(x + 18, y + 70, clip(f"候选：{_label(top)}", inner), 13, fill="#374151"))
    if coverage.firms and top is not None:
        parts.append(_text(x + 18, y + 92, clip(f"候选：{_label(top)}", inner), 13, fill="#374151"))
    elif top is not None:
        if top.kind == "organisation":
            source = f"{top.org.province} · {GROUP_ZH[top.group]}"
            if top.via is not None:
                source += f" · 代表成果《{top.via.title}》"
        else:
            source = f"{top.org.name}（{top.org.province}）· {GROUP_ZH[top.group]}"
        parts.append(_text(x + 18, y + 92, clip(source, inner * 14 / 12), 12, fill="#6b7280"))
    elif coverage.status != COVERED:
        parts.append(_text(x + 18, y + 92, "候选：暂无足够匹配", 13, fill="#6b7280"))
    else:
        techs = "、".join(link.core_technologies)
        parts.append(_text(x + 18, y + 92, clip(techs, inner * 14 / 12), 12, fill="#6b7280"))
    parts.append("</g>")
    return "".join(parts)


def _section(chain_map: ChainMap, park_name: str, top: float) -> tuple[list[str], float]:
    chain = chain_map.chain
    counts = chain_map.counts()
    out = [
        f'<g class="chain" data-industry={quoteattr(chain.industry)}>',
        _text(
            MARGIN,
            top + 30,
            f"{park_name} · {chain.name}创新地图",
            22,
            font_weight="bold",
            fill="#111827",
        ),
        _text(
            MARGIN,
            top + 54,
            f"{industry_zh(chain.industry)}：已覆盖 {counts[COVERED]} · 薄弱 {counts[WEAK]} · "
            f"缺失 {counts[GAP]}（共 {len(chain.links)} 个环节）",
            14,
            fill="#4b5563",
        ),
    ]
    y0 = top + TITLE_H
    rows = max((len(chain.stage_links(stage)) for stage in STAGES), default=0)
    column_h = HEADER_H + rows * (BOX_H + ROW_GAP)
    by_code = {c.link.code: c for c in chain_map.links}
    for index, (stage, (zh, what)) in enumerate(STAGES.items()):
        x = MARGIN + index * (BOX_W + COLUMN_GAP)
        out.append(
            f'<rect x="{x - 8}" y="{y0:.0f}" width="{BOX_W + 16}" height="{column_h:.0f}" '
            f'rx="12" fill="#f8fafc" stroke="#e5e7eb"/>'
        )
        out.append(
            _text(
                x + BOX_W / 2,
                y0 + 28,
                f"{zh} · {what}",
                16,
                font_weight="bold",
                fill="#1f2937",
                text_anchor="middle",
            )
        )
        if index < len(STAGES) - 1:
            ax = x + BOX_W + 12
            ay = y0 + column_h / 2
            out.append(
                f'<path d="M{ax:.0f},{ay - 14:.0f} L{ax + COLUMN_GAP - 24:.0f},{ay:.0f} '
                f'L{ax:.0f},{ay + 14:.0f} Z" fill="#9ca3af"/>'
            )
        for row, link in enumerate(chain.stage_links(stage)):
            y = y0 + HEADER_H + row * (BOX_H + ROW_GAP)
            out.append(_box(x, y, by_code[link.code], chain_map))
    out.append("</g>")
    return out, y0 + column_h


def _legend(top: float, park_map: ParkMap) -> list[str]:
    out = []
    x = MARGIN
    for status in (COVERED, WEAK, GAP):
        fill, border, _ = COLOURS[status]
        out.append(
            f'<rect x="{x}" y="{top + 14:.0f}" width="22" height="16" rx="4" fill="{fill}" '
            f'stroke="{border}" stroke-width="2"/>'
        )
        out.append(_text(x + 30, top + 28, STATUS_ZH[status], 14, fill="#1f2937"))
        x += 110
    rule = park_map.rule
    note = (
        f"已覆盖：园区内有 {rule.min_firms} 家及以上企业从事该环节；薄弱：仅 1 家；缺失：没有。"
        "缺失和薄弱环节列出可补链的成果或机构（仅列高度匹配、较匹配者）"
    )
    out.append(_text(x + 10, top + 28, note, 12, fill="#4b5563"))
    out.append(
        _text(
            MARGIN,
            top + 54,
            f"生成于 {park_map.generated_china} · Green: 2+ firms of the park work in the link; "
            "amber: one; red: none. Gaps name the best candidate that fits well enough.",
            12,
            fill="#6b7280",
        )
    )
    return out


def render_svg(park_map: ParkMap) -> str:
    """The park map as a standalone SVG document (UTF-8, one section per chain, always valid XML)."""
    body: list[str] = []
    top = 10.0
    for chain_map in park_map.chains:
        section, bottom = _section(chain_map, park_map.park_name, top)
        body.extend(section)
        top = bottom + SECTION_GAP
    if not park_map.chains:
        body.append(
            _text(
                MARGIN,
                top + 30,
                f"{park_map.park_name}：没有可绘制的产业链（主导产业无产业链定义）",
                16,
                fill="#374151",
            )
        )
        top += 60
    body.extend(_legend(top, park_map))
    height = top + LEGEND_H
    title = f"{park_map.park_name}产业链创新地图 Innovation map"
    # xml_safe: names are clean when stored, but the document must parse whatever was stored.
    return xml_safe(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" font-family="{FONT}" role="img">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>' + "".join(body) + "</svg>\n"
    )


def render_png(svg: str, scale: float = 1.5) -> bytes:
    """The SVG rasterised by cairosvg (Chinese needs a CJK font such as fonts-noto-cjk installed)."""
    import cairosvg

    png = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    assert isinstance(png, bytes)
    return png
