"""Contact pseudonyms: a phone number becomes a keyed hash, never stored in clear.

A number is normalised to E.164 with `phonenumbers` (national numbers read in the person's
default region, "FR" unless told: `06 12 34 56 78`, `0033 6 ...`, `+33 (0)6 ...` are all
`+33612345678`), then hashed with HMAC-SHA256 under the store's secret key. Short codes
(`36179`) and alphanumeric senders (`AMAZON`) are not phone numbers: they are kept as they
are (upper-cased, spaces removed) as their own identity before hashing. Withheld or unknown
callers have no contact at all.

The store gives each new contact its pseudonym ("Contact 7") at insert; parsers only
provide `contact_id`, `number_hmac` and, when the user asked to keep names, `label`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

import pandas as pd
import phonenumbers


class PseudonymSettings(Protocol):
    """What pseudonymising needs from a parse context (`sources.base.ParseContext`)."""

    hmac_key: bytes | None  # the store's secret
    default_region: str | None  # country of numbers written without one
    keep_names: bool  # keep contact names from the export

# What exports write when the caller withheld the number or the network did not give one.
# Android's CallLog: -1 = unknown, -2 = private, -3 = payphone.
WITHHELD = frozenset(
    {"", "-1", "-2", "-3", "null", "none", "unknown", "(unknown)", "private", "anonymous",
     "withheld", "restricted", "payphone"}
)
# Names that exports write when they have none (SMS Backup & Restore writes "(Unknown)").
NO_NAME = frozenset({"", "null", "(unknown)", "unknown", "me"})
_LETTER = re.compile(r"[^\W\d_]")  # any letter, in any script
_SPACES = re.compile(r"\s+")


def identity(raw_number: str | None, default_region: str = "FR") -> str | None:
    """The canonical identity of a caller: E.164 for phone numbers, the upper-cased string for
    short codes and alphanumeric senders, None for withheld / unknown numbers."""
    if raw_number is None:
        return None
    text = _SPACES.sub(" ", raw_number).strip()
    if text.lower() in WITHHELD:
        return None
    compact = text.replace(" ", "").upper()
    if _LETTER.search(text):
        # alphanumeric sender ("AMAZON", "SNCF"): phonenumbers would read letters as a
        # vanity number (1-800-FLOWERS), which would merge unrelated senders
        return compact
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return compact
    if phonenumbers.is_possible_number(number):
        # "possible", not "valid": real logs hold numbers from ranges that phonenumbers'
        # metadata does not list as assigned (fictional 555 numbers, new ranges)
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return compact  # short code (36179, 3631) or a number we cannot complete: as it is


def contact_key(raw_number: str | None, ctx: PseudonymSettings) -> tuple[str, str] | None:
    """(contact_id, number_hmac) for a number as an export writes it; None when withheld.

    `number_hmac` is the hex HMAC-SHA256 of the identity under `ctx.hmac_key`;
    `contact_id` is its first 16 hex characters. The clear number is never returned.
    """
    ident = identity(raw_number, ctx.default_region or "FR")
    if ident is None:
        return None
    if not ctx.hmac_key:
        raise ValueError("ParseContext.hmac_key is needed to pseudonymise phone numbers"
                         " (import_file sets it from the store)")
    digest = hmac.new(ctx.hmac_key, ident.encode("utf-8"), hashlib.sha256).hexdigest()
    return digest[:16], digest


def clean_name(name: str | None) -> str | None:
    """A contact name worth keeping, or None (empty, "(Unknown)", or just a number)."""
    if name is None:
        return None
    name = _SPACES.sub(" ", name).strip()
    if name.lower() in NO_NAME or not _LETTER.search(name):
        return None  # "+17323211717" written where the name should be is not a name
    return name


class ContactBook:
    """Collects the contacts of one file, in order of first appearance (which is the order
    the store numbers new pseudonyms in)."""

    def __init__(self, ctx: PseudonymSettings) -> None:
        self.ctx = ctx
        self._rows: dict[str, dict[str, str | None]] = {}
        # a log repeats the same few numbers: normalise each written form once (in memory only)
        self._keys: dict[str | None, tuple[str, str] | None] = {}

    def key(self, raw_number: str | None, name: str | None = None) -> str | None:
        """The contact_id for a number (remembering the contact), None when withheld."""
        if raw_number in self._keys:
            found = self._keys[raw_number]
        else:
            found = self._keys[raw_number] = contact_key(raw_number, self.ctx)
        if found is None:
            return None
        contact_id, number_hmac = found
        row = self._rows.setdefault(
            contact_id, {"contact_id": contact_id, "number_hmac": number_hmac, "label": None}
        )
        if self.ctx.keep_names and row["label"] is None:
            row["label"] = clean_name(name)
        return contact_id

    def frame(self) -> pd.DataFrame:
        """The `contacts` frame: contact_id, number_hmac, label (no pseudonym: the store's)."""
        return pd.DataFrame(list(self._rows.values()),
                            columns=["contact_id", "number_hmac", "label"])


def contacts_frame(numbers: list[tuple[str | None, str | None]],
                   ctx: PseudonymSettings) -> pd.DataFrame:
    """The `contacts` frame for (raw_number, name) pairs; withheld numbers are left out."""
    book = ContactBook(ctx)
    for raw, name in numbers:
        book.key(raw, name)
    return book.frame()
