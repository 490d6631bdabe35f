"""The visible text of an HTML page, to show that a page says the same before and after a change.

``visible_text(html)`` gives one line per block (heading, paragraph, table row, list item,
chart label, ...), whitespace collapsed, markup and styles left out; ``unify(lines)`` applies
the deliberate, listed unifications of the page kit (:data:`UNIFICATIONS`) to text from the
old pages. Used by the page-content tests (``tests/*/test_page_text.py``) and from the shell:

    uv run python benchmarks/page_text.py /tmp/base/demo/run/report.html /tmp/new/run/report.html

prints the differing lines and exits 1 when the two pages' texts differ after unification.
"""

from __future__ import annotations

import difflib
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

#: tags that start a new line of text
BLOCK = {
    "p", "h1", "h2", "h3", "h4", "li", "tr", "td", "th", "div", "section", "table", "caption",
    "details", "summary", "header", "footer", "article", "ol", "ul", "svg", "text", "title",
    "body", "head", "html",
}  # fmt: skip
#: tags whose content is not visible text
HIDDEN = {"style", "script"}

#: Deliberate unifications, applied to both pages' text lines as (pattern, replacement,
#: why). Nothing else may differ.
UNIFICATIONS: list[tuple[str, str, str]] = [
    (r"^(作成|Generated): \S+$", r"\1: <time>", "the 'Generated' stamp is the time of rendering"),
    (
        r"^—$",
        "",
        "one mark for a missing value: the old pages printed some missing values as an empty "
        "cell (monitor's method table, performance's facts, audit's interval bounds) or as "
        "'n/a' (alert texts), the kit prints — everywhere; a cell holding only the mark is "
        "left out of the comparison",
    ),
    (
        r"^code counts from the manifests \(rows kept, known in",
        "code counts from the drop folders (rows known in",
        "monitor reads the code counts that score writes into each run's manifest instead of "
        "reloading both drops (issue 9: monitor reads runs, not drops); the method note says so",
    ),
]


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[list[str]] = [[]]
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        elif tag in BLOCK:
            self.lines.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden -= 1
        elif tag in BLOCK:
            self.lines.append([])

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.lines[-1].append(data)


def visible_text(html: str) -> list[str]:
    """The page's visible text: one line per block, whitespace collapsed, empty lines dropped."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    out = []
    for parts in parser.lines:
        line = re.sub(r"\s+", " ", "".join(parts)).strip()
        if line:
            out.append(line)
    return out


def unify(lines: list[str]) -> list[str]:
    """``lines`` with :data:`UNIFICATIONS` applied (lines left empty are dropped)."""
    out = []
    for line in lines:
        for pattern, repl, _why in UNIFICATIONS:
            line = re.sub(pattern, repl, line)
        if line:
            out.append(line)
    return out


def differences(old: list[str], new: list[str]) -> list[str]:
    """Unified-diff lines between the unified ``old`` text and ``new`` (empty when the same)."""
    return list(difflib.unified_diff(unify(old), unify(new), "old", "new", lineterm="", n=1))


#: what differs between two runs of the same command by nature (masked by :func:`main`)
RUN_SPECIFIC: list[tuple[str, str]] = [
    (r"(実行ID|Run ID|Run id): \d{8}T\d{6}Z-[0-9a-f]+", r"\1: <run id>"),
    (r"kizuki \d+\.\d+\.\d+\+g[0-9a-f]+", "kizuki <version>"),
]


def mask(lines: list[str]) -> list[str]:
    """``lines`` with what differs between two runs by nature (:data:`RUN_SPECIFIC`) masked."""
    out = []
    for line in lines:
        for pattern, repl in RUN_SPECIFIC:
            line = re.sub(pattern, repl, line)
        out.append(line)
    return out


def main(argv: list[str]) -> int:
    """``page_text.py OLD.html NEW.html``: print differences (run ids and code versions
    masked); 1 when the texts differ."""
    old, new = (mask(visible_text(Path(p).read_text(encoding="utf-8"))) for p in argv[:2])
    diff = differences(old, new)
    print("\n".join(diff) if diff else f"same visible text ({len(new)} lines)")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
