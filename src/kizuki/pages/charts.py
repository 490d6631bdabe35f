"""Inline SVG charts for every page: horizontal bars, paired bars, dots with whiskers, lines.

Each function takes labels and numbers and returns SVG markup (``Markup``, with every
label escaped) that has ``role="img"``, an ``aria-label`` and a ``<title>``; an empty
string when there is nothing to draw. Colours come from the stylesheet's palette through
classes (``bar``, ``ref``, ``cur``, ``alarm``, ``s0``-``s2``), so a chart has no colour of
its own. No scripts and no external resources: a page opens offline.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from kizuki.pages.format import missing


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _short(label: str, n: int) -> str:
    return label if len(label) <= n else label[: n - 1] + "…"


def legend(items: Sequence[tuple[str, str]]) -> Markup:
    """A colour legend: (palette class, label) pairs."""
    spans = "".join(f'<span><i class="sw {cls}"></i>{escape(label)}</span>' for cls, label in items)
    return Markup(f'<div class="legend">{spans}</div>')


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
    label_chars: int = 30,
) -> Markup:
    """One horizontal bar per label, scaled to the largest value (missing values draw no
    bar); optional text after each bar, a dashed threshold line, highlighted (alarm) bars.
    Labels longer than ``label_chars`` are shortened with … (the full label is the bar's
    tooltip)."""
    if not labels:
        return Markup("")
    bar, gap = 18, 6
    plot = width - label_width - 70
    vmax = max([*(v for v in values if not missing(v)), threshold or 0.0, 1e-12])
    height = len(labels) * (bar + gap) + gap + (18 if threshold is not None else 0)
    out = [_open(width, height, title)]
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = gap + i * (bar + gap)
        w = 0.0 if missing(v) else max(1.0, plot * max(v, 0.0) / vmax)
        cls = "bar alarm" if highlight and highlight[i] else "bar"
        out.append(
            f'<text x="{label_width - 6}" y="{y + bar * 0.75:.1f}" text-anchor="end">'
            f"{escape(_short(label, label_chars))}</text>"
            f'<rect class="{cls}" x="{label_width}" y="{y}" width="{w:.1f}" height="{bar}" rx="2">'
            f"<title>{escape(label)}</title></rect>"
        )
        if value_text is not None:
            out.append(
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar * 0.75:.1f}">'
                f"{escape(value_text[i])}</text>"
            )
    if threshold is not None:
        x = label_width + plot * threshold / vmax
        out.append(
            f'<line class="limit" x1="{x:.1f}" y1="0" x2="{x:.1f}" y2="{height - 16}"/>'
            f'<text class="limit" x="{x + 3:.1f}" y="{height - 4}">{escape(threshold_label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))


def paired_bars(
    labels: Sequence[str],
    ref: Sequence[float],
    cur: Sequence[float],
    *,
    title: str,
    ref_name: str,
    cur_name: str,
    value_text: tuple[Sequence[str], Sequence[str]],
    width: int = 720,
    label_width: int = 200,
    label_chars: int = 26,
) -> Markup:
    """Two bars per label (reference, current) with their ``value_text``, after a legend."""
    if not labels:
        return Markup("")
    bar, gap = 11, 8
    plot = width - label_width - 70
    vmax = max([*ref, *cur, 1e-12])
    height = len(labels) * (2 * bar + gap) + gap
    out = [_open(width, height, title)]
    for i, label in enumerate(labels):
        y = gap + i * (2 * bar + gap)
        out.append(
            f'<text x="{label_width - 6}" y="{y + bar * 1.45:.1f}" text-anchor="end">'
            f"{escape(_short(label, label_chars))}</text>"
        )
        for j, (v, cls, name) in enumerate(((ref[i], "ref", ref_name), (cur[i], "cur", cur_name))):
            w = max(0.5, plot * max(v, 0.0) / vmax)
            yy = y + j * bar
            txt = escape(value_text[j][i])
            out.append(
                f'<rect class="{cls}" x="{label_width}" y="{yy}" width="{w:.1f}" height="{bar - 1}">'
                f"<title>{escape(name)}: {txt}</title></rect>"
                f'<text class="small" x="{label_width + w + 3:.1f}" y="{yy + bar - 2}">{txt}</text>'
            )
    out.append("</svg>")
    return legend([("ref", ref_name), ("cur", cur_name)]) + Markup("".join(out))


def dot_whisker(
    labels: Sequence[str],
    points: Sequence[float | None],
    lows: Sequence[float | None],
    highs: Sequence[float | None],
    *,
    title: str,
    reference: float = 1.0,
    reference_label: str = "",
    missing_text: str,
    width: int = 720,
    label_width: int = 220,
    lo_limit: float = 0.0,
    hi_limit: float | None = None,
) -> Markup:
    """Dots with interval whiskers on one axis (e.g. each group's recall ratio to a
    reference group) and a dashed line at ``reference``; a label without a point shows
    ``missing_text``."""
    if not labels:
        return Markup("")
    row = 22
    plot = width - label_width - 40
    vals = [v for v in (*points, *lows, *highs) if not missing(v)]
    hi = hi_limit if hi_limit is not None else max([*vals, reference * 1.5, 1e-9])  # type: ignore[list-item]
    lo = lo_limit
    span = max(hi - lo, 1e-9)

    def x(v: float) -> float:
        return label_width + plot * (min(max(v, lo), hi) - lo) / span

    height = len(labels) * row + 30
    out = [_open(width, height, title)]
    for i, label in enumerate(labels):
        y = 14 + i * row
        out.append(
            f'<text x="{label_width - 6}" y="{y + 4}" text-anchor="end">'
            f"{escape(_short(label, 28))}</text>"
        )
        p, a, b = points[i], lows[i], highs[i]
        if p is None or missing(p):
            out.append(
                f'<text class="muted" x="{label_width + 4}" y="{y + 4}">{escape(missing_text)}</text>'
            )
            continue
        if a is not None and b is not None and not missing(a) and not missing(b):
            out.append(
                f'<line class="cur" x1="{x(a):.1f}" y1="{y}" x2="{x(b):.1f}" y2="{y}" stroke-width="2"/>'
            )
        out.append(
            f'<circle class="cur" cx="{x(p):.1f}" cy="{y}" r="4.5">'
            f"<title>{escape(label)}: {p:.2f}</title></circle>"
        )
    rx = x(reference)
    out.append(
        f'<line class="axis" x1="{rx:.1f}" y1="4" x2="{rx:.1f}" y2="{height - 22}"/>'
        f'<text x="{rx + 3:.1f}" y="{height - 8}">{escape(reference_label)}</text>'
        f'<text class="small" x="{label_width}" y="{height - 8}">{lo:g}</text>'
        f'<text class="small" x="{label_width + plot}" y="{height - 8}" text-anchor="end">{hi:.2g}</text>'
    )
    out.append("</svg>")
    return Markup("".join(out))


def lines(
    x_labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], bool]],
    *,
    title: str,
    width: int = 720,
    height: int = 240,
    y_max: float | None = None,
) -> Markup:
    """A line chart over shared x labels: (name, values, dashed) per series, coloured
    ``s0``, ``s1``, ... in order; a gap where a value is missing; y axis from 0."""
    if not x_labels:
        return Markup("")
    left, bottom, top, right = 48, 40, 12, 16
    plot_w, plot_h = width - left - right, height - top - bottom
    vals = [v for _, s, _ in series for v in s if not missing(v)]
    ymax = y_max if y_max is not None else max([*vals, 1e-9]) * 1.1  # type: ignore[list-item]
    n = len(x_labels)

    def px(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def py(v: float) -> float:
        return top + plot_h * (1 - min(v, ymax) / ymax)

    out = [_open(width, height, title)]
    for k in range(5):
        v = ymax * k / 4
        out.append(
            f'<line class="grid" x1="{left}" y1="{py(v):.1f}" x2="{width - right}" y2="{py(v):.1f}"/>'
            f'<text class="small" x="{left - 4}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.2g}</text>'
        )
    step = max(1, n // 8)
    for i, lab in enumerate(x_labels):
        if i % step == 0 or i == n - 1:
            out.append(
                f'<text class="small" x="{px(i):.1f}" y="{height - bottom + 16}" '
                f'text-anchor="middle">{escape(lab)}</text>'
            )
    for s, (name, values, dashed) in enumerate(series):
        cls = f"s{s}{' dashed' if dashed else ''}"
        seg: list[str] = []
        for i, v in enumerate([*values, None]):
            if v is None or missing(v):
                if len(seg) > 1:
                    out.append(f'<polyline class="{cls}" points="{" ".join(seg)}"/>')
                seg = []
                continue
            seg.append(f"{px(i):.1f},{py(v):.1f}")
            out.append(
                f'<circle class="s{s}" cx="{px(i):.1f}" cy="{py(v):.1f}" r="3">'
                f"<title>{escape(name)} {escape(x_labels[i])}: {v:.3f}</title></circle>"
            )
    out.append("</svg>")
    return legend([(f"s{s}", name) for s, (name, _, _) in enumerate(series)]) + Markup("".join(out))
