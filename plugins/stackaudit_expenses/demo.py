"""Northwind Outfitters' corporate-card export, as the built-in demo stack reads it.

Its part of the story (docs/demo-stack.md): marketing pays for the tools it chose on company cards. Chloe pays
for Zapier and a headline-testing tool, Dev for Calendly, Typeform and Canva, Farah for Hotjar; none of them
is behind single sign-on or in the sanctioned registry. Mailchimp is still charged to Gus's card, months after
he left. The rest of the export is travel, meals and the office, which are not software. The clean variant's
export pays only for sanctioned systems, each on its owner's card.

The exports are data files in this package (a year of transactions up to the end of May 2026); ``scale`` does
not change them.
"""

from __future__ import annotations

from pathlib import Path

from stackaudit.emulator import TenantSpec

EXPORT = Path(__file__).with_name("northwind-card-export.csv")
CLEAN_EXPORT = Path(__file__).with_name("northwind-card-export-clean.csv")


def demo_tenant(scale: int = 1, *, clean: bool = False) -> TenantSpec:
    return TenantSpec(
        name="northwind-expenses",
        vendor="expenses",
        data={},
        credentials={},
        options={"path": str(CLEAN_EXPORT if clean else EXPORT)},
    )
