"""The store's dependencies run one way (issue 11, the shape of the store):

    base      records and their checks: errors, clock, digests, text, suggest, model, schema
    core      persistence: store/core/ (the Store: files, log, operations, undo and redo,
              checkpoints, backups) with storage, journal, layout, codings_files, backup,
              lock, migrate and state; it knows entities only as base records
    domain    the collections (documents, codebook, codings, memos, attributes,
              annotations) and the Workspace protocol they name the open project by
    facade    store.project: Project, the core plus the collections
    the rest  restore, team, refi, exporters, analysis, ...: anything below, nothing circular

Every import of every module under store/ is read with `ast`: at the top, under
`if TYPE_CHECKING:` and inside functions. Base, core and domain modules import only their
own layer and those below; the facade anything but restore; and the imports that run (all
but TYPE_CHECKING's, which may name a type of the same layer both ways) form no cycle
anywhere in store/.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

BASE = {"store", "store.errors", "store.clock", "store.digests", "store.graphemes", "store.patterns", "store.text", "store.suggest", "store.model", "store.schema"}
CORE_MODULES = {
    "store.storage", "store.journal", "store.layout", "store.codings_files", "store.backup", "store.lock",
    "store.migrate", "store.state",
}  # fmt: skip
DOMAIN = {
    "store.documents", "store.codebook", "store.codings", "store.memos", "store.attributes", "store.annotations",
    "store.workspace",
}  # fmt: skip
FACADE = "store.project"
# What the domain imports to do its work that is neither core nor domain: parsing transcripts,
# reading a table (store.importers, store.exporters.tabular and what they import), comparing
# names and attribute values as the researcher types them (speakers, attribute_values), and
# finding a text's words (store.words: an import counts them and keeps them for the analyses).
DOMAIN_TOOLS = ("store.importers", "store.exporters.tabular", "store.exporters.output", "store.speakers",
                "store.attribute_values", "store.words")  # fmt: skip
# Cycles of imports that run, outside this modules, each to be broken by its owner:
# the analysis modules import each other inside functions (store/analysis, issue 10).
# columns asks live for the app's in-memory columns, which are made by columns' functions.
KNOWN_CYCLES = [frozenset({"store.analysis.columns", "store.analysis.frequencies", "store.analysis.live"})]


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def imports_of(source: str, name: str, is_package: bool, modules: set[str]) -> list[tuple[str, bool]]:
    """The store modules a module's source imports, each with whether the import runs
    (False for one under `if TYPE_CHECKING:`), wherever the statement is."""
    found: list[tuple[str, bool]] = []
    package = name if is_package else name.rpartition(".")[0]

    def resolve(target: str) -> str | None:
        return target if target in modules else None

    def visit(node: ast.AST, runs: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                visit(child, False)
            for child in node.orelse:
                visit(child, runs)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = resolve(alias.name)
                found.extend([(target, runs)] if target else [])
        elif isinstance(node, ast.ImportFrom) and node.module != "__future__":
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                target = resolve(f"{base}.{alias.name}") or resolve(base)
                found.extend([(target, runs)] if target else [])
        for child in ast.iter_child_nodes(node):
            visit(child, runs)

    visit(ast.parse(source), True)
    return [(target, runs) for target, runs in found if target != name]


def import_graph(root: Path) -> dict[str, list[tuple[str, bool]]]:
    """Every module under root/store and the store modules it imports."""
    paths = {module_name(path, root): path for path in sorted((root / "store").rglob("*.py"))}
    modules = set(paths)
    return {
        name: imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py", modules)
        for name, path in paths.items()
    }


def layer_of(module: str) -> int:
    """0 base, 1 core, 2 domain, 3 facade, 4 everything else."""
    if module in BASE:
        return 0
    if module in CORE_MODULES or module == "store.core" or module.startswith("store.core."):
        return 1
    if module in DOMAIN or module.startswith(DOMAIN_TOOLS):
        return 2
    return 3 if module == FACADE else 4


def layering_problems(graph: dict[str, list[tuple[str, bool]]]) -> list[str]:
    """Each import that points up the layers: base, core and domain modules import only
    their own layer or those below; the facade imports anything but restore (which comes
    back to it through the cycle check otherwise); the rest is free but for cycles."""
    names = ("base", "core", "domain", "the facade", "the rest")
    problems = []
    for module, targets in graph.items():
        mine = layer_of(module)
        for target, _runs in targets:
            theirs = layer_of(target)
            if (mine < 3 and theirs > mine) or (mine == 3 and target == "store.restore"):
                problems.append(f"{module} ({names[mine]}) imports {target} ({names[theirs]})")
    return sorted(set(problems))


def cycles(graph: dict[str, list[tuple[str, bool]]]) -> list[frozenset[str]]:
    """The groups of modules whose imports that run go round in a circle (Tarjan's
    strongly connected components, iteratively)."""
    edges = {module: sorted({t for t, runs in targets if runs}) for module, targets in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in edges:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = len(index)
                stack.append(node)
                on_stack.add(node)
            targets = edges.get(node, [])
            if position < len(targets):
                work.append((node, position + 1))
                target = targets[position]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(frozenset(group))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return found


@pytest.fixture(scope="module")
def graph():
    return import_graph(REPO)


def test_the_layers_name_modules_that_exist(graph):
    named = BASE | CORE_MODULES | DOMAIN | {FACADE, "store.core.store"}
    assert named - set(graph) == set()


def test_every_import_points_down_the_layers(graph):
    assert layering_problems(graph) == []


def test_no_store_module_imports_the_facade_from_below_or_restore_back(graph):
    below = [m for m in graph if layer_of(m) < 3]
    assert [m for m in below if any(t == FACADE for t, _ in graph[m])] == []
    assert not any(t == "store.restore" for t, _ in graph[FACADE])
    assert not any(t == FACADE for t, _ in graph["store.restore"])


def test_the_imports_that_run_form_no_cycle(graph):
    found = cycles(graph)
    assert [sorted(group) for group in found if group not in KNOWN_CYCLES] == []
    assert [sorted(group) for group in KNOWN_CYCLES if group not in found] == [], "a known cycle is gone: drop it from KNOWN_CYCLES"


# ---------------------------------------------------------------------- the checker itself

TABLE = [  # (modules and their source, the problems the checker must find)
    ({"store.core.a": "from store.codings import Codings"}, ["layering"]),
    ({"store.core.a": "def f():\n    from store import codebook"}, ["layering"]),
    ({"store.codings": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from store.project import Project"}, ["layering"]),
    ({"store.codings": "from store.codebook import Codebook"}, []),
    ({"store.codings": "def f():\n    from store.refi import export_qdpx"}, ["layering"]),
    ({"store.codings": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from store.codebook import Codebook"}, []),
    ({"store.journal": "import store.state"}, []),
    ({"store.state": "from store.codings import Codings"}, ["layering"]),
    ({"store.model": "from store.storage import write_atomic"}, ["layering"]),
    ({"store.project": "from store.restore import restore"}, ["layering"]),
    ({"store.restore": "from store.project import Project", "store.project": "def f():\n    from store.restore import x"},
     ["layering", "cycle"]),
    ({"store.team.a": "from store.team import b", "store.team.b": "def f():\n    import store.team.a"}, ["cycle"]),
    ({"store.team.a": "from . import b", "store.team.b": "from .a import x"}, ["cycle"]),
    ({"store.team.a": "from store.team import b", "store.team.b": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
      "    from store.team.a import x"}, []),
    ({"store.refi.a": "from store.project import Project\nfrom store.core.store import Store"}, []),
]  # fmt: skip


@pytest.mark.parametrize(("sources", "expected"), TABLE)
def test_the_checker_finds_each_kind_of_wrong_import(tmp_path, sources, expected):
    names = {"store", "store.codings", "store.codebook", "store.project", "store.restore", "store.journal", "store.state",
             "store.model", "store.storage", "store.core", "store.core.store", "store.team", "store.refi", *sources}  # fmt: skip
    for name in names:
        path = tmp_path / Path(*name.split("."))
        is_package = name in ("store", "store.core", "store.team", "store.refi")
        path = path / "__init__.py" if is_package else path.with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(sources.get(name, ""))
    graph = import_graph(tmp_path)
    found = (["layering"] if layering_problems(graph) else []) + (["cycle"] if cycles(graph) else [])
    assert found == expected
