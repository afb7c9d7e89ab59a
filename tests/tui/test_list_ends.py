"""Every list stops at its ends, under Pilot at 80x24 with the real keys: `k`/up on the
first item and `j`/down on the last leave the highlight there, as the analysis screen
does. The trial found the journal's `k` on its first entry going to the last, and the
retrieval view's `G` then `j` on the first passage (Enter then opened the wrong one)."""

from __future__ import annotations

import pytest

from tui.screens.code_picker import CodePicker, HitList


def _highlight(widget):
    """(where the highlight is, where the last item is) of a list."""
    return widget.highlighted, widget.option_count - 1


def _scrolled(widget):
    """The help is one scrolled text: (how far it is scrolled, how far it can be)."""
    return round(widget.scroll_y), round(widget.max_scroll_y)


async def _journal(app, pilot):
    for text in ("first entry", "second entry", "third entry"):
        app.project.memos.add("journal", None, text)
    await pilot.press("R")
    return app.screen.query_one("#journal-list"), _highlight


async def _retrieval_of_a_code(app, pilot):
    app.code_retrieve(app.project.codebook.get("Relationships"))
    await pilot.pause()
    return app.screen.query_one("#retrieval-list"), _highlight


async def _retrieval_from_the_analysis(app, pilot):
    await pilot.press("%")
    await pilot.pause()
    await pilot.press("enter")  # the passages behind the first bar
    await pilot.pause()
    return app.screen.query_one("#retrieval-list"), _highlight


async def _search_results(app, pilot):
    await pilot.press("F", *"the", "enter")
    await pilot.pause()
    return app.screen.query_one("#search-list"), _highlight


async def _help(app, pilot):
    await pilot.press("?")
    await pilot.pause()
    return app.screen.query_one("#help-scroll"), _scrolled


async def _documents_pane(app, pilot):
    await pilot.press("f2")
    await pilot.pause()
    return app.query_one("#documents"), _highlight


async def _codes_pane(app, pilot):
    await pilot.press("tab")  # reader -> codes
    return app.query_one("#codes"), _highlight


async def _code_picker(app, pilot):
    await pilot.press("c")
    await pilot.pause()
    assert CodePicker.shown_on(app.screen)
    return app.screen.query_one(HitList), _highlight


async def _command_palette(app, pilot):
    from textual.command import CommandList

    await pilot.press("ctrl+p")
    await pilot.pause(0.5)  # its commands are gathered as it opens
    return app.screen.query_one(CommandList), _highlight


# (what, how it opens, keys to the first item, to the last, the keys that must stay put at each)
LISTS = [
    ("journal", _journal, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("retrieval of a code", _retrieval_of_a_code, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("retrieval from the analysis", _retrieval_from_the_analysis, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("search results", _search_results, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("help", _help, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("documents pane", _documents_pane, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    ("codes pane", _codes_pane, ["g"], ["G"], ["k", "up"], ["j", "down"]),
    # the picker has no g/G (letters are typed): down into the hits and up to the first, or to their end
    ("code picker", _code_picker, ["down", "up"], ["down"] * 12, ["up", "ctrl+k"], ["down", "ctrl+n"]),
    ("command palette", _command_palette, ["pageup"], ["pagedown"] * 12, ["up"], ["down"]),  # letters are typed
]


@pytest.mark.parametrize("opens, to_first, to_last, ups, downs", [case[1:] for case in LISTS],
                         ids=[case[0] for case in LISTS])
async def test_every_list_stops_at_its_ends(make_app, opens, to_first, to_last, ups, downs):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widget, where = await opens(app, pilot)
        await pilot.pause()
        first, last = 0, where(widget)[1]
        assert last >= 1, "the list needs two items to wrap"
        for key in ups:
            await pilot.press(*to_first)
            await pilot.pause()
            assert where(widget)[0] == first
            await pilot.press(key)
            await pilot.pause()
            assert where(widget) == (first, last), f"{key} on the first item"
        for key in downs:
            await pilot.press(*to_last)
            await pilot.pause()
            assert where(widget)[0] == last
            await pilot.press(key)
            await pilot.pause()
            assert where(widget) == (last, last), f"{key} on the last item"


async def test_enter_after_G_then_j_opens_the_last_passage(make_app):
    """The trial's retrieval: `G`, `j`, Enter jumped to the first passage, not the last."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        widget, _ = await _retrieval_from_the_analysis(app, pilot)
        last = app.project.state.codings[widget.get_option_at_index(widget.option_count - 1).id]
        await pilot.press("G", "j", "enter")
        await pilot.pause()
        assert app.reader.document.id == last.document and app.reader.cursor == last.start


def test_every_option_list_of_the_app_is_one_that_stops():
    """No list made in tui/ is Textual's own (which wraps round), but the one in lists.py,
    nor is Textual's command palette opened (palette.py's stops)."""
    import ast
    from pathlib import Path

    lists = {"OptionList", "ListView", "SelectionList"}
    found = []
    for path in sorted((Path(__file__).resolve().parents[2] / "tui").rglob("*.py")):
        if path.name == "lists.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                named, wrapping = [node.func], lists | {"CommandPalette"}
            else:
                named, wrapping = getattr(node, "bases", []), lists  # a class made from one
            found += [f"{path.name}:{node.lineno}" for n in named if isinstance(n, ast.Name) and n.id in wrapping]
    assert found == []
