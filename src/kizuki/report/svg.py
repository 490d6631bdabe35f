"""Small inline SVG bar charts (no scripts, no external resources)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape


def hbar_chart(
    labels: Sequence[str],
    values: Sequence[float],
    *,
    title: str,
    value_labels: Sequence[str] | None = None,
    width: int = 520,
    label_width: int = 230,
    bar_height: int = 18,
    gap: int = 6,
    color: str = "#2f6f9f",
) -> str:
    """A horizontal bar chart as an ``<svg>`` element string.

    In: one label and one non-negative value per bar (bars scale to the largest value);
    an accessible ``title``; optional text shown at the end of each bar.
    Out: SVG markup with ``role="img"`` and a ``<title>``; empty string for no bars.
    """
    if not labels:
        return ""
    vmax = max(max(values), 1e-12)
    plot = width - label_width - 60
    height = len(labels) * (bar_height + gap) + gap
    parts = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = gap + i * (bar_height + gap)
        w = max(1.0, plot * max(value, 0.0) / vmax)
        short = label if len(label) <= 18 else label[:17] + "…"
        parts.append(
            f'<text x="{label_width - 6}" y="{y + bar_height * 0.75:.1f}" text-anchor="end" '
            f'font-size="12">{escape(short)}</text>'
        )
        parts.append(
            f'<rect x="{label_width}" y="{y}" width="{w:.1f}" height="{bar_height}" '
            f'fill="{color}" rx="2"><title>{escape(label)}</title></rect>'
        )
        if value_labels is not None:
            parts.append(
                f'<text x="{label_width + w + 4:.1f}" y="{y + bar_height * 0.75:.1f}" '
                f'font-size="12">{escape(value_labels[i])}</text>'
            )
    parts.append("</svg>")
    return "".join(parts)
