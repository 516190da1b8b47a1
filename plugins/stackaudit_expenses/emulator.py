"""The expenses plugin's part of the demo stack.

The expenses connector reads a file, not an API, so its emulation serves no routes: it exists to give the demo
scenario a tenant whose connection options carry the path of the export shipped with this package. The demo
config writes no base URL for a tenant whose emulation has no routes, so the connection reads exactly as one in
a user's ``stackaudit.toml`` would.
"""

from __future__ import annotations

from stackaudit.emulator import EmulatedVendor, Request, Response, Router, Tenant, TenantSpec
from stackaudit_expenses import demo


class ExpensesDemo(EmulatedVendor):
    """No API to emulate: the demo tenant is the card export file."""

    id = "expenses"
    router = Router()

    def authenticate(self, request: Request, tenant: Tenant) -> Response | None:
        return None

    def demo_tenant(self, scale: int = 1, *, clean: bool = False) -> TenantSpec:
        return demo.demo_tenant(scale, clean=clean)
