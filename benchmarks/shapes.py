"""The documents the benchmarks run on, each with its patch and its known answer.

Every shape is built by code, the same way on every run, and its expected
result is built directly (not by any implementation under test), so the
answer check before timing is independent of what it checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

Json = Any


@dataclass(frozen=True, slots=True)
class Shape:
    """A stored document, a patch, and the exact result a merge must give."""

    name: str
    title: str
    stored: Json
    patch: Json
    expected: Json
    kind: str = "merge"
    """``merge`` (RFC 7396), ``replace`` (the patch is a field value) or ``request``."""


def _fresh(value: Json) -> Json:
    return json.loads(json.dumps(value))


def size(value: Json) -> int:
    """Bytes of compact JSON text."""
    return len(json.dumps(value, separators=(",", ":")).encode())


def record(index: int) -> Json:
    """One realistic record of about 250 bytes: text, numbers, a flag, a list, an object."""
    return {
        "id": f"rec_{index:06d}",
        "name": f"Item {index}",
        "email": f"user{index}@example.com",
        "active": index % 3 != 0,
        "score": index * 1.25,
        "visits": index * 7,
        "tags": ["alpha", "beta"] if index % 2 else ["gamma"],
        "address": {"city": "Lisbon", "zip": f"{1000 + index % 900}-001", "country": "PT"},
        "note": None,
    }


def small() -> Shape:
    stored = {
        "role": "member",
        "plan": {"tier": "pro", "seats": 5, "trial": False},
        "onboarded": True,
        "locale": "en-GB",
        "limits": {"projects": 10, "storage_gb": 2.5},
        "tags": ["beta", "early"],
        "referrer": None,
        "stripe": {"customer": "cus_123456789", "since": "2024-03-01"},
        "last_seen": {"ip": "203.0.113.7", "at": "2024-05-30T09:12:44Z"},
    }
    patch = {"plan": {"seats": 10, "trial": None}, "tags": ["beta"]}
    expected = _fresh(stored)
    expected["plan"] = {"tier": "pro", "seats": 10}
    expected["tags"] = ["beta"]
    return Shape("small", f"small record ({size(stored)} B)", stored, patch, expected)


def eight_kb() -> Json:
    """A user's metadata of about 8 KB: profile, billing, preferences, history."""
    invoices = [
        {
            "id": f"in_{index:08d}",
            "amount": 1200 + index * 15,
            "currency": "EUR",
            "paid": index % 4 != 0,
            "issued": f"2024-{index % 12 + 1:02d}-01",
            "lines": [{"sku": "seat", "qty": 5, "unit": 2.4}],
        }
        for index in range(36)
    ]
    return {
        "profile": {
            "display_name": "Ada Lovelace",
            "locale": "en-GB",
            "timezone": "Europe/London",
            "avatar": {"url": "https://cdn.example.com/a/ada.png", "width": 128, "height": 128},
            "bio": "Mathematician; writes about engines and the numbers they make.",
        },
        "billing": {
            "plan": {"tier": "pro", "seats": 5, "addons": ["sso", "audit"], "annual": True},
            "customer_id": "cus_9a8b7c6d5e",
            "invoices": invoices,
        },
        "preferences": {
            "theme": "dark",
            "notifications": {
                "email": {"digest": "weekly", "mentions": True, "billing": True},
                "push": {"mentions": True, "reminders": False},
            },
            "shortcuts": {f"key_{index}": f"action_{index}" for index in range(12)},
        },
        "history": [record(index) for index in range(12)],
        "flags": {"beta": True, "new_editor": False, "quota_warning": None},
    }


def eight_kb_merge() -> Shape:
    stored = eight_kb()
    patch = {"billing": {"plan": {"seats": 10}}}
    expected = _fresh(stored)
    expected["billing"]["plan"]["seats"] = 10
    return Shape(
        "8kb", f"8 KB document ({size(stored)} B), 1 key at depth 3", stored, patch, expected
    )


def flat_mb() -> Shape:
    stored = {f"key_{index:06d}": f"value {index:06d} " + "x" * 24 for index in range(24_000)}
    patch = {"key_012000": "changed"}
    expected = _fresh(stored)
    expected["key_012000"] = "changed"
    return Shape(
        "1mb-flat",
        f"1 MB flat ({size(stored) / 1e6:.2f} MB, {len(stored)} keys), 1 key",
        stored,
        patch,
        expected,
    )


