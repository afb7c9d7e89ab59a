"""The command palette (ctrl+p): every action of the key tables, with its current keys."""

from __future__ import annotations

from functools import partial

from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider

from tui.widgets.lists import step

STEPS = {"cursor_up": -1, "cursor_down": 1}


class Palette(CommandPalette):
    """Textual's command palette, its list stopping at its ends as every list of the app
    does (Textual's wrapped round: up on the first command went to the last)."""

    def _action_command_list(self, action: str) -> None:
        if action in STEPS:
            step(self.query_one(CommandList), STEPS[action])
        else:
            super()._action_command_list(action)

TARGETS = {"app": None, "reader": "#reader", "codes": "#codes", "documents": "#documents"}


class ActionProvider(Provider):
    def _commands(self):
        app = self.app
        for scope, selector in TARGETS.items():
            for action in app.keymap.scope(scope):
                if action.id in ("app.command_palette",):
                    continue
                title = f"{action.help}  ({app.keymap.display(action.id)})"
                yield title, partial(app.run_palette_action, selector, action.name), action.id

    async def discover(self) -> Hits:
        for title, callback, action_id in self._commands():
            yield DiscoveryHit(title, callback, help=action_id)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback, action_id in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=action_id)
