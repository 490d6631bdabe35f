"""Direct identifiers that refuse a drop (contract §4): column names and 個人番号 values."""

from __future__ import annotations

import re
import unicodedata

import numpy as np
import polars as pl

from kizuki.contract import schema

_SEPARATORS = re.compile(r"[\s_\-・]+")
#: names that contain an identifier word but are not identifiers
_ALLOWED = {"personid", "householdid", "district", "個人id", "世帯id", "地区"}
#: Latin words matched as whole tokens only (``name`` must not hit ``filename``-like
#: contract columns; ``tel`` must not hit ``hotel``)
_LATIN_TOKENS = {
    "name",
    "fullname",
    "firstname",
    "lastname",
    "address",
    "addr",
    "phone",
    "tel",
    "telephone",
    "mynumber",
    "atenabango",
    "atena",
}


def _fold(name: str) -> str:
    return _SEPARATORS.sub("", unicodedata.normalize("NFKC", name).strip().lower())


def is_identifier_column(name: str) -> bool:
    """True when a column header names a direct identifier (氏名, 住所, phone, my_number, …).

    Japanese words match anywhere in the folded name (``氏名カナ``, ``現住所``); Latin
    words match as whole tokens split on separators and case (``home_address``,
    ``phoneNo``, ``my_number``), so ``household_id`` and ``district`` never match.
    """
    folded = _fold(name)
    if folded in _ALLOWED:
        return False
    for word in schema.IDENTIFIER_COLUMN_WORDS:
        w = _fold(word)
        if not w.isascii() and w in folded:
            return True
    # Latin: split camelCase and separators into tokens, also test joined neighbours
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", unicodedata.normalize("NFKC", name))
    tokens = [t for t in re.split(r"[^A-Za-z]+", spaced.lower()) if t]
    joined = {
        "".join(tokens[i:j]) for i in range(len(tokens)) for j in range(i + 1, len(tokens) + 1)
    }
    return bool(joined & _LATIN_TOKENS) or folded in _LATIN_TOKENS


def my_number_check_digit(first11: str) -> int:
    """Check digit of a 個人番号 from its first 11 digits (contract §4).

    P_n is the n-th digit counted from the right of the 11; Q_n = n + 1 for n ≤ 6 and
    n − 5 for n ≥ 7; the digit is 11 − (Σ P_n·Q_n mod 11), or 0 when the remainder is 0 or 1.
    """
    total = 0
    for n in range(1, 12):
        p = int(first11[11 - n])
        q = n + 1 if n <= 6 else n - 5
        total += p * q
    r = total % 11
    return 0 if r <= 1 else 11 - r


# ---------------------------------------------------------------------------------------
# 個人番号 anywhere inside a text value (contract §4)
#
# Characters are read as: digits (half- or full-width), Latin letters (half- or
# full-width), separators (SPACES and HYPHENS) and everything else (kanji, kana,
# punctuation, line breaks, ...). A value holds a 個人番号 when it contains 12 digits
#   (a) written as one run of exactly 12 digits, or
#   (b) written as three groups of exactly 4 digits, one to three separators between two
#       groups (``6214-9832-0257``, ``6214 9832 0257``, ``6214 - 9832 - 0257``),
# that end in their check digit, and that are not part of a longer code:
#   - no digit or Latin letter directly before or after them (``6214983202571``,
#     ``16214-9832-0257``, the hexadecimal pseudonym ``P202414186809f3cc`` hold none),
#   - no hyphen run directly before or after them that joins them to a digit or letter
#     (``ab-621498320257``, a UUID's last group, the middle of ``1234-6214-9832-0257``).
# Kanji, kana, punctuation and spaces around the number do not disqualify it
# (「確認済 621498320257 本人申出」, 「番号621498320257を確認」, ``1234 6214 9832 0257``:
# a space never joins, so three 4-digit groups among more space-separated groups are
# each checked — refusing too much is the safe side of this rule).
# ---------------------------------------------------------------------------------------

