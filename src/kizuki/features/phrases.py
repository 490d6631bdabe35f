"""Words for features: reason phrases (``fmt``, ``signed``, ``pct_change``) and windows in words.

``fmt(ja, en, kind)``, ``signed(ja, en, kind)`` and ``pct_change(ja, en)`` build a
feature's ``phrase(value, lang)``: how a household's own value is written in a reason.
A phrase states the value as it is, or hides it (None); it never states what the value
is not:

- a change keeps its sign in words, never as a minus sign: 「未納が3か月で7,295円減少」,
  "unpaid down ¥7,295 in 3 months", 「前年同期比40%減」, 「欠席率がふだんより5%低下」;
- a zero count or amount and a false flag are hidden unless the feature declares how they
  read (``zero=(ja, en)``: 「水道料金の未納なし」, 「65歳以上の一人暮らしではない」), so that a
  reason whose 気づき condition does not hold can still say what the household's value is;
- a negative value of a feature that is not a change (a count, an amount, a rate) is never
  written (hidden): only :func:`signed` and :func:`pct_change` write a direction.

The window helpers write a configured number of months the way the texts need it, so that a
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

#: a pair of texts, Japanese and English
Pair = tuple[str, str]

#: sign words of a change (:func:`signed`): amounts grow or fall, rates rise or drop
GROWTH: tuple[Pair, Pair] = (("増加", "up"), ("減少", "down"))
RISE: tuple[Pair, Pair] = (("上昇", "up"), ("低下", "down"))


def _num(v: object) -> float | None:
    try:
        x = None if v is None else float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if x is None or x != x else x  # NaN reads as missing


def _pick(pair: Pair, lang: Lang) -> str:
    return pair[0] if lang == "ja" else pair[1]


def pct_change(ja: str, en: str, same: Pair | None = None) -> Phrase:
    """A relative change as a phrase (``-0.4`` is 40%減 / down 40%).

    Below 5% either way the change is hidden, or written as ``same`` (ja, en) when given
    (「…ほぼ同じ」).
    """

    def f(v: object, lang: Lang) -> str | None:
        x = _num(v)
        if x is None:
            return None
        if abs(x) < 0.05:
            return None if same is None else _pick(same, lang)
        p = round(abs(x) * 100)
        if lang == "ja":
            return f"{ja}{p}%{'減' if x < 0 else '増'}"
        return f"{en} {'down' if x < 0 else 'up'} {p}%"

    return f


def _magnitude(x: float, kind: str, lang: Lang) -> str:
    """A non-negative number written for ``kind`` (see :func:`fmt`)."""
    if kind == "pct":
        return f"{x * 100:.0f}%"
    if kind == "yen":
        return f"{x:,.0f}円" if lang == "ja" else f"¥{x:,.0f}"
    if kind == "float1":
        return f"{x:.1f}"
    return f"{x:.0f}"


def _is_zero(s: str) -> bool:
    """True when a written magnitude rounds to nothing (「0円」, "¥0", "0%", "0.0")."""
    return not any(ch in "123456789" for ch in s)


def signed(
    ja: str,
    en: str,
    kind: str = "num",
    words: tuple[Pair, Pair] = GROWTH,
    zero: Pair | None = None,
) -> Phrase:
    """A change with its direction in words: ``{v}`` is the size, ``{dir}`` the sign word.

    ``words``: ((ja, en) for a rise, (ja, en) for a fall), e.g. :data:`GROWTH` (増加 /
    減少, up / down) or :data:`RISE` (上昇 / 低下). ``kind`` writes the size as in
    :func:`fmt` (``num``, ``float1``, ``pct``, ``yen``). A change that rounds to nothing is
    hidden, or written as ``zero`` when given. Never a minus sign: ``-7295`` with
    「未納が3か月で{v}{dir}」 is 「未納が3か月で7,295円減少」.
    """

    def f(v: object, lang: Lang) -> str | None:
        x = _num(v)
        if x is None:
            return None
        size = _magnitude(abs(x), kind, lang)
        if _is_zero(size):
            return None if zero is None else _pick(zero, lang)
        word = _pick(words[0] if x > 0 else words[1], lang)
        return (ja if lang == "ja" else en).format(v=size, dir=word)

    return f


def fmt(ja: str, en: str, kind: str = "num", zero: Pair | None = None) -> Phrase:
    """Template phrase: ``{v}`` is replaced by the formatted value.

    ``kind``: ``num`` (whole number), ``float1``, ``pct``, ``yen``, ``ltc`` (care level
    index), ``aid`` (school aid 1/2) or ``bool`` (the text itself when true). None is
    hidden; 0 and False are hidden too unless ``zero`` (ja, en) says how they read
    (「水道料金の未納なし」, 「65歳以上の一人暮らしではない」). A negative value is never
    written (these are counts, amounts and rates; a change uses :func:`signed`).
    """

    def f(v: object, lang: Lang) -> str | None:
        x = _num(v)  # a flag reads as 1 / 0
        if x is None:
            return None
        if kind == "bool":
            if x != 0:
                return ja if lang == "ja" else en
            return None if zero is None else _pick(zero, lang)
        if x < 0:
            return None
        if kind == "ltc":
            i = int(x)
            if i == 0 or i >= len(LTC_JA):
                return None if i != 0 or zero is None else _pick(zero, lang)
            s = LTC_JA[i] if lang == "ja" else LTC_LEVELS[i]
        elif kind == "aid":
            if x not in (1, 2):
                return None if x != 0 or zero is None else _pick(zero, lang)
            s = (
                ("準要保護" if x == 1 else "要保護")
                if lang == "ja"
                else ("semi" if x == 1 else "full")
            )
        else:
            s = _magnitude(x, kind, lang)
            if x == 0:
                return None if zero is None else _pick(zero, lang)
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
