"""Prompt and Confirm as overlays (tui/screens/prompt.py): every answer a dialog gives, by
the real keys, on the main screen and on a pushed screen, the focus never moved."""

from __future__ import annotations

import pytest
from textual import events

from tui.screens.confirm import Confirm
from tui.screens.prompt import Prompt

# (the dialog, the keys typed, the answer `done` gets)
CASES = [
    (lambda: Prompt("Name?", "Old"), ["N", "e", "w", "enter"], "New"),  # a name is retyped: selected
    (lambda: Prompt("Name?", "Old"), ["end", "!", "enter"], "Old!"),
    (lambda: Prompt("Name?", "Old"), ["x", "escape"], None),
    (lambda: Prompt("Name?", "Old"), ["home", "delete", "enter"], "ld"),
    (lambda: Prompt("Memo", "kept", keep_on_escape=True), [" ", "t", "o", "o", "escape"], "kept too"),  # typed on to
    (lambda: Prompt("Memo", "kept", keep_on_escape=True), ["backspace", "enter"], "kep"),
    (lambda: Prompt("Empty?"), ["q", "?", "enter"], "q?"),  # app keys (q quits, ? help) are typed
    (lambda: Confirm("Sure?"), ["y"], True),
    (lambda: Confirm("Sure?", "It changes a lot."), ["enter"], True),
    (lambda: Confirm("Sure?"), ["n"], False),
    (lambda: Confirm("Sure?"), ["escape"], False),
    (lambda: Confirm("Sure?"), ["x", "q", "n"], False),  # other letters do nothing: q does not quit
]


@pytest.mark.parametrize("on_pushed_screen", [False, True])
async def test_every_dialog_answers_by_its_keys_and_leaves_the_focus(make_app, on_pushed_screen):
    from tui.screens.help import Help

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        if on_pushed_screen:
            app.push_screen(Help(app.keymap))
            await pilot.pause()
        screen, focused = app.screen, app.screen.focused
        for make, keys, expected in CASES:
            answers = []
            dialog = make()
            app.ask(dialog, answers.append)
            await pilot.pause()
            shown = app.dialog
            assert type(shown) is type(dialog) and shown.question == dialog.question
            await pilot.press(*keys)
            await pilot.pause()
            assert answers == [expected], (dialog.question, keys)
            assert app.dialog is None and app.screen is screen and app.screen.focused is focused
        kinds = [type(d).__name__ for d in screen.query("Prompt, Confirm")]
        assert sorted(kinds) == ["Confirm", "Prompt"]  # one of each kind, kept


async def test_a_paste_goes_into_the_prompt_on_one_line(make_app):
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        answers = []
        app.ask(Prompt("Name?"), answers.append)
        await pilot.pause()
        app.post_message(events.Paste("pasted\nsecond line"))
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert answers == ["pasted"]


async def test_a_dialog_stays_centred_and_whole_when_the_terminal_narrows(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        app.ask(Confirm("Delete a code with a long name " * 3 + "?", "This also removes 12 codings. u undoes it."), None)
        await pilot.pause()
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        dialog = app.dialog
        width, height = app.size
        region = dialog.region
        assert region.width == min(70, width) and region.x == (width - region.width) // 2
        assert 0 <= region.y and region.bottom <= height
        assert abs((region.y) - (height - region.bottom)) <= 1  # centred to a row
        shown = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "y / enter: yes" in shown and "u undoes it." in shown