#: full-width digits, read as the ASCII digits at the same position
FULL_WIDTH_DIGITS = "０１２３４５６７８９"
#: white space that may separate the groups of a 4-4-4 number
SPACES = " \u3000\u00a0\t"
#: hyphens and dashes that may separate the groups (half- and full-width, minus, chōon)
HYPHENS = "-－‐‑‒–—―−ー﹣ｰ"
#: most separator characters between two groups of a 4-4-4 number
MAX_SEPARATORS = 3
_LETTERS = "A-Za-zＡ-Ｚａ-ｚ"
_DIGIT_CHARS = "0-9０-９"
#: a cheap first pass over every value: a run of four digits that does not continue a
#: digit or letter (a value without one cannot hold a 個人番号)
_PREFILTER = f"(?:^|[^{_DIGIT_CHARS}{_LETTERS}])[{_DIGIT_CHARS}]{{4}}"
#: weights Q_n of the digits P_n, n = 1 … 11 counted from the right of the first 11
_WEIGHTS = tuple(n + 1 if n <= 6 else n - 5 for n in range(1, 12))
# token kinds after normalisation
_DIGITS, _LETTER, _SEP, _OTHER = 0, 1, 2, 3


def _normalised(expr: pl.Expr) -> pl.Expr:
    """Every character as one of five: an ASCII digit, ``a`` (a Latin letter), ``-`` (a
    hyphen), `` `` (a space) or ``|`` (anything else)."""
    return (
        expr.str.replace_many(
            [*FULL_WIDTH_DIGITS, *HYPHENS, *SPACES],
            [*"0123456789", *("-" * len(HYPHENS)), *(" " * len(SPACES))],
        )
        .str.replace_all(f"[{_LETTERS}]", "a")
        .str.replace_all("[^0-9a \\-]", "|")
    )


def _tokens(values: pl.Series) -> pl.DataFrame:
    """One row per token of every value: ``i`` (the value), ``t`` (its text), ``kind``
    and ``hyphens`` (a separator made of hyphens only), in order."""
    frame = pl.DataFrame({"v": values}).with_row_index("i")
    tokens = frame.select(
        "i", t=_normalised(pl.col("v")).str.extract_all("[0-9]+|a+|[ \\-]+|\\|+")
    ).explode("t")
    first = pl.col("t").str.head(1)
    return tokens.drop_nulls("t").with_columns(
        kind=pl.when(first == "a")
        .then(_LETTER)
        .when(first == "|")
        .then(_OTHER)
        .when(first.is_in([" ", "-"]))
        .then(_SEP)
        .otherwise(_DIGITS)
        .cast(pl.Int8),
        hyphens=pl.col("t").str.contains("^-+$"),
        n=pl.col("t").str.len_bytes(),
    )


def _at(col: str, k: int) -> pl.Expr:
    """Column ``col`` of the token ``k`` places further in the same value (null beyond)."""
    same = pl.col("i").shift(-k) == pl.col("i")
    return pl.when(same).then(pl.col(col).shift(-k))


def _free(step: int, start: int) -> pl.Expr:
    """True where the tokens ``start``, ``start + step`` (going left for step -1, right
    for +1) do not join the candidate to a longer code: not a letter, not a hyphen run
    followed by a digit or letter."""
    near_kind = _at("kind", start)
    near_hyphens = _at("hyphens", start)
    far_kind = _at("kind", start + step)
    joined = near_hyphens.fill_null(False) & far_kind.is_in([_DIGITS, _LETTER]).fill_null(False)
    return (near_kind.fill_null(_OTHER) != _LETTER) & ~joined


