"""Words for features: reason phrases (``fmt``, ``pct_change``) and windows in words.

``fmt(ja, en, kind)`` / ``pct_change(ja, en)`` build a feature's ``phrase(value, lang)``:
how a household's own value is written in a reason (None hides it). The window
helpers write a configured number of months the way the texts need it, so that a
changed window changes the text: ``recent_ja(3)`` is 直近3か月, ``recent_ja(12)`` 1年間,
``last_en(1)`` "last month", ``months_en(6)`` "6 months".
"""

from __future__ import annotations

from kizuki.contract.schema import LTC_LEVELS
from kizuki.features.spec import Lang, Phrase

LTC_JA = (
    "なし",
    "事業対象者",
    "要支援1",
    "要支援2",
    "要介護1",
    "要介護2",
    "要介護3",
    "要介護4",
    "要介護5",
)


def _num(v: object) -> float | None:
    try:
        return None if v is None else float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def pct_change(ja: str, en: str) -> Phrase:
    """A relative change as a phrase (``-0.4`` is 40%減 / down 40%); below 5% hidden."""

    def f(v: object, lang: Lang) -> str | None:
        x = _num(v)
        if x is None or abs(x) < 0.05:
            return None
        p = round(abs(x) * 100)
        if lang == "ja":
            return f"{ja}{p}%{'減' if x < 0 else '増'}"
        return f"{en} {'down' if x < 0 else 'up'} {p}%"

    return f


def fmt(ja: str, en: str, kind: str = "num") -> Phrase:
    """Template phrase: ``{v}`` is replaced by the formatted value; None/0/False hide it.

    ``kind``: ``num`` (whole number), ``float1``, ``pct``, ``yen``, ``ltc`` (care level
    index), ``aid`` (school aid 1/2) or ``bool`` (the text itself when true).
    """

    def f(v: object, lang: Lang) -> str | None:
        if v is None or v is False:
            return None
        if kind == "bool":
            return ja if lang == "ja" else en
        x = _num(v)
        if x is None or x == 0:
            return None
        if kind == "pct":
            s = f"{x * 100:.0f}%"
        elif kind == "yen":
            s = f"{x:,.0f}円" if lang == "ja" else f"¥{x:,.0f}"
        elif kind == "ltc":
            i = int(x)
            s = LTC_JA[i] if lang == "ja" else LTC_LEVELS[i]
        elif kind == "aid":
            s = (
                ("準要保護" if x == 1 else "要保護")
                if lang == "ja"
                else ("semi" if x == 1 else "full")
            )
        elif kind == "float1":
            s = f"{x:.1f}"
        else:
            s = f"{x:.0f}"
        return (ja if lang == "ja" else en).format(v=s)

    return f


# ------------------------------------------------------------------ windows in words


def span_ja(months: int) -> str:
    """A span in Japanese: 6か月, 1年 (whole years as years)."""
    return f"{months // 12}年" if months % 12 == 0 else f"{months}か月"


def recent_ja(months: int) -> str:
    """The last n months in Japanese: 直近3か月, 1年間."""
    return f"{span_ja(months)}間" if months % 12 == 0 else f"直近{months}か月"


def months_en(months: int) -> str:
    """A span in English: 1 month, 6 months."""
    return "1 month" if months == 1 else f"{months} months"


def last_en(months: int) -> str:
    """The last n months in English: last month, last 3 months."""
    return "last month" if months == 1 else f"last {months} months"


def share_ja(share: float) -> str:
    """A share in Japanese tenths where exact (0.3 is 3割), else a percentage."""
    tenths = share * 10
    return f"{round(tenths)}割" if abs(tenths - round(tenths)) < 1e-9 else f"{share:.0%}"


def share_en(share: float) -> str:
    """A share as a percentage (0.3 is 30%)."""
    return f"{share:.0%}"
