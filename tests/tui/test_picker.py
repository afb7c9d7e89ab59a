"""The code picker under Pilot, pressing real keys: Enter does what the researcher typed.

The demo project gets a slice of the PDPilot codebook (code names only), where issue 8
found Enter applying the parent, `Tool complexity`, or a junk new code.
"""

from __future__ import annotations

import pytest

from tui.screens.code_picker import CREATE, CodePicker, Question
from tui.screens.confirm import Confirm

PDPILOT = [
    "Benefits of PDPilot > Compliment",
    "Benefits of PDPilot > Pre-computed",
    "PDPilot General Usage > Tool complexity",
    "Explainability techniques > Uses scatter plots to identify interactions",
    "Interaction",
    "PDPilot Techniques Usage > Interactions > Liked interaction plots",
    "PDPilot Techniques Usage > Ranking > Liked cluster difference",
    "PDPilot Techniques Usage > Ranking > Highlighting was useful",
]


@pytest.fixture
def pdpilot(project):
    for path in PDPILOT:
        project.codebook.ensure(path)
    return project


def mine(project):
    return [c for c in project.state.codings.values() if c.coder == project.coder.id]


def coded_with(project) -> list[str]:
    return [project.codebook.path(project.state.codes[c.code]) for c in mine(project)]


def options(app) -> list[str]:
    hits = app.screen.query_one("#picker-hits")
    return [hits.get_option_at_index(i).id for i in range(hits.option_count)]


async def test_enter_on_an_exact_path_applies_that_code_not_its_parent(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"Benefits of PDPilot > Compliment", "enter")
        await pilot.pause()
        assert not CodePicker.shown_on(app.screen)
    assert coded_with(pdpilot) == ["Benefits of PDPilot > Compliment"]


async def test_exact_ignores_case_and_spacing(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"benefits of pdpilot>COMPLIMENT ", "enter")
        await pilot.pause()
    assert coded_with(pdpilot) == ["Benefits of PDPilot > Compliment"]


async def test_compl_ranks_compliment_first_and_enter_asks_before_applying(make_app, pdpilot):
    complexity = pdpilot.codebook.get("Tool complexity")
    document = pdpilot.documents.all()[0]
    pdpilot.codings.apply(document, complexity, document.turns[5].start, document.turns[5].end)  # recent, used
    app = make_app()
    app.recent = [complexity.id]
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"compl")
        await pilot.pause()
        top = pdpilot.state.codes[options(app)[0]]
        assert top.name == "Compliment"
        await pilot.press("enter")
        await pilot.pause()
        question = app.screen.query_one(Question)
        assert CodePicker.shown_on(app.screen) and question.display and question.active
        assert "Compliment" in str(question.render()) and "(y)" in str(question.render())
        await pilot.press("y")
        await pilot.pause()
        assert not CodePicker.shown_on(app.screen)
    assert coded_with(pdpilot)[-1] == "Benefits of PDPilot > Compliment"


async def test_scatter_interact_ranks_the_existing_code_above_new_code(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"scatter interact")
        await pilot.pause()
        ids = options(app)
        assert pdpilot.state.codes[ids[0]].name == "Uses scatter plots to identify interactions"
        assert ids[1] == CREATE  # below every code holding the typed words
        await pilot.press("enter")  # not exact: asks instead of making a junk top-level code
        await pilot.pause()
        assert app.screen.query_one(Question).display
        assert pdpilot.codebook.find_path("scatter interact") is None
        await pilot.press("y")
        await pilot.pause()
    assert coded_with(pdpilot) == ["Explainability techniques > Uses scatter plots to identify interactions"]
    assert pdpilot.codebook.find_path("scatter interact") is None


async def test_n_at_the_question_creates_the_typed_code(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"scatter interact", "enter", "n")
        await pilot.pause()
    assert coded_with(pdpilot) == ["scatter interact"]


async def test_esc_at_the_question_goes_back_to_typing(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"compl", "enter")
        await pilot.pause()
        await pilot.press("enter", "x")  # enter and other keys do not answer
        await pilot.pause()
        assert CodePicker.shown_on(app.screen) and not mine(pdpilot)
        await pilot.press("escape")
        await pilot.pause()
        field = app.screen.query_one("#picker-input")
        assert CodePicker.shown_on(app.screen) and field.active and field.value == "compl"
        assert not app.screen.query_one(Question).display and app.screen.query_one("#picker-help").display
        await pilot.press(*"iment", "enter")  # now exact: applied at once
        await pilot.pause()
    assert coded_with(pdpilot) == ["Benefits of PDPilot > Compliment"]


