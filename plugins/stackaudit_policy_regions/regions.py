"""Vendors name their hosting locations in their own ways; the policy speaks of regions.

:func:`region_code` reads the leading letters of a location and maps them to a region: Salesforce instances
(``EU44``, ``NA224``, Hyperforce ``DEU36``), HubSpot data centres (``eu1``, ``na1``), Mailchimp's (``us21``),
cloud regions (``eu-west-1``, ``europe-west1``) and plain region names all come out as ``eu``, ``us``, ``uk``,
``ca`` or ``apac``. Letters it does not know are returned as they are, so ``allowed_regions = ["de"]`` still
compares with a vendor that says ``de``.
"""

from __future__ import annotations

import re

REGIONS = {
    "eu": "eu", "europe": "eu", "emea": "eu", "deu": "eu", "de": "eu", "fra": "eu", "fr": "eu", "irl": "eu",
    "ie": "eu", "nld": "eu", "nl": "eu", "swe": "eu", "se": "eu", "esp": "eu", "ita": "eu",
    "gbr": "uk", "uk": "uk", "gb": "uk",
    "us": "us", "usa": "us", "na": "us", "northamerica": "us",
    "ca": "ca", "can": "ca",
    "ap": "apac", "apac": "apac", "asia": "apac", "au": "apac", "aus": "apac", "jp": "apac", "jpn": "apac",
    "in": "apac", "ind": "apac", "sg": "apac", "sgp": "apac",
}
_LETTERS = re.compile(r"[a-z]+")


def region_code(location: str) -> str:
    """``"EU44"`` → ``"eu"``, ``"us21"`` → ``"us"``, ``"eu-west-1"`` → ``"eu"``; ``""`` when nothing is known."""
    found = _LETTERS.match(location.strip().lower())
    if not found:
        return ""
    return REGIONS.get(found.group(0), found.group(0))
