"""Which code may import which: the tests are nobody's library, and shared/ has no import cycle."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from deploy.endpoints import ROOT


def imports_of(path: Path) -> Iterator[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` (module -> the modules it imports), or None."""
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> list[str] | None:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return None
        for imported in sorted(graph[module]):
            found = visit(imported, [*path, module])
            if found:
                return found
        done.add(module)
        return None

    return next(filter(None, (visit(m, []) for m in sorted(graph))), None)


def test_benchmarks_the_demo_and_the_services_never_import_the_tests() -> None:
    offenders = sorted(
        {
            f"{path.relative_to(ROOT)} imports from tests/"
            for folder in ("bench", "testkit", "deploy", "shared", "services")
            for path in (ROOT / folder).rglob("*.py")
            for name in imports_of(path)
            if name == "tests" or name.startswith("tests.")
        }
    )
    assert offenders == [], "the shared helpers live in testkit/:\n" + "\n".join(offenders)


def test_shared_modules_import_each_other_without_a_cycle() -> None:
    modules = {module_name(p): p for p in (ROOT / "shared").rglob("*.py")}
    graph = {
        name: {imported for imported in imports_of(path) if imported in modules and imported != name}
        for name, path in modules.items()
    }
    # A package importing its own submodules to register them is not a cycle.
    graph = {name: {i for i in imported if not i.startswith(f"{name}.")} for name, imported in graph.items()}
    assert cycle_in(graph) is None, " -> ".join(cycle_in(graph) or [])


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) is None
