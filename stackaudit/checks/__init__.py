"""stackaudit's own checks: one module per check, its id the module name with hyphens.

They are registered by the built-in plugin :mod:`stackaudit.default_plugins.builtin_checks` through the
``register_checks`` hook, exactly as a third-party plugin registers its checks.
"""

from __future__ import annotations

import importlib

from stackaudit.check import Check

MODULES = (
    "shadow_it_unsanctioned_recipient",
    "shadow_it_unsanctioned_oauth_app",
    "shadow_it_pii_system_without_sso",
    "shadow_it_paid_unsanctioned",
    "duplicate_data_path_parallel_paths",
    "duplicate_data_path_multiple_writers",
    "duplicate_data_path_sync_loop",
    "dirty_data_path_unsanctioned_intermediary",
    "dirty_data_path_unapproved_writer",
    "dirty_data_path_no_system_of_record",
    "unowned_sanctioned_system",
    "unowned_departed_owner",
    "unowned_orphaned_integration",
    "unowned_discovered_system",
    "security_admin_without_mfa",
    "security_high_risk_grant",
    "security_stale_credential",
    "security_inactive_account",
    "security_plain_http",
    "security_pii_to_unapproved_system",
    "security_too_many_admins",
    "security_service_account_admin",
    "security_public_user_list",
)


def builtin_checks() -> list[Check]:
    """Every built-in check, in the order above."""
    checks = []
    for name in MODULES:
        check = importlib.import_module(f"{__name__}.{name}").CHECK
        if not isinstance(check, Check):
            raise TypeError(f"{__name__}.{name}.CHECK is not a Check")
        checks.append(check)
    return checks
