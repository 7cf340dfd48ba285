"""Handlers and domain modules know nothing of HTTP: neither they nor anything they import (through
shared/ or the service's own modules) imports FastAPI or Starlette. Read statically, from the
import statements, so that a lazy import inside a function counts too."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WEB = ("fastapi", "starlette")


@functools.cache
def _file_of(module: str) -> Path | None:
    base = ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_of(name: str) -> str:
    """The module a name imported from the repository belongs to (``shared.uow.UnitOfWork``: ``shared.uow``)."""
    while name and _file_of(name) is None:
        name = name.rpartition(".")[0]
    return name


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


@functools.cache
def _imports(path: Path, module: str) -> tuple[str, ...]:
    """The modules ``path`` imports when it runs (not those imported only for type checking);
    each file is parsed once for all the modules whose imports lead to it."""
    return tuple(_parsed_imports(path, module))


def _parsed_imports(path: Path, module: str) -> Iterator[str]:
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    pending: list[ast.AST] = [ast.parse(path.read_text(), str(path))]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)  # a submodule, when it is one
        pending.extend(ast.iter_child_nodes(node))


def _with_parents(module: str) -> Iterator[str]:
    parts = module.split(".")
    for end in range(1, len(parts) + 1):
        yield ".".join(parts[:end])


def web_imports(start: str) -> list[list[str]]:
    """Every chain of imports from ``start`` that ends in FastAPI or Starlette."""
    chains: list[list[str]] = []
    seen: set[str] = set()
    todo: list[list[str]] = [[start]]
    while todo:
        chain = todo.pop()
        for module in _with_parents(chain[-1]):
            if module in seen:
                continue
            seen.add(module)
            path = _file_of(module)
            if path is None:
                continue
            for imported in _imports(path, module):
                if imported.split(".")[0] in WEB:
                    chains.append([*chain, imported])
                elif imported.split(".")[0] in ("shared", "services") and (found := _module_of(imported)):
                    todo.append([*chain, found])
    return chains


def _modules(pattern: str) -> list[str]:
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__") for p in ROOT.glob(pattern)
    )


HANDLERS_AND_DOMAIN = sorted(
    {
        *_modules("services/*/handlers/**/*.py"),
        *_modules("services/*/domain.py"),
        *_modules("services/*/domain/**/*.py"),
        *_modules("services/*/domain_*.py"),
    }
)


def test_handlers_and_domain_modules_are_found() -> None:
    services = {m.split(".")[1] for m in HANDLERS_AND_DOMAIN}
    assert services == {"enrollment", "attendance", "subsidy", "notify"}
    assert "services.enrollment.handlers.bookings" in HANDLERS_AND_DOMAIN
    assert "services.attendance.domain" in HANDLERS_AND_DOMAIN


def test_no_handler_or_domain_module_imports_the_web_framework() -> None:
    offenders = {m: chains[0] for m in HANDLERS_AND_DOMAIN if (chains := web_imports(m))}
    assert not offenders, "\n".join(f"{m}: {' -> '.join(chain)}" for m, chain in offenders.items())


def test_the_check_sees_an_import_through_shared_modules() -> None:
    """The API modules import FastAPI, directly and through shared/http_commands.py."""
    chains = web_imports("services.enrollment.api.bookings")
    assert any("shared.http_commands" in chain for chain in chains), chains
    assert web_imports("shared.http_commands")
    assert not web_imports("shared.commands"), "the command runner is free of HTTP"