async def test_a_hit_chosen_in_the_list_is_applied_without_asking(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"compl", "tab", "enter")  # tab: into the list, on the first hit
        await pilot.pause()
        await pilot.press("J", "c", *"compl", "down", "enter")  # down: the second hit
        await pilot.pause()
        await pilot.press("J", "c", *"scatter interact", "down", "enter")  # down onto "+ New code"
        await pilot.pause()
    assert coded_with(pdpilot) == ["Benefits of PDPilot > Compliment", "PDPilot General Usage > Tool complexity",
                                   "scatter interact"]


async def test_down_at_the_question_moves_into_the_list(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"compl", "enter", "down")
        await pilot.pause()
        assert not app.screen.query_one(Question).display
        assert app.screen.query_one("#picker-hits").active
        await pilot.press("enter")
        await pilot.pause()
    assert coded_with(pdpilot) == ["PDPilot General Usage > Tool complexity"]


async def test_a_new_name_on_top_is_created_without_a_question(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"Hope and belonging")
        await pilot.pause()
        assert options(app)[0] == CREATE  # nothing holds every word
        await pilot.press("enter")
        await pilot.pause()
        assert not CodePicker.shown_on(app.screen)
    assert coded_with(pdpilot) == ["Hope and belonging"]


async def test_enter_on_an_empty_filter_asks_and_digits_still_pick(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", "enter")
        await pilot.pause()
        assert app.screen.query_one(Question).display  # nothing typed: not what was meant either
        assert "create" not in str(app.screen.query_one(Question).render())
        await pilot.press("n")  # there is no typed name to create
        await pilot.pause()
        assert CodePicker.shown_on(app.screen) and not mine(pdpilot)
        await pilot.press("escape", "1")
        await pilot.pause()
    assert len(mine(pdpilot)) == 1


async def test_a_typo_in_a_parent_is_asked_about_before_a_second_tree_is_made(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"PDPilot Technique Usage > Ranking > Liked importance ranking", "enter")
        await pilot.pause()
        if CodePicker.shown_on(app.screen):  # a sibling ranked first: create the typed one
            await pilot.press("n")
            await pilot.pause()
        assert isinstance(app.dialog, Confirm)
        assert "“PDPilot Technique Usage” is close to the existing “PDPilot Techniques Usage”" in app.dialog.detail
        assert "PDPilot Techniques Usage > Ranking > Liked importance ranking" in app.dialog.detail
        await pilot.press("n")
        await pilot.pause()
    assert pdpilot.codebook.find_path("PDPilot Technique Usage") is None and not mine(pdpilot)


async def test_template_siblings_are_created_without_a_warning(make_app, pdpilot):
    app = make_app()
    async with app.run_test() as pilot:
        await pilot.press("J", "c", *"PDPilot Techniques Usage > Ranking > Highlighted histograms useful", "enter")
        await pilot.pause()
        if CodePicker.shown_on(app.screen):
            await pilot.press("n")
            await pilot.pause()
        assert not isinstance(app.dialog, Confirm)
    assert coded_with(pdpilot) == ["PDPilot Techniques Usage > Ranking > Highlighted histograms useful"]


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_question_is_one_line_that_fits(make_app, pdpilot, size):
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("J", "c", *"uses scatter plots to identify", "enter")
        await pilot.pause()
        question = app.screen.query_one(Question)
        assert question.region.height == 1
        text = str(question.render())
        assert len(text) <= question.region.width and text.endswith("esc back")
        assert "interactions" in text  # a long path is cut from the left: its end tells


def visible(widget) -> bool:
    """Shown, one line at least, and inside the picker and the screen (not cut off)."""
    picker, screen = widget.screen.query_one("#picker").region, widget.screen.region
    region = widget.region
    return (widget.display and region.height >= 1 and region.bottom <= picker.bottom - 1
            and region.bottom <= screen.bottom and region.y >= picker.y)


@pytest.mark.parametrize("size", [(80, 24), (80, 20), (100, 30), (120, 24), (120, 40)])
@pytest.mark.parametrize("typed", ["trus", "t", "e", "rel"])
async def test_the_question_and_the_help_line_are_always_on_screen(make_app, pdpilot, size, typed):
    """Issue 8 (tuifix 3): at 80x24 `c`, `trus`, Enter put the question below the cut-off list."""
    app = make_app()
    async with app.run_test(size=size) as pilot:
        await pilot.press("J", "J", "c")
        await pilot.pause()
        assert visible(app.screen.query_one("#picker-help"))
        await pilot.press(*typed, "enter")
        await pilot.pause()
        if (picker := CodePicker.shown_on(app.screen)) and picker.asking is not None:
            assert visible(app.screen.query_one(Question)), (size, typed)
