"""Every store look-up of a name the user typed raises UnknownName (exit 2) for any name the
project lacks, with one line: the class the command table (test_cli_names_are_input.py)
samples, checked here for names of every shape, control characters included."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from store.analysis.frequencies import check_attribute
from store.analysis.scope import known_attributes
from store.errors import BadInput, UnknownName
from store.project import Project
from store.pseudonyms import Pseudonyms
from store.reports.builders import participant_documents
from store.speakers import spoken

DEMO_TEXTS = Path(__file__).resolve().parents[1] / "tui" / "demo"

# No name of the demo project (documents, codes, speakers, coders, attributes, cases) can
# be spelt in these letters, nor the start of an id (hex digits and -); each name has a
# letter (spaces and control characters alone are no name: a code path refuses them).
NAMES = st.text(alphabet="qxzjvwQXZJVW _.,'\"\\\n\t\r\x1b\u00e9\u200b", min_size=1).filter(lambda s: any(c.isalpha() for c in s))


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from store.demo import build_demo

    folder = build_demo(tmp_path_factory.mktemp("names") / "demo", DEMO_TEXTS)
    with Project.open(folder, readonly=True) as project:
        yield project


LOOKUPS = {
    "document": lambda project, name: project.documents.get(name),
    "code": lambda project, name: project.codebook.get(name),
    "coder": lambda project, name: project.coder_named(name),
    "memo": lambda project, name: project.memos.get(name),
    "speaker": lambda project, name: spoken(project.documents.all(), [name], "any document"),
    "attribute key": lambda project, name: known_attributes(project.documents.all(), {name: "1"}),
    "attribute value": lambda project, name: known_attributes(project.documents.all(), {"round": name}),
    "attribute to group by": lambda project, name: check_attribute(project, name),
    "participant": lambda project, name: participant_documents(project, name),
    "pseudonym": lambda project, name: Pseudonyms((("Aisha", "Participant A"),)).remove(name),
}


@pytest.mark.parametrize("kind", LOOKUPS)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_a_name_the_project_lacks_is_unknown_on_one_line(demo, kind, name):
    # A code path with a control character is no code name at all (BadInput, also exit 2).
    refused = (UnknownName, BadInput) if kind == "code" and not name.isprintable() else UnknownName
    with pytest.raises(refused) as raised:
        LOOKUPS[kind](demo, name)
    assert raised.value.exit_code == 2
    assert raised.value.message.isprintable(), raised.value.message
