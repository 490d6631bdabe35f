"""Self-contained HTML pieces for the monitor and audit reports: page shell, tables, inline SVG.

No scripts, no external resources (fonts, images, styles are inline), so a report opens
offline. Charts are plain SVG with a ``<title>`` and ``role="img"`` so a screen reader
can name them; every chart sits next to a table with the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

CSS = """
body{font-family:"Noto Sans CJK JP","Noto Sans JP","Hiragino Sans","Yu Gothic","Meiryo",sans-serif;
margin:24px auto;max-width:1100px;color:#1d2733;line-height:1.55;padding:0 16px}
h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.8em;border-bottom:2px solid #d5dde6}
h3{font-size:1.05em;margin-top:1.3em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
th,td{border:1px solid #c9d3dd;padding:3px 8px;text-align:right;vertical-align:top}
th{background:#eef3f8}td.t,th.t{text-align:left}
tr.alarm td{background:#fde8e8}tr.warn td{background:#fff6dc}
.box{border-radius:6px;padding:10px 14px;margin:12px 0}
.ok{background:#e7f5ea;border:1px solid #9fd3aa}.bad{background:#fde8e8;border:1px solid #e6a1a1}
.note{color:#4a5866;font-size:.9em}.small{font-size:.8em;color:#5b6875}
.supp{color:#6b7785;font-style:italic}
svg.chart{display:block;margin:.5em 0 1em 0}
.legend span{display:inline-block;margin-right:14px;font-size:.85em}
.sw{display:inline-block;width:12px;height:12px;margin-right:4px;vertical-align:-1px}
"""

REF_COLOR = "#9aa7b4"
CUR_COLOR = "#2f6f9f"
ALARM_COLOR = "#c0392b"


def esc(value: object) -> str:
    """HTML-escaped text of any value (empty for None)."""
    return "" if value is None else escape(str(value))


def page(title: str, lang: str, body: str) -> str:
    """A complete HTML document: ``<title>``, inline CSS, ``lang`` attribute, the body."""
    return (
        f'<!DOCTYPE html><html lang="{esc(lang)}"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head><body>{body}</body></html>\n"
    )


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    left: int = 1,
    row_classes: Sequence[str] | None = None,
    caption: str | None = None,
) -> str:
    """An HTML table. Cells are HTML already (escape text with :func:`esc`); the first
    ``left`` columns are left-aligned text, the rest right-aligned numbers."""
    head = "".join(
        f'<th class="t">{h}</th>' if i < left else f"<th>{h}</th>" for i, h in enumerate(headers)
    )
    body = []
    for j, row in enumerate(rows):
        cls = f' class="{row_classes[j]}"' if row_classes and row_classes[j] else ""
        cells = "".join(
            f'<td class="t">{c}</td>' if i < left else f"<td>{c}</td>" for i, c in enumerate(row)
        )
        body.append(f"<tr{cls}>{cells}</tr>")
    cap = f"<caption>{caption}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def legend(items: Sequence[tuple[str, str]]) -> str:
    """A colour legend: (colour, label) pairs."""
    spans = "".join(
        f'<span><i class="sw" style="background:{c}"></i>{esc(label)}</span>' for c, label in items
    )
    return f'<div class="legend">{spans}</div>'


def _svg_open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{esc(title)}"><title>{esc(title)}</title>'
    )


def _short(label: str, n: int = 22) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def hbars(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_text: Sequence[str] | None = None,
    threshold: float | None = None,
    threshold_label: str = "",
    highlight: Sequence[bool] | None = None,
    width: int = 720,
    label_width: int = 260,
) -> str:
    """Horizontal bars (one per label), optionally a dashed threshold line and highlighted
    (alarm-coloured) bars. Empty string for no bars."""
    if not labels:
        return ""
    bar, gap = 16, 6
    plot = width - label_width - 70
    vmax = max([*(v for v in values if v == v), threshold or 0.0, 1e-12])
    height = len(labels) * (bar + gap) + gap + 18
    out = [_svg_open(width, height, title)]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = gap + i * (bar + gap)
        w = max(1.0, plot * max(v, 0.0) / vmax) if v == v else 0.0
        color = ALARM_COLOR if highlight and highlight[i] else CUR_COLOR
        out.append(
            f'<text x="{label_width - 6}" y="{y + bar * 0.8:.1f}" text-anchor="end" font-size="12">'
            f"{esc(_short(label, 30))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" fill="{color}" rx="2">'
            f"<title>{esc(label)}</title></rect>"
        )
        if value_text is not None:
            out.append(
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar * 0.8:.1f}" font-size="11">'
                f"{esc(value_text[i])}</text>"
            )
    if threshold is not None:
        x = label_width + plot * threshold / vmax
        out.append(
            f'<line x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 16}" stroke="{ALARM_COLOR}" '
            f'stroke-dasharray="4 3"/><text x="{x + 3:.1f}" y="{height - 4}" font-size="11" '
            f'fill="{ALARM_COLOR}">{esc(threshold_label)}</text>'
        )
    out.append("</svg>")
    return "".join(out)


def paired_bars(
    labels: Sequence[str],
    ref: Sequence[float],
    cur: Sequence[float],
    *,
    title: str,
    ref_name: str,
    cur_name: str,
    width: int = 720,
    label_width: int = 200,
    percent: bool = True,
) -> str:
    """Two bars per label (reference grey, current blue) with their values, plus a legend."""
    if not labels:
        return ""
    bar, gap = 11, 8
    plot = width - label_width - 70
    vmax = max([*ref, *cur, 1e-12])
    height = len(labels) * (2 * bar + gap) + gap
    out = [_svg_open(width, height, title)]
    for i, label in enumerate(labels):
        y = gap + i * (2 * bar + gap)
        out.append(
            f'<text x="{label_width - 6}" y="{y + bar * 1.45:.1f}" text-anchor="end" font-size="12">'
            f"{esc(_short(label, 26))}</text>"
        )
        for j, (v, color, name) in enumerate(
            ((ref[i], REF_COLOR, ref_name), (cur[i], CUR_COLOR, cur_name))
        ):
            w = max(0.5, plot * max(v, 0.0) / vmax)
            yy = y + j * bar
            txt = f"{100 * v:.1f}%" if percent else f"{v:.3g}"
            out.append(
                f'<rect x="{label_width}" y="{yy}" width="{w:.1f}" height="{bar - 1}" fill="{color}">'
                f"<title>{esc(name)}: {esc(txt)}</title></rect>"
                f'<text x="{label_width + w + 3:.1f}" y="{yy + bar - 2}" font-size="10">{esc(txt)}</text>'
            )
    out.append("</svg>")
    return legend([(REF_COLOR, ref_name), (CUR_COLOR, cur_name)]) + "".join(out)


def dot_whisker(
    labels: Sequence[str],
    points: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    title: str,
    reference: float = 1.0,
    reference_label: str = "",
    missing_text: str = "<10",
    width: int = 720,
    label_width: int = 220,
    lo_limit: float = 0.0,
    hi_limit: float | None = None,
) -> str:
    """Dots with confidence whiskers on a shared axis (e.g. recall ratio vs a reference
    group), a dashed line at ``reference``; a label with no point shows ``missing_text``."""
    if not labels:
        return ""
    row = 22
    plot = width - label_width - 40
    vals = [v for v in (*points, *lows, *highs) if v is not None and v == v]
    hi = hi_limit if hi_limit is not None else max([*vals, reference * 1.5, 1e-9])
    lo = lo_limit
    span = max(hi - lo, 1e-9)

    def x(v: float) -> float:
        return label_width + plot * (min(max(v, lo), hi) - lo) / span

    height = len(labels) * row + 30
    out = [_svg_open(width, height, title)]
    for i, label in enumerate(labels):
        y = 14 + i * row
        out.append(
            f'<text x="{label_width - 6}" y="{y + 4}" text-anchor="end" font-size="12">'
            f"{esc(_short(label, 28))}</text>"
        )
        p, a, b = points[i], lows[i], highs[i]
        if p is None or p != p:
            out.append(
                f'<text x="{label_width + 4}" y="{y + 4}" font-size="11" fill="#6b7785">{esc(missing_text)}</text>'
            )
            continue
        if a is not None and b is not None and a == a and b == b:
            out.append(
                f'<line x1="{x(a):.1f}" y1="{y}" x2="{x(b):.1f}" y2="{y}" stroke="{CUR_COLOR}" stroke-width="2"/>'
            )
        out.append(
            f'<circle cx="{x(p):.1f}" cy="{y}" r="4.5" fill="{CUR_COLOR}"><title>{esc(label)}: {p:.2f}</title></circle>'
        )
    rx = x(reference)
    out.append(
        f'<line x1="{rx:.1f}" y1="4" x2="{rx:.1f}" y2="{height - 22}" stroke="#555" stroke-dasharray="4 3"/>'
        f'<text x="{rx + 3:.1f}" y="{height - 8}" font-size="11">{esc(reference_label)}</text>'
        f'<text x="{label_width}" y="{height - 8}" font-size="10" fill="#555">{lo:g}</text>'
        f'<text x="{label_width + plot}" y="{height - 8}" font-size="10" fill="#555" text-anchor="end">{hi:.2g}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def lines(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float | None], bool]],
    *,
    title: str,
    width: int = 720,
    height: int = 240,
    y_max: float | None = None,
) -> str:
    """A line chart: (name, colour, values, dashed) per series over shared x labels;
    gaps where a value is None. Y axis from 0."""
    if not x_labels:
        return ""
    left, bottom, top, right = 48, 40, 12, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    vals = [v for _, _, s, _ in series for v in s if v is not None and v == v]
    ymax = y_max if y_max is not None else max([*vals, 1e-9]) * 1.1
    n = len(x_labels)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - min(v, ymax) / ymax)

    out = [_svg_open(width, height, title)]
    for k in range(5):
        v = ymax * k / 4
        out.append(
            f'<line x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}" stroke="#e3e8ee"/>'
            f'<text x="{left - 4}" y="{py(v) + 4:.1f}" font-size="10" text-anchor="end">{v:.2g}</text>'
        )
    step = max(1, n // 8)
    for i, lab in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            out.append(
                f'<text x="{px(i):.1f}" y="{height - bottom + 16}" font-size="10" text-anchor="middle">{esc(lab)}</text>'
            )
    for name, color, values, dashed in series:
        dash = ' stroke-dasharray="5 4"' if dashed else ""
        seg: list[str] = []
        for i, v in enumerate(values):
            if v is None or v != v:
                if len(seg) > 1:
                    out.append(
                        f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{" ".join(seg)}"/>'
                    )
                seg = []
                continue
            seg.append(f"{px(i):.1f},{py(v):.1f}")
            out.append(
                f'<circle cx="{px(i):.1f}" cy="{py(v):.1f}" r="3" fill="{color}"><title>{esc(name)} {esc(x_labels[i])}: {v:.3f}</title></circle>'
            )
        if len(seg) > 1:
            out.append(
                f'<polyline fill="none" stroke="{color}" stroke-width="2"{dash} points="{" ".join(seg)}"/>'
            )
    out.append("</svg>")
    return legend([(c, name) for name, c, _, _ in series]) + "".join(out)
