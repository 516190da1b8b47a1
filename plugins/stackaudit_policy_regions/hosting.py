"""Where Northwind's vendor reviews found each vendor hosts its data, and the legal basis for a transfer.

This is the team's own record, kept with the policy it serves: a vendor that moves its hosting, or signs
standard contractual clauses, is one line here. Keys are vendor ids as the graph knows them. A system whose
hosting location the scan itself reports (a tenant's ``region``) is judged by that instead; a recipient
neither tells us about is not judged.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Hosting:
    region: str  # a region code (see regions.region_code)
    transfer_basis: str = ""  # why personal data may go there although it is outside the approved regions


VENDOR_HOSTING: dict[str, Hosting] = {
    "salesforce": Hosting("eu"),
    "hubspot": Hosting("eu"),
    "marketo": Hosting("eu"),
    "contentful": Hosting("eu"),
    "hotjar": Hosting("eu"),
    "typeform": Hosting("eu"),
    "google-bigquery": Hosting("eu"),
    "mailchimp": Hosting("us", "EU standard contractual clauses in Intuit Mailchimp's data processing addendum "
                               "(reviewed March 2025)"),
    "segment": Hosting("us", "EU standard contractual clauses in Twilio's data protection addendum"),
    "netlify": Hosting("us", "EU standard contractual clauses in Netlify's data processing agreement"),
    "google-analytics": Hosting("us", "EU-US Data Privacy Framework (Google LLC is certified)"),
    "google-ads": Hosting("us", "EU-US Data Privacy Framework (Google LLC is certified)"),
    "zapier": Hosting("us"),
    "calendly": Hosting("us"),
    "canva": Hosting("us"),
    "leadgenius": Hosting("us"),
    "openai": Hosting("us"),
}
