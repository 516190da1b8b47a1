"""Card-statement merchants we recognise as SaaS products, and the words that make an unknown one look like SaaS.

A card statement names a merchant by its billing descriptor (``ZAPIER.COM/CHARGE``, ``CANVA* I04123987``,
``SQ *CALENDLY``). A descriptor matches a product when the product's pattern appears in it as whole words.
Vendor ids are the ones stackaudit's graph catalogue uses, so a tool paid by card and the same tool seen
through an OAuth grant or a webhook become one system.
"""

from __future__ import annotations

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Product:
    name: str
    vendor: str
    domain: str
    category: str  # the inventory model's System.category vocabulary
    patterns: tuple[str, ...]  # descriptor words, upper case


def _p(name: str, vendor: str, domain: str, category: str, *patterns: str) -> Product:
    return Product(name, vendor, domain, category, patterns or (name.upper(),))


PRODUCTS: tuple[Product, ...] = (
    _p("Zapier", "zapier", "zapier.com", "automation"),
    _p("Make", "make", "make.com", "automation", "MAKE COM", "INTEGROMAT"),
    _p("Workato", "workato", "workato.com", "automation"),
    _p("Calendly", "calendly", "calendly.com", "productivity"),
    _p("Hotjar", "hotjar", "hotjar.com", "analytics"),
    _p("Typeform", "typeform", "typeform.com", "other"),
    _p("SurveyMonkey", "surveymonkey", "surveymonkey.com", "other", "SURVEYMONKEY", "MOMENTIVE"),
    _p("Canva", "canva", "canva.com", "productivity"),
    _p("Figma", "figma", "figma.com", "productivity"),
    _p("Miro", "miro", "miro.com", "productivity", "MIRO", "REALTIMEBOARD"),
    _p("Notion", "notion", "notion.so", "productivity", "NOTION LABS", "NOTION SO", "NOTION"),
    _p("Airtable", "airtable", "airtable.com", "productivity"),
    _p("Asana", "asana", "asana.com", "productivity"),
    _p("Atlassian", "atlassian", "atlassian.com", "productivity", "ATLASSIAN", "TRELLO"),
    _p("Slack", "slack", "slack.com", "productivity"),
    _p("Zoom", "zoom", "zoom.us", "productivity", "ZOOM US", "ZOOM VIDEO"),
    _p("Loom", "loom", "loom.com", "productivity"),
    _p("Dropbox", "dropbox", "dropbox.com", "productivity"),
    _p("Grammarly", "grammarly", "grammarly.com", "productivity"),
    _p("DocuSign", "docusign", "docusign.com", "productivity"),
    _p("OpenAI ChatGPT", "openai", "openai.com", "productivity", "OPENAI", "CHATGPT"),
    _p("Mailchimp", "mailchimp", "mailchimp.com", "email-marketing", "MAILCHIMP", "INTUIT MAILCHIMP"),
    _p("SendGrid", "sendgrid", "sendgrid.com", "email-marketing"),
    _p("Klaviyo", "klaviyo", "klaviyo.com", "email-marketing"),
    _p("HubSpot", "hubspot", "hubspot.com", "marketing-automation"),
    _p("Salesforce", "salesforce", "salesforce.com", "crm"),
    _p("Intercom", "intercom", "intercom.com", "crm"),
    _p("Zendesk", "zendesk", "zendesk.com", "crm"),
    _p("Gong", "gong", "gong.io", "crm", "GONG IO"),
    _p("Outreach", "outreach", "outreach.io", "crm", "OUTREACH IO"),
    _p("ZoomInfo", "zoominfo", "zoominfo.com", "crm"),
    _p("LeadGenius", "leadgenius", "leadgenius.com", "crm"),
    _p("LinkedIn Sales Navigator", "linkedin", "linkedin.com", "advertising", "LINKEDIN"),
    _p("Semrush", "semrush", "semrush.com", "analytics"),
    _p("Ahrefs", "ahrefs", "ahrefs.com", "analytics"),
    _p("Amplitude", "amplitude", "amplitude.com", "analytics"),
    _p("Mixpanel", "mixpanel", "mixpanel.com", "analytics"),
    _p("Hootsuite", "hootsuite", "hootsuite.com", "advertising"),
    _p("Buffer", "buffer", "buffer.com", "advertising", "BUFFER COM", "BUFFERAPP"),
    _p("Later", "later", "later.com", "advertising", "LATER COM"),
    _p("Unbounce", "unbounce", "unbounce.com", "cms"),
    _p("Webflow", "webflow", "webflow.com", "cms"),
    _p("Contentful", "contentful", "contentful.com", "cms"),
    _p("Netlify", "netlify", "netlify.com", "cms"),
    _p("Vimeo", "vimeo", "vimeo.com", "cms"),
    _p("Adobe Creative Cloud", "adobe", "adobe.com", "productivity", "ADOBE"),
)

# Words in a descriptor or memo that say "software subscription" about a merchant we do not know.
SAAS_WORDS = frozenset({"SUBSCRIPTION", "SAAS", "SOFTWARE", "LICENSE", "LICENCE", "SEATS", "SEAT", "APP"})
SAAS_SUFFIXES = (".COM", ".IO", ".AI", ".APP", ".SO", ".CO")
# Payment processors and marketplaces that put their own prefix before the merchant's name.
PROCESSOR_PREFIXES = ("SQ", "PAYPAL", "PP", "PADDLE NET", "PADDLE", "FS", "SP", "STRIPE", "GOOGLE", "APPLE COM BILL")
# Legal-form and billing words left out of a merchant's display name.
NOISE_WORDS = frozenset({"SUBSCRIPTION", "MONTHLY", "ANNUAL", "YEARLY", "RECURRING", "CHARGE", "BILLING",
                         "PAYMENT", "INC", "LTD", "LLC", "GMBH", "SL", "SAS", "BV", "PTY", "LIMITED", "CORP"})


def words(text: str) -> list[str]:
    """Upper-case words of a descriptor, punctuation dropped: ``"CANVA* I04123987"`` → ``["CANVA", "I04123987"]``."""
    return re.sub(r"[^A-Z0-9]+", " ", text.upper()).split()


def _contains(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i:i + n] == needle for i in range(len(haystack) - n + 1))


def recognise(descriptor: str) -> Product | None:
    """The SaaS product a card descriptor names, if we know it."""
    found = words(descriptor)
    for product in PRODUCTS:
        if any(_contains(found, words(pattern)) for pattern in product.patterns):
            return product
    return None


def merchant_key(descriptor: str) -> str:
    """What stays the same across one merchant's charges: processor prefix, reference numbers and legal form
    dropped. ``"SQ *HEADLINR PRO 88213"`` → ``"HEADLINR PRO"``."""
    found = [w for w in words(descriptor) if not any(c.isdigit() for c in w)]
    text = " ".join(found)
    for prefix in PROCESSOR_PREFIXES:
        if text.startswith(prefix + " "):
            text = text[len(prefix) + 1:]
            break
    kept = [w for w in text.split() if w not in NOISE_WORDS]
    return " ".join(kept) or text


def looks_like_saas(descriptor: str, memos: list[str]) -> bool:
    """An unknown merchant whose descriptor or memos say software subscription (or that bills from a web domain)."""
    if any(suffix in descriptor.upper() for suffix in SAAS_SUFFIXES):
        return True
    return any(SAAS_WORDS & set(words(text)) for text in (descriptor, *memos))


def display_name(key: str) -> str:
    """``"HEADLINR PRO"`` → ``"Headlinr Pro"``."""
    return " ".join(w.capitalize() for w in key.split())
