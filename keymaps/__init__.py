"""Key tables: the default keymap, alternative tables and the user's overrides.

`default.toml` defines every action id (`scope.action`) with its keys and help text; other
tables here (`arrows.toml`) and the user file (`keymap.toml` in the platform config folder,
or the file named by MARGIN_KEYMAP) map single ids to new keys. Problems — unknown ids,
malformed or unsafe keys, two actions on one key — are collected in `Keymap.problems` and
shown when the app starts, never dropped silently. No Textual here: `margin keys` and tests
read keymaps without it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
ENV_FILE = "MARGIN_KEYMAP"

NAMED_KEYS = {
    "up", "down", "left", "right", "home", "end", "pageup", "pagedown", "insert", "delete",
    "escape", "enter", "tab", "space", "backspace",
    *(f"f{n}" for n in range(1, 13)),
}  # fmt: skip
MODIFIERS = ("ctrl", "alt", "shift")
# Keys that terminals or tmux do not pass on, or that are the same bytes as another key.
UNSAFE = {
    "ctrl+i": "it is the same key as tab",
    "ctrl+m": "it is the same key as enter",
    "ctrl+h": "it is the same key as backspace",
    "ctrl+j": "it is the same key as enter in many terminals",
    "ctrl+space": "most terminals send it as ctrl+@",
    "ctrl+enter": "terminals and tmux send it as enter",
    "shift+enter": "terminals and tmux send it as enter",
    "ctrl+c": "it is the terminal's interrupt and copy key",
}
# A focused pane's keys shadow the app's, so app keys must not be reused there.
SHARED_WITH_APP = ("reader", "codes", "documents")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class KeymapError(Exception):
    """A keymap file that cannot be read at all."""


@dataclass
class Action:
    id: str
    keys: tuple[str, ...]
    help: str

    @property
    def scope(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]


@dataclass
class Keymap:
    actions: dict[str, Action]
    sources: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def keys(self, action_id: str) -> str:
        return ",".join(self.actions[action_id].keys)

    def scope(self, scope: str) -> list[Action]:
        return [a for a in self.actions.values() if a.scope == scope]

    def overrides(self) -> dict[str, str]:
        """id -> keys for every action, the argument to Textual's `App.set_keymap`."""
        return {action_id: self.keys(action_id) for action_id in self.actions}

    def display(self, action_id: str) -> str:
        return ", ".join(self.actions[action_id].keys)


def user_file() -> Path:
    if os.environ.get(ENV_FILE):
        return Path(os.environ[ENV_FILE])
    from platformdirs import user_config_path

    return user_config_path("margin") / "keymap.toml"


def available() -> list[str]:
    return sorted(p.stem for p in HERE.glob("*.toml") if p.stem != "default")


@cache
def _default_table() -> dict:
    """default.toml as read, once a run: the app's bindings and its keymap both start from
    it, and reading it again was 10-20 ms of the first frame. Never changed by callers."""
    return _read(HERE / "default.toml")


def default() -> Keymap:
    data = _default_table()
    actions = {}
    for scope, table in data.items():
        for name, entry in table.items():
            action_id = f"{scope}.{name}"
            actions[action_id] = Action(action_id, _split(entry["keys"]), entry.get("help", ""))
    return Keymap(actions, [str(HERE / "default.toml")])


def load(name: str | None = None, user: Path | None = None) -> Keymap:
    """The default table, then table `name` (e.g. "arrows"), then the user's file."""
    keymap = default()
    if name and name != "default":
        path = HERE / f"{name}.toml"
        if not path.is_file():
            keymap.problems.append(f"no keymap named {name!r}; available: default, {', '.join(available())}")
        else:
            _apply(keymap, path)
    user = user or user_file()
    if user.is_file():
        _apply(keymap, user)
    keymap.problems.extend(clashes(keymap))
    return keymap


def _apply(keymap: Keymap, path: Path) -> None:
    try:
        data = _read(path)
    except KeymapError as error:
        keymap.problems.append(str(error))
        return
    keymap.sources.append(str(path))
    for action_id, keys in _flatten(data):
        where = f"{path.name}: {action_id!r}"
        if action_id not in keymap.actions:
            keymap.problems.append(f"{where} is not an action; see `margin keys` for the ids")
            continue
        if not isinstance(keys, str) or not keys.strip():
            keymap.problems.append(f'{where} needs keys as a string, like "j,down"')
            continue
        bad = [f"{key!r} ({why})" for key in _split(keys) if (why := key_problem(key))]
        if bad:
            keymap.problems.append(f"{where}: unusable key {', '.join(bad)}; kept {keymap.display(action_id)}")
            continue
        keymap.actions[action_id].keys = _split(keys)


def _flatten(data: dict):
    """Both `"reader.undo" = "u"` and `[reader] undo = "u"` are accepted."""
    for key, value in data.items():
        if isinstance(value, dict):
            for name, keys in value.items():
                yield f"{key}.{name}", keys
        else:
            yield key, value


def key_problem(key: str) -> str | None:
    """Why `key` cannot be bound, or None when it is fine."""
    if key in UNSAFE:
        return UNSAFE[key]
    if len(key) == 1:
        return None if key.isprintable() and key != "," else "not a printable character"
    *modifiers, base = key.split("+")
    if any(m not in MODIFIERS for m in modifiers):
        return f"modifiers are {', '.join(MODIFIERS)}"
    if "ctrl" in modifiers and "shift" in modifiers:
        return "ctrl+shift does not reach the app inside tmux"
    if len(modifiers) != len(set(modifiers)):
        return "a modifier is repeated"
    if len(base) == 1 and base.isprintable():
        return None
    if base in NAMED_KEYS or _NAME.match(base) and modifiers == [] and "_" in base:
        return None  # a Textual key name such as full_stop or question_mark
    return "unknown key name; use a character or one of " + ", ".join(sorted(NAMED_KEYS)[:12]) + ", ..."


def clashes(keymap: Keymap) -> list[str]:
    """Two actions that one key would trigger in the same place."""
    problems = []
    owners: dict[tuple[str, str], str] = {}
    for action in keymap.actions.values():
        scopes = [action.scope, *(SHARED_WITH_APP if action.scope == "app" else [])]
        for key in action.keys:
            for scope in scopes:
                other = owners.get((scope, canonical(key)))
                if other and other != action.id:
                    problems.append(f"{key!r} is bound to both {other} and {action.id}; change one of them")
                owners[(scope, canonical(key))] = action.id
    return problems


def canonical(key: str) -> str:
    """Characters and their Textual names compare equal: "?" and "question_mark"."""
    import unicodedata

    if len(key) == 1 and not key.isalnum():
        return unicodedata.name(key, key).lower().replace(" ", "_").replace("-", "_")
    return key


def _split(keys: str) -> tuple[str, ...]:
    return tuple(k.strip() for k in keys.split(",") if k.strip())


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise KeymapError(f"{path}: not valid TOML ({error})") from None
    except OSError as error:
        raise KeymapError(f"{path}: cannot read it ({error.strerror})") from None
