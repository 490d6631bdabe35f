"""Governance outputs (contract §10): model cards, the methodology page and algorithm-register records.

Per registered model version, from what training knows and the configs' reasons:

- :mod:`.settings`: the design decisions with reasons: every setting of ``configs/*.yaml``
  that carries a ``why:`` (file, key, value, reason), and what changed between two
  config snapshots (this version's against the previous champion's);
- :mod:`.card`: the model card's data (``model_card.json``): uses and uses it must not
  have, the data and its declared basis, features, the temporal design, metrics beside
  the baselines, calibration, blind spots, the global explanation per 気づき item;
- :mod:`.pages`: the card and the methodology page as HTML (page kit) and Markdown;
- :mod:`.register`: the record shaped after the UK Algorithmic Transparency Recording
  Standard (tier 1 and 2), with the fields a person must write marked as such;
- :mod:`.record`: writing all of it into a folder (:func:`write_model_card`,
  :func:`write_version_record` for ``kizuki train``) and reading it back from a model
  folder (:func:`read_card`).

This package sits below the tracking store: ``kizuki train`` logs the folder as the
version's ``model/governance/`` artifacts; ``kizuki model card URI`` reads it back.
"""

from kizuki.governance.record import (
    FOLDER,
    previous_snapshot,
    read_card,
    write_model_card,
    write_version_record,
)
from kizuki.governance.settings import Setting, changes, load_snapshot, settings

__all__ = [
    "FOLDER",
    "Setting",
    "changes",
    "load_snapshot",
    "previous_snapshot",
    "read_card",
    "settings",
    "write_model_card",
    "write_version_record",
]
