"""Attribute filters (`--attr KEY=VALUE`) compare values as `margin speakers` compares
names: ignoring case and spacing, so `profession=nurse` finds the documents whose
profession is `Nurse`. Keys are names the researcher chose once and are compared as
written (an unknown key is told, with the keys there are)."""

from __future__ import annotations

from store.speakers import key


def same(value, wanted) -> bool:
    """Whether a document's attribute value is the wanted one (case and spacing ignored)."""
    return value is not None and key(str(value)) == key(str(wanted))


def holds(attributes: dict, wanted: dict) -> bool:
    """Whether a document's attributes hold every wanted KEY=VALUE."""
    return all(same(attributes.get(k), v) for k, v in wanted.items())
