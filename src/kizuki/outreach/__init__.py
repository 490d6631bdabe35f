"""The outreach loop (contract §8): visits imported from the entry sheet, follow-up state."""