def _candidates(tokens: pl.DataFrame) -> pl.DataFrame:
    """(i, num): every 12-digit candidate (forms a and b) with free ends."""
    digits4 = [(_at("kind", k) == _DIGITS) & (_at("n", k) == 4) for k in (0, 2, 4)]
    seps = [(_at("kind", k) == _SEP) & (_at("n", k) <= MAX_SEPARATORS) for k in (1, 3)]
    whole = (pl.col("kind") == _DIGITS) & (pl.col("n") == 12)
    grouped = pl.all_horizontal(*digits4, *seps).fill_null(False)
    found = tokens.with_columns(
        a=whole & _free(-1, -1) & _free(1, 1),
        b=grouped & _free(-1, -1) & _free(1, 5),
        grouped_num=pl.concat_str(pl.col("t"), _at("t", 2), _at("t", 4)),
    )
    return pl.concat(
        [
            found.filter("a").select("i", num="t"),
            found.filter("b").select("i", num="grouped_num"),
        ]
    )


def _valid(numbers: pl.Series) -> np.ndarray:
    """True where a 12-ASCII-digit string ends in its 個人番号 check digit (vectorised)."""
    x = numbers.cast(pl.Int64).to_numpy()
    total = np.zeros(len(x), dtype=np.int64)
    for n, q in enumerate(_WEIGHTS, start=1):
        total += (x // 10**n % 10) * q
    r = total % 11
    check = np.where(r <= 1, 0, 11 - r)
    return np.asarray(check == x % 10)


def _holds(values: pl.Series) -> pl.Series:
    """Boolean per value of a String Series without nulls (the rule above, no pre-filter)."""
    found = _candidates(_tokens(values))
    hits = found.filter(pl.Series(_valid(found["num"])))["i"].unique()
    return pl.Series(values.name, pl.int_range(len(values), eager=True).is_in(hits.implode()))


def _candidate_rows(text: pl.Series) -> pl.Series:
    """Positions of the values that may hold a 個人番号, by cheap passes, each on what the
    one before left: 12 bytes or more; a 4-digit run that does not continue a digit or
    letter; 12 digits or more."""
    where = ((text.str.len_bytes() >= 12) & text.str.contains(_PREFILTER)).fill_null(False)
    where = where.arg_true()
    digits = text.gather(where).str.replace_all(f"[^{_DIGIT_CHARS}]", "").str.len_chars()
    return where.filter(digits >= 12)


def holds_my_number(values: pl.Series) -> pl.Series:
    """Per value of a string Series: True when it holds a valid 個人番号 anywhere inside
    (half- or full-width digits, 4-4-4 split by spaces or hyphens, not part of a longer
    run of digits or a code; the rule above); False for nulls and other values."""
    text = values.cast(pl.String)
    out = pl.repeat(False, len(text), dtype=pl.Boolean, eager=True).alias(values.name)
    where = _candidate_rows(text)
    if where.len() == 0:
        return out
    return out.scatter(where.filter(_holds(text.gather(where))), True)


def count_my_numbers(values: pl.Series) -> int:
    """How many values of a string Series hold a valid 個人番号 anywhere inside (see
    :func:`holds_my_number`). Cheap passes first, then the rule once per distinct value
    left."""
    text = values.cast(pl.String).rename("v")
    where = _candidate_rows(text)
    if where.len() == 0:
        return 0
    counts = text.gather(where).value_counts()
    return int(counts.filter(_holds(counts["v"]))["count"].sum())


def is_my_number(value: str) -> bool:
    """True when ``value`` as a whole is a valid 個人番号: 12 digits (optionally 4-4-4
    separated, full-width allowed; white space around ignored) whose last is the check digit."""
    s = unicodedata.normalize("NFKC", value).strip()
    s = re.sub(r"^(\d{4})[\s\-－‐‑‒–—―−ー]{1,3}(\d{4})[\s\-－‐‑‒–—―−ー]{1,3}(\d{4})$", r"\1\2\3", s)
    if len(s) != 12 or not s.isdigit() or not s.isascii():
        return False
    return my_number_check_digit(s[:11]) == int(s[11])
