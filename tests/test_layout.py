"""The code's layout: stages in layers that import only downwards, no import cycles (counting imports
inside functions and under TYPE_CHECKING), small modules and functions, each module saying what it owns.

The layers, lowest first (``bot/__init__.py`` says the same): ``classifier`` (imports nothing of the
bot), ``bot.base``, ``bot.lists`` and ``bot.papers`` (side by side, neither imports the other),
``bot.propose``, ``bot.publish``, ``bot.jobs``, ``bot.cli``.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from pathlib import Path

from conftest import ROOT

LAYERS = {"classifier": 0, "bot.base": 1, "bot.lists": 2, "bot.papers": 2, "bot.propose": 3,
          "bot.publish": 4, "bot.jobs": 5, "bot.cli": 6}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


@lru_cache(maxsize=None)
def modules() -> dict[str, Path]:
    """Every module of the two packages by dotted name ('bot.lists' for its __init__)."""
    found = {}
    for package in ("bot", "classifier"):
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str) -> set[str]:
    """The modules of the two packages that ``name`` imports, wherever the import statement is."""
    known, path = modules(), modules()[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def layer(name: str) -> tuple[str, int] | None:
    for prefix, rank in LAYERS.items():
        if name == prefix or name.startswith(prefix + "."):
            return prefix, rank
    return None  # bot/__init__.py and bot/__main__.py stand outside the layers


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (a list of modules, the first repeated at the end), or None."""
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                return path[path.index(target):] + [target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def test_layout_has_no_import_cycle():
    graph = {name: imports_of(name) for name in modules()}
    assert cycle_in(graph) is None, " -> ".join(cycle_in(graph))


def test_layout_the_cycle_finder_finds_cycles():
    """The check above can fail: a cycle hidden two modules deep is found."""
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None


def test_layout_lower_layers_never_import_upper_ones():
    wrong = []
    for name in modules():
        mine = layer(name)
        for target in imports_of(name):
            theirs = layer(target)
            if mine and theirs and (theirs[1] > mine[1] or (theirs[1] == mine[1] and theirs[0] != mine[0])):
                wrong.append(f"{name} -> {target}")
    assert not wrong, wrong


def test_layout_the_classifier_imports_nothing_of_the_bot():
    wrong = [f"{name} -> {target}" for name in modules() if name.startswith("classifier")
             for target in imports_of(name) if target.startswith("bot")]
    assert not wrong, wrong


def test_layout_modules_are_small_and_say_what_they_own():
    long, silent = [], []
    for name, path in modules().items():
        text = path.read_text()
        if len(text.splitlines()) > MAX_MODULE_LINES:
            long.append(f"{name}: {len(text.splitlines())} lines")
        if not (ast.get_docstring(ast.parse(text)) or "").strip():
            silent.append(name)
    assert not long, long
    assert not silent, f"modules without a docstring: {silent}"


def test_layout_functions_are_at_most_sixty_lines():
    long = []
    for name, path in modules().items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = node.end_lineno - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{name}.{node.name}: {size} lines")
    assert not long, long
