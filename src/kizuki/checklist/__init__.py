"""The 気づき checklist: bilingual items over features, and a transparent scorer."""

from kizuki.checklist.items import ChecklistConfig, Item, load_checklist_config
from kizuki.checklist.scorer import Checklist

__all__ = ["Checklist", "ChecklistConfig", "Item", "load_checklist_config"]
