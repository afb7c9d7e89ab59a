"""Plain tests of the store modules behind the app: code ranking, search, demo, keymaps."""

from __future__ import annotations

import keymaps
from store.code_search import CodeIndex, near_duplicates, recent_codes
from store.search import corpus_search, spoken_matches


def test_demo_has_documents_codebook_codings_memos_and_journal(project):
    assert [d.name for d in project.documents.all()][:2] == ["P01 nurse, round 1", "P01 nurse, round 2"]
    assert all(20 <= len(d.turns) <= 40 for d in project.documents.all())
    assert not project.codebook.get("Relationships").codable
    assert len(project.state.codings) == 33
    assert project.memos.journal()
    assert {m.kind for m in project.memos.all()} >= {"document", "code", "coding", "journal"}


def test_ranking_prefers_path_matches_and_recent_codes(project):
    index = CodeIndex.of(project)
    assert index.rank("supervis")[0].path == "Support for peers > Supervision"
    assert index.rank("rehabilitation restraint keys")  # description words still find something
    trust = project.codebook.get("Trust").id
    assert index.rank("", recent=[trust])[0].code.id == trust


def test_exact_and_near_duplicates(project):
    index = CodeIndex.of(project)
    assert index.exact("role > role clarity").name == "Role clarity"
    assert index.exact("trust").name == "Trust"
    assert index.exact("Trusting") is None
    assert [n.existing for n in near_duplicates(project.codebook.all(), "Boundary")] == ["Role > Boundaries"]
    assert near_duplicates(project.codebook.all(), "Mealtimes") == []


def test_recent_codes_are_this_coders_newest_first(project):
    assert recent_codes(project) == []  # the demo was coded by "demo", not "tester"
    document = project.documents.all()[0]
    for name in ("Trust", "Role clarity", "Trust"):
        turn = document.turns[len(recent_codes(project)) + 1]
        project.codings.apply(document, project.codebook.get(name), turn.start, turn.end - 1)
    assert [project.state.codes[c].name for c in recent_codes(project)] == ["Trust", "Role clarity"]


def test_search_skips_speaker_labels_and_corpus_search_gives_context(project):
    document = project.documents.get("P01 nurse, round 1")
    text = project.text(document.id)
    assert spoken_matches(document, text, "Aisha") == []  # only in the labels
    hits = corpus_search(project, "ward round")
    assert {h.document.name for h in hits} >= {"P01 nurse, round 1", "P02 psychiatrist"}
    hit = hits[0]
    assert hit.match.lower() == "ward round" and hit.left and hit.speaker == "Aisha"


def test_default_keymap_is_clean_and_alternatives_load():
    assert keymaps.load(user=_none()).problems == []
    arrows = keymaps.load("arrows", user=_none())
    assert arrows.problems == [] and arrows.actions["reader.undo"].keys == ("ctrl+z", "u")


def test_keymap_reports_unknown_ids_bad_keys_and_clashes(tmp_path):
    user = tmp_path / "keymap.toml"
    user.write_text(
        '"reader.undo" = "ctrl+shift+z"\n"reader.redo" = "ctrl+i"\n"reader.flyaway" = "x"\n'
        '"reader.memo" = "c"\n"app.quit" = "j"\n[codes]\nadd = "hyperkey"\n',
        encoding="utf-8",
    )
    problems = "\n".join(keymaps.load(user=user).problems)
    assert "ctrl+shift" in problems
    assert "same key as tab" in problems
    assert "'reader.flyaway' is not an action" in problems
    assert "reader.code and reader.memo" in problems
    assert "app.quit" in problems and "reader.line_down" in problems
    assert "unknown key name" in problems


def test_keymap_unreadable_file_is_a_problem_not_a_crash(tmp_path):
    user = tmp_path / "keymap.toml"
    user.write_text("this is = = not toml", encoding="utf-8")
    assert "not valid TOML" in keymaps.load(user=user).problems[0]


def test_keymap_ids_match_the_app_bindings():
    from tui.app import MarginApp
    from tui.widgets.reader import Reader

    ids = {b.id for cls in (MarginApp, Reader) for b in cls.BINDINGS}
    assert ids == {a.id for a in keymaps.default().actions.values() if a.scope in ("app", "reader")}
    for action in keymaps.default().scope("reader"):
        assert hasattr(Reader, f"action_{action.name}"), action.id


def _none():
    from pathlib import Path

    return Path("/nonexistent/keymap.toml")


def test_margin_demo_no_open_and_margin_keys(tmp_path):
    from click.testing import CliRunner

    from tui.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, ["demo", str(tmp_path / "d"), "--no-open"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d" / "project.json").is_file()
    again = runner.invoke(cli, ["demo", str(tmp_path / "d"), "--no-open"])  # already there: fine
    assert again.exit_code == 0
    keys = runner.invoke(cli, ["keys", "--json"])
    assert keys.exit_code == 0 and '"reader.code"' in keys.output


def test_cli_import_does_not_import_textual():
    import subprocess
    import sys

    code = "import sys, tui.cli; print('textual' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_recent_codes_order_by_time_then_the_one_put_last():
    """The sort behind the picker's recent codes (made cheap for 200,000 codings) keeps
    its order exactly: newest first, and of equal times the coding put last first."""
    from types import SimpleNamespace

    from hypothesis import given, settings
    from hypothesis import strategies as st

    def slow(codings, limit=9):
        order = sorted(range(len(codings)), key=lambda i: (codings[i].created, i), reverse=True)
        seen = []
        for coding in (codings[i] for i in order):
            if coding.code not in seen and len(seen) < limit:
                seen.append(coding.code)
        return seen

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from("abcdefghijkl"), st.integers(0, 5), st.booleans()), max_size=40))
    def check(rows):
        codings = [SimpleNamespace(code=code, created=f"2026-01-0{day}", coder="me" if mine else "other")
                   for code, day, mine in rows]
        project = SimpleNamespace(coder=SimpleNamespace(id="me"), state=SimpleNamespace(
            codings={str(i): c for i, c in enumerate(codings)}))
        assert recent_codes(project) == slow([c for c in codings if c.coder == "me"])

    check()
