"""The integration and data-flow graph: a NetworkX ``MultiDiGraph`` built from an inventory.

Public API for checks and reporters (read it, never change it): :func:`build_graph`, :func:`index` (a cached
:class:`StackIndex` of lookups), :class:`Catalogue`, and the exports :func:`write_graphml`,
:func:`write_gexf`, :func:`write_node_link` / :func:`node_link`, :func:`flatten`.

Nodes (every node has ``kind``, ``name`` and ``evidence``, a tuple of :class:`stackaudit.model.Evidence`):

- ``kind="system"``, id = the tenant's record id, ``vendor:<vendor id>`` for a known vendor we did not scan,
  or the external id (``external:<host>`` / ``external:app:<name>``) for an unknown service.
  ``system_kind`` (tenant | external), ``vendor``, ``vendor_name``, ``category``, ``domain``, ``url``,
  ``region``, ``hosts``, ``data`` (categories held), ``internal`` (on the organisation's own domains),
  ``aliases`` (external ids merged into it), ``connection`` (tenants), ``sso_provider``, ``directory``,
  registry match: ``sanctioned``, ``registry_id``, ``registry_name``, ``owner``, ``approved_data``,
  ``approvals_declared``, ``system_of_record``; ``owner_hints``, ``attributes``, ``first_party_flows``
  (flows from a tenant to its own vendor's clients, e.g. a data loader), ``stub`` (only referenced).
- ``kind="integration"``: ``system`` (tenant id), ``integration_kind``, ``vendor``, ``vendor_name``,
  ``publisher``, ``client_id``, ``domains``, ``scopes``, ``high_risk_scopes`` ((scope, reason) pairs),
  ``enabled``, ``created_at``, ``last_used_at``, ``users``, ``owner_hints``, ``first_party``, registry match.
- ``kind="account"``: ``system``, ``username``, ``email``, ``account_kind``, ``active``, ``admin``, ``roles``,
  ``mfa`` / ``sso`` (yes | no | unknown), ``last_login_at``, ``created_at``, ``attributes``.
- ``kind="credential"``: ``system``, ``credential_kind``, ``integration``, ``account``, ``scopes``,
  ``high_risk_scopes``, ``created_at``, ``last_used_at``, ``expires_at``, ``use_count``, ``fingerprint``.
- ``kind="person"``, id ``person:<email>``: ``email``, ``name`` (people who own something).

Edges (every edge has ``kind``):

- ``kind="flow"``, key = the flow's record id, from the system data leaves to the system it reaches:
  ``flow_kind``, ``data`` (categories), ``url``, ``scheme``, ``integration``, ``name``, ``active``,
  ``owner_hints``, ``attributes``, ``evidence``, ``record_source`` / ``record_target`` (ids as recorded).
- ``installed_in`` (integration -> system), ``account_of`` (account -> system), ``credential_of``
  (credential -> integration, or system), ``holds`` (account -> credential), ``owns`` (person -> system or
  integration, with ``role``), ``has_account`` (person -> account).

Graph attributes: ``organization``, ``generator``, ``generated_at`` (ISO text) and ``as_of`` (the scan's
datetime, the "now" checks measure ages against, so re-auditing a saved inventory gives the same findings).
"""

from __future__ import annotations

from stackaudit.graph.build import PERSON_PREFIX, REGISTRY_PREFIX, VENDOR_PREFIX, build_graph, person_id
from stackaudit.graph.catalogue import Catalogue, HighRiskScope, Vendor
from stackaudit.graph.export import (
    flatten,
    gexf_text,
    graphml_text,
    node_link,
    node_link_text,
    read_node_link,
    write_gexf,
    write_graphml,
    write_node_link,
)
from stackaudit.graph.query import REQUIREMENTS, StackIndex, index, missing_requirement

__all__ = [
    "PERSON_PREFIX",
    "REGISTRY_PREFIX",
    "REQUIREMENTS",
    "VENDOR_PREFIX",
    "Catalogue",
    "HighRiskScope",
    "StackIndex",
    "Vendor",
    "build_graph",
    "flatten",
    "gexf_text",
    "graphml_text",
    "index",
    "missing_requirement",
    "node_link",
    "node_link_text",
    "person_id",
    "read_node_link",
    "write_gexf",
    "write_graphml",
    "write_node_link",
]
