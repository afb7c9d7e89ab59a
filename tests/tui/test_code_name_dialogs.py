"""The code-name dialogs keep what was typed when the name is refused: the codes pane's
add (`a`) and rename (`r`) prompts and the code picker's "+ New code" (`c`). The trial
found a refused name (a control character, more than 256 characters) closing the dialog
and losing the text, and a pasted line break kept as the first line in the prompt and
joined in the picker; both now refuse it, as the command line refuses it in a code name."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from textual import events

from store.codebook import LONGEST_NAME
from store.errors import BadInput, Refused
from tui.screens.code_picker import CodePicker, FilterField
from tui.screens.prompt import Prompt
from tui.widgets.codes_pane import CodesPane

TOO_LONG = "x" * (LONGEST_NAME + 1)


async def _add(app, pilot):
    await pilot.press("tab", "a")  # codes pane: add (the highlighted code's path, selected, is retyped)


async def _rename(app, pilot):
    await pilot.press("tab", "r")


async def _new_code(app, pilot):
    await pilot.press("c")  # reader: code the turn, in the picker


def _typed(app):
    """What the open dialog holds, or None when none is open."""
    picker = CodePicker.shown_on(app.screen)
    if picker is not None:
        return picker.query_one(FilterField).value
    dialog = app.dialog
    return dialog.input.value if isinstance(dialog, Prompt) else None


async def _enter(app, pilot):
    await pilot.press("enter")
    await pilot.pause()
    picker = CodePicker.shown_on(app.screen)
    if picker is not None and picker.asking is not None:
        await pilot.press("n")  # asked which was meant: the typed name


DIALOGS = [("add", _add), ("rename", _rename), ("picker new code", _new_code)]
# (what, text pasted after "Kept" is typed, Enter pressed after, what the dialog then holds, the error said)
REFUSALS = [
    ("control character", "Bad\x07name", True, "KeptBad\x07name", "a control character"),
    ("too long", TOO_LONG, True, "Kept" + TOO_LONG, f"at most {LONGEST_NAME} characters"),
    ("pasted line break", "one\ntwo", False, "Kept", "a line break"),
    ("pasted line break at the end: dropped", "one\n", False, "Keptone", ""),
    ("pasted line breaks and spaces at the end: dropped", "one \r\n\u2028", False, "Keptone", ""),
    ("pasted line break, then enter", "one\r\ntwo", True, "Kept", None),  # "Kept" itself is a good name
]


@pytest.mark.parametrize("opens", [d[1] for d in DIALOGS], ids=[d[0] for d in DIALOGS])
@pytest.mark.parametrize("pasted, enter, holds, said", [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_a_refused_name_keeps_the_dialog_open_with_the_text(make_app, project, opens, pasted, enter, holds, said):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await opens(app, pilot)
        await pilot.pause()
        await pilot.press(*"Kept")
        app.post_message(events.Paste(pasted))
        await pilot.pause()
        codes = dict(project.state.codes)
        if enter:
            await _enter(app, pilot)
            await pilot.pause()
        if said is None:  # the line break refused, what was typed before it is taken
            assert _typed(app) is None and any(c.name == "Kept" for c in project.state.codes.values())
            return
        assert _typed(app) == holds
        assert project.state.codes == codes
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        if not said:  # taken, nothing refused
            assert errors == []
            return
        assert len(errors) == 1 and said in errors[0], errors


async def test_after_a_refusal_the_mended_name_is_taken(make_app, project):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await _add(app, pilot)
        await pilot.pause()
        app.post_message(events.Paste("Side\x07effects"))
        await pilot.pause()
        await pilot.press("enter", "left", "left", "left", "left", "left", "left", "left", "backspace", "space", "enter")
        await pilot.pause()
        assert app.dialog is None
        assert project.codebook.find_path("Side effects") is not None


NAMES = st.one_of(
    st.text(st.sampled_from("ab >\n\r\t\x07\x1b\u2028é"), max_size=12),
    st.integers(LONGEST_NAME - 2, LONGEST_NAME + 2).map(lambda n: "x" * n),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=st.sampled_from(["", "Relationships > ", "New parent > "]), name=NAMES)
def test_the_dialogs_refuse_a_path_exactly_when_adding_it_would(project, parent, name):
    """`check_new_path` (what the dialogs check before closing) refuses a path just when
    `Codebook.add` refuses it, with the same error; anything it lets through is added."""
    path = parent + name
    try:
        project.codebook.check_new_path(path)
    except (BadInput, Refused) as refusal:
        before = dict(project.state.codes)
        with pytest.raises(type(refusal)) as added:
            project.codebook.add(path)
        assert added.value.message == refusal.message
        assert project.state.codes == before
        return
    project.codebook.add(path)
    with pytest.raises(Refused, match="exists already"):  # and now the dialog would keep it
        project.codebook.check_new_path(path)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=NAMES)
def test_the_rename_dialog_refuses_a_name_exactly_when_renaming_would(project, name):
    code = project.codebook.all()[0]
    try:
        project.codebook.check_rename(code, name)
    except (BadInput, Refused) as refusal:
        before = dict(project.state.codes)
        with pytest.raises(type(refusal)) as renamed:
            project.codebook.rename(code, name)
        assert renamed.value.message == refusal.message
        assert project.state.codes == before
        return
    project.codebook.rename(project.state.codes[code.id], name)


def _sibling_of(project, code):
    siblings = [c for c in project.codebook.children(code.parent) if c.id != code.id]
    assert siblings, "the pane's first code has a sibling in the demo"
    return siblings[0]


# (dialog, how it opens, what is typed into it: from the highlighted code and a sibling of it)
EXISTING = [
    ("add: a code's path", _add, lambda book, code, sibling: book.path(sibling)),
    ("add: a code's path in another case", _add, lambda book, code, sibling: book.path(sibling).swapcase()),
    ("rename: a sibling's name", _rename, lambda book, code, sibling: sibling.name),
    ("rename: a sibling's name in another case", _rename, lambda book, code, sibling: sibling.name.swapcase()),
]


@pytest.mark.parametrize("opens, typed", [e[1:] for e in EXISTING], ids=[e[0] for e in EXISTING])
async def test_a_name_that_exists_keeps_the_dialog_open(make_app, project, opens, typed):
    """The trial: the add and rename dialogs closed, losing the text, when the code was
    there already (refused only after closing, by `add` and `rename`)."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await opens(app, pilot)
        await pilot.pause()
        code = app.query_one(CodesPane).code
        text = typed(project.codebook, code, _sibling_of(project, code))
        dialog = app.dialog
        assert isinstance(dialog, Prompt)
        dialog.input.value = text
        codes = dict(project.state.codes)
        await _enter(app, pilot)
        await pilot.pause()
        assert _typed(app) == text
        assert project.state.codes == codes
        errors = [str(n.message) for n in app._notifications if n.severity == "error"]
        assert len(errors) == 1 and "exists" in errors[0], errors