def sectioned_mb() -> Json:
    """1 MB as 10 sections of 16 groups of 28 records (sections -> groups -> records)."""
    number = 0
    sections: dict[str, Json] = {}
    for section in range(10):
        groups: dict[str, Json] = {}
        for group in range(16):
            records: dict[str, Json] = {}
            for _ in range(28):
                records[f"record_{number:05d}"] = record(number)
                number += 1
            groups[f"group_{group:02d}"] = records
        sections[f"section_{section:02d}"] = groups
    return sections


def sectioned_mb_merge() -> Shape:
    stored = sectioned_mb()
    patch = {"section_03": {"group_07": {"record_01550": {"score": 99.5}}}}
    expected = _fresh(stored)
    expected["section_03"]["group_07"]["record_01550"]["score"] = 99.5
    return Shape(
        "1mb-sections",
        f"1 MB in 10 sections ({size(stored) / 1e6:.2f} MB), 1 key at depth 4",
        stored,
        patch,
        expected,
    )


def chain(depth: int, leaf: Json) -> Json:
    value = leaf
    for _ in range(depth):
        value = {"k": value}
    return value


def chain_merge(depth: int) -> Shape:
    stored = chain(depth, {"old": 1, "kept": [1, 2]})
    patch = chain(depth, {"old": None, "new": True})
    expected = chain(depth, {"kept": [1, 2], "new": True})
    return Shape(
        f"chain-{depth}", f"chain {depth:,} deep, patched at the bottom", stored, patch, expected
    )


def replace_8kb() -> Shape:
    value = eight_kb()
    return Shape(
        "replace-8kb",
        f"replace with an 8 KB value ({size(value)} B)",
        {"old": 1},
        value,
        _fresh(value),
        kind="replace",
    )


def request_body() -> Shape:
    """A ``PATCH`` with a JSON body of about 1 KB against a record of about 5 KB."""
    full = eight_kb()
    public = {key: full[key] for key in ("profile", "preferences", "flags")}
    public["history"] = full["history"]
    stored = {
        "public_metadata": public,
        "private_metadata": {"billing": {"plan": full["billing"]["plan"], "customer": "cus_1"}},
        "unsafe_metadata": {"onboarding": {"step": 3, "skipped": ["tour"]}, "theme": "dark"},
    }
    body = {
        "public_metadata": {
            "profile": {"display_name": "Ada King", "bio": None, "pronouns": "she/her"},
            "preferences": {
                "notifications": {"push": {"reminders": True}, "sms": {"enabled": False}},
                "shortcuts": {"key_0": None, "key_1": "archive", "key_12": "search"},
            },
            "history": [record(100 + index) for index in range(3)],
            "flags": {"quota_warning": True},
        },
        "unsafe_metadata": None,
    }
    expected = _fresh(stored)
    profile = expected["public_metadata"]["profile"]
    profile["display_name"] = "Ada King"
    del profile["bio"]
    profile["pronouns"] = "she/her"
    notifications = expected["public_metadata"]["preferences"]["notifications"]
    notifications["push"]["reminders"] = True
    notifications["sms"] = {"enabled": False}
    shortcuts = expected["public_metadata"]["preferences"]["shortcuts"]
    del shortcuts["key_0"]
    shortcuts["key_1"] = "archive"
    shortcuts["key_12"] = "search"
    expected["public_metadata"]["history"] = _fresh(body["public_metadata"]["history"])
    expected["public_metadata"]["flags"]["quota_warning"] = True
    expected["unsafe_metadata"] = None
    text = json.dumps(body, separators=(",", ":"))
    return Shape(
        "apply-request",
        f"`apply_request`: PATCH, a {len(text):,} B JSON body, a {size(stored):,} B record",
        stored,
        text,
        expected,
        kind="request",
    )


def all_shapes() -> list[Shape]:
    return [
        small(),
        eight_kb_merge(),
        flat_mb(),
        sectioned_mb_merge(),
        chain_merge(100),
        chain_merge(10_000),
        replace_8kb(),
        request_body(),
    ]
