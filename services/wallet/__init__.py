"""The wallet service: the double-entry ledger, member credit and points, holds, tiers."""
