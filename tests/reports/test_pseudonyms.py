"""Pseudonyms: whole words in any case, case kept, next to punctuation and in possessives;
every report format and the pseudonymised exports hold no real name from the table; the
stored texts never change; likely names left are warned about before writing."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.project import Project
from store.pseudonyms import Pseudonyms, from_csv, names_left
from tests.reports.conftest import DEMO_NAMES, margin
from tests.reports.readback import text_of

TABLE = Pseudonyms((("Aisha", "P01"), ("Anne-Marie", "P02"), ("Anne", "P03"), ("Mary Jane", "P04"), ("Zoë", "P05")))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Aisha said so.", "P01 said so."),
        ("Aisha's ward, Aisha’s keys", "P01's ward, P01’s keys"),
        ("(Aisha), \"Aisha\"; Aisha! Aisha? —Aisha…", "(P01), \"P01\"; P01! P01? —P01…"),
        ("AISHA and aisha and Aisha", "P01 and p01 and P01"),
        ("Aishani and Raisha stay", "Aishani and Raisha stay"),  # whole words only
        ("Anne-Marie met Anne", "P02 met P03"),  # the longer name wins
        ("Mary Jane, Mary\nJane, Mary", "P04, P04, Mary"),
        ("Zoë and ZOË", "P05 and P05"),
        ("Aisha_2 and 3Aisha", "Aisha_2 and 3Aisha"),
        ("", ""),
    ],
)
def test_names_are_replaced_as_whole_words(text, expected):
    assert TABLE.apply(text) == expected


SEPARATORS = st.sampled_from([" ", ", ", ". ", "'s ", "’s ", "\n", "(", ")", "\"", "!", "-", "—", ": "])
WORDS = st.sampled_from(["Aisha", "AISHA", "aisha", "Anne", "Anne-Marie", "Mary Jane", "ward", "Aishani", "zoë", "the"])


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(WORDS, SEPARATORS), max_size=12))
def test_no_real_name_survives_whatever_surrounds_it(parts):
    text = "".join(word + sep for word, sep in parts)
    done = TABLE.apply(text)
    for real, _ in TABLE.pairs:
        pattern = r"\s+".join(map(re.escape, real.split()))
        assert not re.search(rf"(?<!\w){pattern}(?!\w)", done, re.IGNORECASE), (text, done)
    untouched = [w for w, _ in parts if w in ("ward", "Aishani", "the")]
    assert done.count("Aishani") == untouched.count("Aishani")


def test_the_table_refuses_nonsense():
    from store.errors import BadInput, NotFound

    with pytest.raises(BadInput):
        TABLE.add("Aisha", "aisha")
    with pytest.raises(BadInput):
        TABLE.add(" ", "P9")
    with pytest.raises(NotFound):
        TABLE.remove("Nobody")
    assert TABLE.add("aisha", "P9").apply("Aisha") == "P9"  # the same name in another case is changed
    assert from_csv("real,pseudonym\nAisha,P01\n\nMark,P02\n", "names.csv") == [("Aisha", "P01"), ("Mark", "P02")]
    with pytest.raises(BadInput):
        from_csv("Aisha\n", "names.csv")


def test_left_over_names_are_found():
    left = names_left("Mark and Dr Hale met P01. Aishas notes. Jog on.", TABLE, {"Mark", "Dr Hale", "Interviewer", "P3"})
    assert left == {"Mark": 1, "Hale": 1, "Aishas": 1}


def _table(folder):
    for real, pseudo in DEMO_NAMES.items():
        margin(folder, "pseudonyms", "add", real, pseudo)


def test_no_real_name_survives_in_any_report_format(demo_dir, tmp_path):
    _table(demo_dir)
    with Project.open(demo_dir, readonly=True) as project:
        before = {d.id: project.text(d.id) for d in project.documents.all()}
        assert all(any(name in t for t in before.values()) for name in ("Aisha", "Dev", "Maria", "Jo"))
    reports = [("codebook", "--quotes", "50"), ("participant", "P01"), ("participant", "P02"), ("analysis",)]
    for n, args in enumerate(reports):
        for fmt in ("html", "docx", "md"):
            out = tmp_path / f"{n}.{fmt}"
            result = margin(demo_dir, "report", *args, "-o", str(out))
            assert "Warning" not in result.output  # every name is in the table
            text = text_of(out)
            for real in DEMO_NAMES:
                assert not re.search(rf"(?<!\w){real}(?!\w)", text, re.IGNORECASE), (args, fmt, real)
            if args[-1] in ("50", "P01"):  # Aisha speaks there
                assert "Participant A" in text
    with Project.open(demo_dir, readonly=True) as project:  # the stored texts are untouched
        assert {d.id: project.text(d.id) for d in project.documents.all()} == before
        assert "Aisha" in {t.speaker for d in project.documents.all() for t in d.turns}


def test_exports_pseudonymise_on_request(demo_dir):
    _table(demo_dir)
    for what in ("csv", "memos"):
        plain = margin(demo_dir, "export", what).stdout
        done = margin(demo_dir, "export", what, "--pseudonymise").stdout
        assert "Aisha" in plain
        assert not any(re.search(rf"(?<!\w){real}(?!\w)", done, re.IGNORECASE) for real in DEMO_NAMES), what
        assert plain.count("\n") == done.count("\n")


def test_names_left_are_warned_about_before_writing(demo_dir, tmp_path):
    margin(demo_dir, "pseudonyms", "add", "Aisha", "P01")
    result = margin(demo_dir, "report", "codebook", "-o", str(tmp_path / "c.md"))
    assert "Warning: 'Mark' looks like a name" in result.output and "'Hale'" in result.output
    assert "'Aisha'" not in result.output
    assert result.output.index("Warning") < result.output.index("Wrote")


def test_the_table_from_the_command_line(demo_dir, tmp_path):
    names = tmp_path / "names.csv"
    names.write_text("real,pseudonym\nAisha,P01\nMark,P03\n", encoding="utf-8")
    assert "Added 2 pseudonyms" in margin(demo_dir, "pseudonyms", "import", str(names)).output
    assert margin(demo_dir, "pseudonyms").output == "Aisha -> P01\nMark -> P03\n"
    margin(demo_dir, "pseudonyms", "remove", "mark")
    assert margin(demo_dir, "pseudonyms").output == "Aisha -> P01\n"
    assert (demo_dir / "pseudonyms.json").stat().st_mode & 0o777 == 0o600
    names.write_text("Aisha\n", encoding="utf-8")
    margin(demo_dir, "pseudonyms", "import", str(names), code=2)
    margin(demo_dir, "pseudonyms", "add", "Aisha", "AISHA", code=2)
    margin(demo_dir, "pseudonyms", "remove", "Nobody", code=1)
    (demo_dir / "pseudonyms.json").write_text("{not json")
    margin(demo_dir, "pseudonyms", code=2)
    margin(demo_dir, "report", "codebook", code=2)
