"""An organisation's own policy as a stackaudit check: personal data stays in the approved hosting regions.

Northwind's data-protection policy keeps personal data in the regions it lists under ``[policy]
allowed_regions``; this plugin adds the check that says where the stack breaks that rule. It is written the
way any team adds its own policy: a check module and the team's own records (here, where each vendor hosts
Northwind's data and on what legal basis), registered through the ``stackaudit`` entry-point group.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import CheckRegistry
from stackaudit_policy_regions.check import CHECK

__all__ = ["CHECK"]


@hookimpl
def register_checks(registry: CheckRegistry) -> None:
    registry.add(CHECK)
