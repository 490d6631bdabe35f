"""The exit status of every kizuki command (contract §6), stated once.

A scheduler (cron, systemd, JP1/AJS) acts on the number alone, so every command gives
the same codes with the same meaning. :data:`EXIT_CODES` holds them with a short
Japanese and English text; :func:`help_epilog` is the text every command's ``--help``
ends with (``epilog=`` of each ``app.command`` and of the Typer apps). The README's
"Exit codes and schedulers" section and ``pipelines/jp1/README.md`` say the same.

Where a code comes from: :class:`kizuki.errors.KizukiError` subclasses carry 2, 3, 4
and 5 (``exit_code``), :func:`kizuki.cli.common.guarded` turns them into one line and
that code; click's own usage errors exit 2; any other exception is a bug (1, with a
traceback).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExitCode:
    """One exit status: its number, a short name, and what it means (ja, en), and what a
    scheduler should do about it (en)."""

    code: int
    name: str
    ja: str
    en: str
    scheduler: str


#: The exit statuses, 0 … 5, in order (contract §6).
EXIT_CODES: tuple[ExitCode, ...] = (
    ExitCode(
        0,
        "done",
        "正常終了（同じ入力で完了済みの「実行済み」を含む）",
        'done (also "already done": the same run completed before)',
        "nothing; the run is finished",
    ),
    ExitCode(
        1,
        "bug",
        "想定外の失敗（不具合。トレースバックあり）",
        "unexpected failure: a bug, the only case with a traceback",
        "report a bug with the log; do not retry in a loop",
    ),
    ExitCode(
        2,
        "usage",
        "使い方の誤り（オプションや引数が不正）",
        "usage error: a bad option or argument",
        "fix the command line or the job definition",
    ),
    ExitCode(
        3,
        "refused",
        "入力の拒否（データ、フィードバック、設定、パイプライン定義）",
        "input refused: the drop, a feedback file, a config or a pipeline file",
        "fix the input named in the message, then rerun",
    ),
    ExitCode(
        4,
        "alert",
        "完了、ただし設定された警告が発生（ドリフト、データ品質、公平性）",
        "done, but a configured alert fired (drift, data quality, fairness)",
        "the run is finished; have someone read the alert",
    ),
    ExitCode(
        5,
        "locked",
        "未実行（別の実行がロックを保持中）",
        "not started: another run holds the lock",
        "retry later; nothing was started",
    ),
)

#: code -> its :class:`ExitCode`
BY_CODE: dict[int, ExitCode] = {c.code: c for c in EXIT_CODES}


def help_epilog() -> str:
    """The text at the end of every command's ``--help``: one line per exit status,
    the number, the English and the Japanese text.

    Out: plain text, two lines per code (English, then Japanese indented), separated by
    single newlines, which typer's rich help keeps; no square brackets (rich would read
    them as markup); every line fits an 80-column terminal.
    """
    lines = ["Exit status (終了コード), the same for every command:"]
    for c in EXIT_CODES:
        lines += [f"{c.code}  {c.en}", f"   {c.ja}"]
    return "\n".join(lines)
