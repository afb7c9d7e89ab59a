"""Attribute filters (`--attr KEY=VALUE`) compare values as `margin speakers` compares
names: ignoring case and spacing, so `profession=nurse` finds the documents whose
profession is `Nurse`; and as the same letters however their accents are encoded
(Unicode NFC: "é" typed as one character or as "e" and a combining accent, as a Mac or a
pasted table may write it). Keys are names the researcher chose once and are compared as
written (an unknown key is told, with the keys there are)."""

from __future__ import annotations

import unicodedata

from store.speakers import key as name_key


def key(value: str) -> str:
    """What two spellings of one value share: NFC letters, case and spacing ignored."""
    return name_key(unicodedata.normalize("NFC", value))


def same(value, wanted) -> bool:
    """Whether a document's attribute value is the wanted one (case and spacing ignored)."""
    return value is not None and key(str(value)) == key(str(wanted))


def holds(attributes: dict, wanted: dict) -> bool:
    """Whether a document's attributes hold every wanted KEY=VALUE."""
    return all(same(attributes.get(k), v) for k, v in wanted.items())


def spellings(documents, attribute: str) -> dict[str, str]:
    """Each spelling of `attribute`'s values on `documents` -> the value it is grouped and
    shown under: the first spelling of that value (compared by `same`) in the documents'
    order, its spacing tidied, so that "Nurse" and "nurse " are one profession in every
    figure, as they are one in `--attr profession=nurse`."""
    first: dict[str, str] = {}
    found: dict[str, str] = {}
    for document in documents:
        value = document.attributes.get(attribute)
        if value is not None and (value := str(value)) not in found:
            found[value] = first.setdefault(key(value), tidy(value))
    return found


def group_names(project, attribute: str):
    """A function document -> its value of `attribute` as figures group it (`spellings`
    over every document of the project, in its order, whatever the scope: the same name
    in every command and view); "" for a document without it."""
    names = spellings(project.documents.all(), attribute)

    def value_of(document) -> str:
        value = document.attributes.get(attribute)
        if value is None:
            return ""
        value = str(value)
        return names.get(value) or tidy(value)  # a document added since: its own spelling

    return value_of


def tidy(value: str) -> str:
    return " ".join(unicodedata.normalize("NFC", value).split())
