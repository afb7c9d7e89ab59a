"""Bindings built from the key tables, and text made safe to show."""

from __future__ import annotations

from functools import cache

from textual.binding import Binding
from textual.widgets import OptionList

import keymaps

from store.patterns import later

_CONTROL = later(r"[\x00-\x1f\x7f-\x9f]+")


@cache
def table() -> keymaps.Keymap:
    return keymaps.default()


def bindings(scope: str, *, show: bool = False) -> list[Binding]:
    """One Binding per action of `scope`, with its default keys; ids are `scope.action`."""
    return [
        Binding(",".join(a.keys), a.name, a.help, show=show, id=a.id)
        for a in table().scope(scope)
    ]


async def run_binding(app, key: str, namespaces) -> None:
    """Run the binding of `key` as Textual would with nothing focused: the app's priority
    bindings, then each of `namespaces` (a screen, the app) in turn, the user's keymap
    applied. What an overlay (the picker, a dialog) does with a key it does not take."""
    if await app._check_bindings(key, priority=True):
        return
    for namespace in namespaces:
        found = namespace._bindings.copy()
        if app._keymap:
            found.apply_keymap(app._keymap)
        for binding in found.key_to_bindings.get(key, ()):
            if await app.run_action(binding.action, namespace):
                return


def changed_keys(keymap: keymaps.Keymap) -> dict[str, str]:
    """id -> keys for the actions whose keys differ from the defaults the bindings were
    built with: the argument to `App.set_keymap`. Textual re-applies the keymap to every
    node's bindings on each key press, so an empty one (no keymap.toml) costs nothing."""
    defaults = table()
    return {i: k for i, k in keymap.overrides().items() if i not in defaults.actions or defaults.keys(i) != k}


class ListKeys:
    """`down`, `up`, `top`, `bottom` actions (j, k, g, G) for a screen showing one list."""

    LIST = "OptionList"

    def _list(self) -> OptionList:
        return self if isinstance(self, OptionList) else self.query_one(self.LIST)

    def action_down(self) -> None:
        self._list().action_cursor_down()

    def action_up(self) -> None:
        self._list().action_cursor_up()

    def action_top(self) -> None:
        self._list().action_first()

    def action_bottom(self) -> None:
        self._list().action_last()


def clean(text: str) -> str:
    """Project text (names, speakers, quotes) on one line with no control characters."""
    return _CONTROL.sub(" ", text)
