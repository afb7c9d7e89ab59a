"""What the app pays before its first frame (issue 11: first frame under 1.0 s at 5,000
codes and 200,000 codings). Each module left out here was imported eagerly for a key or a
pane the first frame does not show; the app is run in a fresh interpreter, as `margin`
starts, and the modules loaded when the first frame is drawn are read back."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

REPO = Path(__file__).resolve().parents[2]

FIRST_FRAME = """
import asyncio, sys, json
import keymaps
reads = []
_read = keymaps._read
keymaps._read = lambda path: reads.append(path.name) or _read(path)
from store.project import Project
from tui.app import MarginApp
async def main():
    p = Project.open(sys.argv[1])
    app = MarginApp(p)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = app.screen.query_one("#codes").option_count
        print(json.dumps({"modules": sorted(sys.modules), "reads": reads, "codes": shown}))
    p.close()
asyncio.run(main())
"""

LATER_KEYS = {"store.search", "store.matching", "store.team.blind", "tui.screens.help"}  # /, ?, --blind
TEXT_AREA = {"textual.widgets._text_area", "textual.document", "textual.document._document", "textual._text_area_theme"}


def first_frame(project_dir: Path, state: Path) -> dict:
    import json

    env = {**os.environ, "MARGIN_STATE_DIR": str(state)}
    done = subprocess.run([sys.executable, "-c", FIRST_FRAME, str(project_dir)], cwd=REPO, env=env,
                          capture_output=True, text=True, check=True, timeout=120)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_the_first_frame_imports_no_text_area(demo_dir, tmp_path):
    """The memo pane is hidden until `m`: its TextArea (and textual's document, history
    and theme modules) is made when a memo is first opened."""
    seen = first_frame(demo_dir, tmp_path / "state")
    assert seen["codes"] > 0 and "tui.widgets.memo_editor" in seen["modules"]
    assert not TEXT_AREA & set(seen["modules"])


async def test_the_first_frame_imports_no_search_help_or_blind_view(demo_dir, tmp_path):
    seen = first_frame(demo_dir, tmp_path / "state")
    assert "tui.app" in seen["modules"] and not LATER_KEYS & set(seen["modules"])


async def test_a_memo_opens_typed_into_and_saved_with_the_text_area_made_late(make_app, project):
    from textual.widgets import TextArea

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        editor = app.query_one("#memo")
        assert not editor.query(TextArea)
        await pilot.press("m")
        await pilot.pause()
        assert isinstance(app.focused, TextArea) and editor.query_one(TextArea) is editor.area
        await pilot.press(*"fast", "space", *"typing", "escape")
        await pilot.pause()
    memos = [m for m in project.state.memos.values() if m.text.endswith("fast typing")]
    assert len(memos) == 1


def test_the_first_frame_reads_the_default_keymap_once(demo_dir, tmp_path):
    """The bindings (tui/widgets/keys.py) and the app's keymap (keymaps.load) both start
    from default.toml; it is parsed once."""
    assert first_frame(demo_dir, tmp_path / "state")["reads"] == ["default.toml"]


def test_default_keymaps_share_no_state():
    import keymaps

    one, two = keymaps.default(), keymaps.default()
    one.actions["app.quit"].keys = ("x",)
    one.problems.append("a problem")
    assert two.actions["app.quit"].keys != ("x",) and keymaps.default().actions["app.quit"].keys != ("x",)
    assert not two.problems and not keymaps.default().problems


NAMES = st.text(alphabet=st.sampled_from("abAB é\t\x07\x7f\u00a0\u200b"), min_size=1, max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 30), NAMES), max_size=30))
def test_the_codes_pane_built_whole_is_the_codebooks_tree(tmp_path_factory, tree):
    """The whole kind for the codes pane's one-pass build (rewritten for the first frame at
    5,000 codes): any tree, names cased alike or with unprintables (whatever of them the
    store accepts), each line's depth, name and total as the store's own tree gives them."""
    from store.errors import MarginError
    from store.project import Project
    from tests.tui.test_speed import pane_as_the_codebook_says
    from tui.widgets.codes_pane import CodesPane

    project = Project.init(tmp_path_factory.mktemp("p") / "p", coder="ana")
    try:
        book, made = project.codebook, []
        for parent, name in tree:
            path = f"{book.path(made[parent % len(made)])} > {name}" if made and parent else name
            try:
                made.append(book.add(path))
            except MarginError:
                continue  # a name the store refuses (blank, a sibling's) adds nothing
        pane = CodesPane(project)
        pane.reload()
        pane_as_the_codebook_says(pane, project)
    finally:
        project.close()


def _documents_shown(pane) -> list:
    return [(option.id, str(option.prompt), option.prompt.style) for option in pane._options]


async def test_the_hidden_documents_pane_is_built_as_it_is_shown(make_app, project):
    """At 80 columns the documents pane is hidden and its 200-document list was built
    anyway before the first frame; it is now built as it is shown (f2, Tab), the same list
    as a pane shown from the start, the document being read bold and highlighted."""
    from tui.widgets.documents_pane import DocumentsPane

    app = make_app()
    async with app.run_test(size=(140, 30)) as pilot:
        await pilot.pause()
        await pilot.press("j", "J")  # a coding count or the position: nothing that changes the list
        wide = _documents_shown(app.query_one(DocumentsPane))
        reading = app.document.id
    for keys in (["f2"], ["tab", "tab"]):
        app = make_app()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            pane = app.query_one(DocumentsPane)
            assert not pane.display and pane.option_count == 0
            await pilot.press(*keys)
            await pilot.pause()
            assert pane.display and _documents_shown(pane) == wide
            assert pane.highlighted_option.id == reading == app.document.id
