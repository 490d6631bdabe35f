"""Checking a returned feedback file against contract §8.

Refusals (the whole file, :class:`~kizuki.outreach.sheet.FeedbackRefused`, exit 3; the
message names the sheet, the column and a count, never a value):

- a column whose header is a direct identifier (氏名, 住所, 電話, 個人番号, … as in §4),
  on any sheet of the file;
- a valid 個人番号 anywhere in any cell of any sheet (the rule of §4);
- a required column (run_id, household_id, visited_on, result) missing, or two columns
  of the imported sheet meaning the same column.

Row rules (the row is rejected with its column and rule; rows in = kept + rejected), in
the order checked, the first that fires is recorded:

==================  ==============================  ==============================
column              rule                            when
==================  ==============================  ==============================
run_id …            missing_value                   a required cell is empty
visited_on          unparseable_date, …             not a date in a contract form
                                                    (和暦 accepted; the parser's rule)
result              unknown_code                    not a §8 result code or alias
confirmed:<issue>   unknown_mark                    a mark cell holds something
                                                    other than ○ (or yes/1/あり)
confirmed_issues    unknown_issue                   a listed issue that is no §3 code
team                team_not_a_code                 not a short code of letters,
                                                    digits, ``-``, ``_``
run_id              unknown_run                     the history holds no such run
household_id        not_on_list                     not on that run's list
visited_on          before_as_of                    before the run's as-of date
visited_on          after_import_day                after the day of the import
confirmed_issues    confirmed_issues_required       need_confirmed without an issue
confirmed_issues    issues_without_need             issues given with another result
household_id        duplicated_household            the same run and household twice
                                                    in the file (every copy rejected)
==================  ==============================  ==============================

A row whose input cells (visit date, result, marks, confirmed issues, team) are all
empty is a row of the sheet left unfilled (not visited yet): it is no feedback row, it
is counted apart (``blank_rows``) and not in rows in.

Columns kizuki does not know are never imported (free text stays out); they are named
in the import report. The columns kizuki filled for orientation (district, priority,
listed issues) are not imported either.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from kizuki.contract.identifiers import count_my_numbers, is_identifier_column
from kizuki.contract.parse import ParseFailure, code_parser, map_unique, nfkc, parse_date
from kizuki.contract.schema import ISSUES
from kizuki.outreach.config import OutreachConfig
from kizuki.outreach.entry import (
    MARK_COLUMNS,
    MARK_FALSE,
    MARK_PREFIX,
    MARK_TRUE,
    REQUIRED,
    RESULT_ALIASES,
    SHOWN_ONLY,
    fold_header,
    header_map,
)
from kizuki.outreach.sheet import FeedbackFile, FeedbackRefused

#: the columns of a kept visit row (before the import adds its file and hash)
KEPT_SCHEMA = pl.Schema(
    {
        "row": pl.Int64,
        "run_id": pl.String,
        "household_id": pl.String,
        "visited_on": pl.Date,
        "result": pl.String,
        "confirmed_issues": pl.List(pl.String),
        "team": pl.String,
    }
)
#: the columns of a rejected row: where it was, what it broke, and its cells in the
#: §8 columns (never a column kizuki does not know)
REJECT_SCHEMA = pl.Schema(
    {
        "row": pl.Int64,
        "column": pl.String,
        "rule": pl.String,
        "run_id": pl.String,
        "household_id": pl.String,
        "visited_on": pl.String,
        "result": pl.String,
        "confirmed_issues": pl.String,
        "team": pl.String,
    }
)
_SPLIT = re.compile(r"[,、・，､]")
_ISSUE = code_parser("issue", ISSUES)


@dataclass(frozen=True)
class Checked:
    """The outcome of the checks: kept rows (:data:`KEPT_SCHEMA`), rejected rows
    (:data:`REJECT_SCHEMA`), the columns ignored (names), the feedback rows read
    (= kept + rejected) and the rows left unfilled."""

    kept: pl.DataFrame
    rejects: pl.DataFrame
    ignored_columns: tuple[str, ...]
    rows_in: int
    blank_rows: int = 0


def check_identifiers(ff: FeedbackFile) -> None:
    """Refuse the file when any sheet has a direct-identifier column or a 個人番号 in a
    cell (message: sheet, column, count; never a value)."""
    name = ff.path.name
    for sheet, frame in ff.sheets.items():
        for col in frame.columns:
            if is_identifier_column(col):
                raise FeedbackRefused(
                    f"feedback: {name}, sheet '{sheet}': column '{col}' is a direct identifier "
                    "(氏名, 住所, 電話, 個人番号 and the like are never imported); remove the "
                    "column and import again"
                )
        for col in frame.columns:
            n = count_my_numbers(frame[col])
            if n:
                raise FeedbackRefused(
                    f"feedback: {name}, sheet '{sheet}': column '{col}' holds {n} value(s) "
                    "that are valid 個人番号 (My Number); remove them and import again"
                )


def _columns(ff: FeedbackFile) -> tuple[dict[str, str], tuple[str, ...]]:
    """(canonical column -> header in the file, ignored headers)."""
    known = header_map()
    found: dict[str, str] = {}
    ignored: list[str] = []
    for header in ff.frame.columns:
        col = known.get(fold_header(header))
        if col is None:
            ignored.append(header)
            continue
        if col in found:
            raise FeedbackRefused(
                f"feedback: {ff.path.name}, sheet '{ff.sheet}': columns '{found[col]}' and "
                f"'{header}' both mean {col}; keep one"
            )
        found[col] = header
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise FeedbackRefused(
            f"feedback: {ff.path.name}, sheet '{ff.sheet}': required column(s) "
            f"{', '.join(missing)} missing (contract §8: run_id, household_id, visited_on, result)"
        )
    return found, tuple(ignored)


def _result(raw: str) -> str:
    code = RESULT_ALIASES.get(nfkc(raw).lower()) or RESULT_ALIASES.get(nfkc(raw))
    if code is None:
        raise ParseFailure("unknown_code")
    return code


def _mark(raw: str) -> bool:
    s = nfkc(raw).lower()
    if s in MARK_TRUE or raw.strip() in MARK_TRUE:
        return True
    if s in MARK_FALSE or raw.strip() in MARK_FALSE:
        return False
    raise ParseFailure("unknown_mark")


def _issue_list(values: pl.Series) -> tuple[pl.Series, pl.Series]:
    """Parse ``confirmed_issues`` cells (codes or 日本語 names split by , 、 ・): (sorted
    list of codes, rule or null), one Python step per distinct cell."""
    parsed: dict[str, list[str]] = {}
    failed: set[str] = set()
    for raw in values.drop_nulls().unique().to_list():
        try:
            codes = {_ISSUE(t) for t in _SPLIT.split(raw) if t.strip()}
            parsed[raw] = sorted(codes, key=ISSUES.index)
        except ParseFailure:
            failed.add(raw)
    lists = pl.Series(
        [parsed.get(v, []) if v is not None else [] for v in values.to_list()],
        dtype=pl.List(pl.String),
    )
    rules = pl.Series(
        ["unknown_issue" if v in failed else None for v in values.to_list()], dtype=pl.String
    )
    return lists, rules


def _team_ok(config: OutreachConfig) -> pl.Expr:
    n = config.team_code_max_length
    return pl.col("team").is_null() | pl.col("team").str.contains(f"^[A-Za-z0-9_-]{{1,{n}}}$")


def check_rows(
    ff: FeedbackFile,
    lists: pl.DataFrame,
    runs: pl.DataFrame,
    today: dt.date,
    config: OutreachConfig,
) -> Checked:
    """Apply the refusals and the row rules (module docstring) to a feedback file.

    In: the file as read; ``lists`` (run_id, household_id: every listed household of
    every run in the history); ``runs`` (run_id, as_of); the day of import; the config.
    Out: :class:`Checked`. Raises :class:`FeedbackRefused` for a refusal.
    """
    check_identifiers(ff)
    found, ignored = _columns(ff)
    ignored = tuple(sorted({*ignored, *(found[c] for c in SHOWN_ONLY if c in found)}))
    src = ff.frame
    n = src.height

    def text(col: str) -> pl.Series:
        if col not in found:
            return pl.Series(col, [None] * n, dtype=pl.String)
        s = src[found[col]].cast(pl.String).alias(col)
        return s.str.strip_chars().replace("", None)

    team = text("team")
    uniq = team.unique(maintain_order=True).drop_nulls()
    team_codes = pl.Series("team", [nfkc(v) for v in uniq.to_list()], dtype=pl.String)
    raw = pl.DataFrame(
        [
            pl.Series("row", range(2, n + 2), dtype=pl.Int64),
            *(text(c) for c in ("run_id", "household_id", "visited_on", "result")),
            team.replace_strict(uniq, team_codes, default=None, return_dtype=pl.String),
            text("confirmed_issues"),
        ]
    )
    visited, date_rule = map_unique(raw["visited_on"], parse_date, pl.Date())
    result, result_rule = map_unique(raw["result"], _result, pl.String())
    issues_text, issues_rule = _issue_list(raw["confirmed_issues"])
    marks: list[pl.Series] = []
    mark_rules: list[pl.Series] = []
    for col in MARK_COLUMNS:
        if col not in found:
            continue
        values, rules = map_unique(text(col), _mark, pl.Boolean())
        marks.append(values.fill_null(False).alias(col))
        mark_rules.append(
            pl.Series(
                f"rule:{col}",
                [f"{col}|unknown_mark" if r else None for r in rules.to_list()],
                dtype=pl.String,
            )
        )
    marked = (
        pl.DataFrame(marks).select(
            pl.concat_list(
                pl.when(pl.col(c)).then(pl.lit(c.removeprefix(MARK_PREFIX))).otherwise(None)
                for c in (m.name for m in marks)
            )
            .list.drop_nulls()
            .alias("m")
        )["m"]
        if marks
        else pl.Series("m", [[] for _ in range(n)], dtype=pl.List(pl.String))
    )
    frame = raw.with_columns(
        *mark_rules,
        *(text(c).alias(f"cell:{c}") for c in MARK_COLUMNS if c in found),
        visited_on_date=visited,
        date_rule=date_rule,
        result_code=result,
        result_rule=result_rule,
        issues_rule=issues_rule,
        confirmed=pl.concat_list(issues_text, marked).list.unique(),
    ).with_columns(
        confirmed=pl.col("confirmed").list.eval(
            pl.element().sort_by(pl.element().replace_strict(ISSUES, range(len(ISSUES))))
        )
    )
    frame = (
        frame.join(runs.select("run_id", run_as_of="as_of"), on="run_id", how="left")
        .join(
            lists.select("run_id", "household_id").unique().with_columns(on_list=pl.lit(True)),
            on=["run_id", "household_id"],
            how="left",
        )
        .sort("row")
    )
    dup = pl.len().over("run_id", "household_id") > 1
    cond: list[pl.Expr] = [
        *(
            pl.when(pl.col(c).is_null()).then(pl.lit(f"{c}|missing_value"))
            for c in ("run_id", "household_id", "visited_on", "result")
        ),
        pl.when(pl.col("date_rule").is_not_null()).then(
            pl.lit("visited_on|") + pl.col("date_rule")
        ),
        pl.when(pl.col("result_rule").is_not_null()).then(pl.lit("result|unknown_code")),
        *(pl.col(r.name) for r in mark_rules),
        pl.when(pl.col("issues_rule").is_not_null()).then(pl.lit("confirmed_issues|unknown_issue")),
        pl.when(~_team_ok(config).fill_null(False)).then(pl.lit("team|team_not_a_code")),
        pl.when(pl.col("run_as_of").is_null()).then(pl.lit("run_id|unknown_run")),
        pl.when(pl.col("on_list").is_null()).then(pl.lit("household_id|not_on_list")),
        pl.when(pl.col("visited_on_date") < pl.col("run_as_of")).then(
            pl.lit("visited_on|before_as_of")
        ),
        pl.when(pl.col("visited_on_date") > today).then(pl.lit("visited_on|after_import_day")),
        pl.when(
            (pl.col("result_code") == "need_confirmed") & (pl.col("confirmed").list.len() == 0)
        ).then(pl.lit("confirmed_issues|confirmed_issues_required")),
        pl.when(
            (pl.col("result_code") != "need_confirmed") & (pl.col("confirmed").list.len() > 0)
        ).then(pl.lit("confirmed_issues|issues_without_need")),
        pl.when(dup).then(pl.lit("household_id|duplicated_household")),
    ]
    # a team cell that is not a code may be a person's name: it is kept nowhere
    inputs = ["visited_on", "result", "team", "confirmed_issues"]
    blank = pl.all_horizontal(pl.col(c).is_null() for c in inputs) & (
        pl.col("confirmed").list.len() == 0
    )
    marked_cells = [f"cell:{c}" for c in MARK_COLUMNS if c in found]
    if marked_cells:
        blank = blank & pl.all_horizontal(pl.col(c).is_null() for c in marked_cells)
    n_blank = int(frame.select(blank.sum()).item())
    frame = frame.filter(~blank)
    frame = frame.with_columns(broken=pl.coalesce(cond)).with_columns(
        team=pl.when(_team_ok(config).fill_null(False)).then(pl.col("team")).otherwise(None)
    )
    kept = frame.filter(pl.col("broken").is_null()).select(
        "row",
        "run_id",
        "household_id",
        visited_on="visited_on_date",
        result="result_code",
        confirmed_issues="confirmed",
        team="team",
    )
    rejects = frame.filter(pl.col("broken").is_not_null()).select(
        "row",
        column=pl.col("broken").str.split_exact("|", 1).struct.field("field_0"),
        rule=pl.col("broken").str.split_exact("|", 1).struct.field("field_1"),
        run_id="run_id",
        household_id="household_id",
        visited_on="visited_on",
        result="result",
        confirmed_issues=pl.concat_str(
            [
                pl.col("confirmed_issues").fill_null(""),
                pl.col("confirmed").list.join(",").fill_null(""),
            ],
            separator=" ",
        ).str.strip_chars(),
        team="team",
    )
    return Checked(
        kept=kept.cast(dict(KEPT_SCHEMA)),
        rejects=rejects.cast(dict(REJECT_SCHEMA)),
        ignored_columns=ignored,
        rows_in=n - n_blank,
        blank_rows=n_blank,
    )
