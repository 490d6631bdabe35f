"""The journal of a run attempt that has not ended: which stages it has finished.

``journal/<run dir>.json`` is written (atomically) when an attempt starts and after
each stage it finishes, and removed when the attempt ends and its ledger row is
written. A journal left behind is an attempt that was killed (or whose machine
stopped): the next run of the same inputs records it as ``interrupted`` in the ledger
and resumes from its first unfinished stage. Only the holder of the history's lock
reads or writes journals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from kizuki.history.layout import HistoryLayout
from kizuki.io.atomic import write_json
from kizuki.io.files import read_json


@dataclass(frozen=True)
class Identity:
    """What makes two run attempts the same run (contract §9): the pipeline, the as-of
    date, the drop's file hashes, the model version and the config hash."""

    pipeline: str
    as_of: dt.date
    drop_hashes: dict[str, str]
    model_version: str | None
    config_hash: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        out = asdict(self)
        out["as_of"] = self.as_of.isoformat()
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Identity:
        """The inverse of :meth:`to_dict`."""
        return cls(
            pipeline=str(raw["pipeline"]),
            as_of=dt.date.fromisoformat(str(raw["as_of"])),
            drop_hashes={str(k): str(v) for k, v in dict(raw["drop_hashes"]).items()},
            model_version=None if raw.get("model_version") is None else str(raw["model_version"]),
            config_hash=str(raw["config_hash"]),
        )


@dataclass(frozen=True)
class Journal:
    """An attempt in progress: its run id, folder (``runs/<name>``), attempt number,
    identity, start time, the process that runs it, and the stages finished so far."""

    run_id: str
    run_dir: str
    attempt: int
    identity: Identity
    started: dt.datetime
    pid: int
    stages_done: tuple[str, ...] = field(default=())

    @property
    def key(self) -> str:
        """The journal's file stem: the run folder's name, or ``<pipeline>-<as_of>`` for a
        pipeline that writes no run folder (training)."""
        return journal_key(self.run_dir, self.identity)

    def finished(self, stage: str) -> Journal:
        """The journal with ``stage`` added to the finished ones."""
        return replace(self, stages_done=(*self.stages_done, stage))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id,
            "run_dir": self.run_dir,
            "attempt": self.attempt,
            "identity": self.identity.to_dict(),
            "started": self.started.isoformat(),
            "pid": self.pid,
            "stages_done": list(self.stages_done),
        }


def journal_key(run_dir: str, identity: Identity) -> str:
    """The stem of an attempt's journal file (see :attr:`Journal.key`)."""
    return run_dir.rsplit("/", 1)[-1] if run_dir else f"{identity.pipeline}-{identity.as_of}"


def write_journal(layout: HistoryLayout, journal: Journal) -> None:
    """Write (replace) the journal of an attempt."""
    write_json(layout.journal_file(journal.key), journal.to_dict())


def read_journals(layout: HistoryLayout) -> list[Journal]:
    """Every journal left in the history (attempts that have not ended), oldest first;
    a journal that cannot be read is skipped (its attempt is redone from the start)."""
    if not layout.journal.is_dir():
        return []
    out = []
    for path in sorted(layout.journal.glob("*.json")):
        try:
            raw = read_json(path)
            out.append(
                Journal(
                    run_id=str(raw["run_id"]),
                    run_dir=str(raw["run_dir"]),
                    attempt=int(raw["attempt"]),
                    identity=Identity.from_dict(raw["identity"]),
                    started=dt.datetime.fromisoformat(str(raw["started"])),
                    pid=int(raw["pid"]),
                    stages_done=tuple(str(s) for s in raw.get("stages_done", [])),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue
    return sorted(out, key=lambda j: j.started)


def remove_journal(layout: HistoryLayout, journal: Journal) -> None:
    """Remove the journal of an attempt that has ended (absent: nothing to do)."""
    layout.journal_file(journal.key).unlink(missing_ok=True)
