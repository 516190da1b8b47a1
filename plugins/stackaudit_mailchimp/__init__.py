"""stackaudit connector for Mailchimp: the account and its key's user, authorized apps, connected sites,
audiences and their webhooks, automations.

Registered through the ``stackaudit`` entry-point group like any third-party plugin.
"""

from __future__ import annotations

from stackaudit import hookimpl
from stackaudit.registry import ConnectorRegistry, EmulatorRegistry
from stackaudit_mailchimp.connector import MailchimpConnector
from stackaudit_mailchimp.emulator import MailchimpEmulator

__all__ = ["MailchimpConnector", "MailchimpEmulator"]


@hookimpl
def register_connectors(registry: ConnectorRegistry) -> None:
    registry.add(MailchimpConnector)


@hookimpl
def register_emulators(registry: EmulatorRegistry) -> None:
    registry.add(MailchimpEmulator())
