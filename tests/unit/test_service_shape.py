"""Every service has the same shape, so learning one teaches all four: the same folders, HTTP
routes split by resource, request models in one module, a response model on every endpoint, and
SQL only under db/."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.utils import is_body_allowed_for_status_code
from pydantic import BaseModel

from deploy.provision import SERVICES

ROOT = Path(__file__).resolve().parents[2]
SHAPE = {
    "__init__.py",
    "__main__.py",
    "app.py",  # wiring: the ServiceDefinition
    "config.py",  # the settings class
    "access.py",  # who may see and change what
    "api",  # HTTP, one module per resource
    "handlers",  # commands and event handlers
    "domain",  # rules without I/O; domain/commands.py holds the request models
    "db",  # every SQL statement
    "migrations",
}
EXTRAS = {"notify": {"channels"}}  # one plug-in per way of reaching a guardian
# The web front end is a part of its own with the same shape where it applies: wiring, settings,
# and its HTTP (pages/, one module per kind of user). It owns no data and handles no event, so it
# has no access.py (the APIs it calls decide), handlers/, domain/, db/ or migrations/.
WEB_SHAPE = {"__init__.py", "__main__.py", "app.py", "config.py", "pages", "templates", "static"}
# the services' APIs, who is signed in, the catalogue, the identity provider's protocol (OpenID Connect)
WEB_EXTRAS = {"backend.py", "session.py", "i18n.py", "oidc.py"}
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|ON\s+CONFLICT)\b", re.I | re.S)


def _entries(service: str) -> set[str]:
    return {p.name for p in (ROOT / "services" / service).iterdir() if p.name != "__pycache__"}


@pytest.mark.parametrize("service", SERVICES)
def test_the_service_has_the_shape_every_service_has(service: str) -> None:
    assert _entries(service) == SHAPE | EXTRAS.get(service, set())
    for package in ("api", "handlers", "domain", "db"):
        assert (ROOT / "services" / service / package / "__init__.py").is_file(), f"{package}/ is a package"
    assert (ROOT / "services" / service / "domain" / "commands.py").is_file()


def test_the_web_front_end_has_the_shape_of_a_part_without_data() -> None:
    assert _entries("web") == WEB_SHAPE | WEB_EXTRAS
    assert (ROOT / "services" / "web" / "pages" / "__init__.py").is_file(), "pages/ is a package"
    web = ROOT / "services" / "web"
    found = [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for path in web.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value)
    ]
    imports = {
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for path in web.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert not found, f"the web front end writes no SQL: {found}"
    assert not {m for m in imports if m and m.split(".")[0] in {"asyncpg", "aiokafka", "confluent_kafka", "faststream"}}
    assert not {
        m
        for m in imports
        if m
        and m.startswith(
            ("shared.db", "shared.uow", "shared.consumer", "services.e", "services.a", "services.s", "services.n")
        )
    }


@pytest.mark.parametrize("service", SERVICES)
def test_sql_is_written_only_under_db(service: str) -> None:
    folder = ROOT / "services" / service
    found = []
    for path in folder.rglob("*.py"):
        if path.relative_to(folder).parts[0] == "db":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.search(node.value):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not found, f"SQL outside db/: {found}"


def _walk(routes: list[Any]) -> Iterator[APIRoute]:
    """Every endpoint, also inside included routers (FastAPI keeps those as one entry each)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from _walk(route.original_router.routes)


def _routes(service: str) -> list[APIRoute]:
    routes = list(_walk(importlib.import_module(f"services.{service}.app").definition.api.routes))
    assert routes, f"{service} has no endpoints: the walk is broken"
    return routes


@pytest.mark.parametrize("service", SERVICES)
def test_routes_are_split_by_resource(service: str) -> None:
    modules = {r.endpoint.__module__ for r in _routes(service)}
    assert f"services.{service}.api" not in modules, "api/__init__.py only assembles the resources' routers"
    assert all(m.startswith(f"services.{service}.api.") for m in modules), modules


@pytest.mark.parametrize("service", SERVICES)
def test_every_endpoint_declares_what_it_returns(service: str) -> None:
    def declared(route: APIRoute) -> bool:
        if not is_body_allowed_for_status_code(route.status_code):
            return True  # e.g. 204: nothing comes back
        if route.response_model is not None:
            return inspect.isclass(route.response_model) and issubclass(route.response_model, BaseModel)
        return bool(route.responses.get(200, {}).get("content"))  # CSV, an event stream

    undeclared = [f"{sorted(r.methods)[0]} {r.path}" for r in _routes(service) if not declared(r)]
    assert not undeclared, f"endpoints without a pydantic response model: {undeclared}"


@pytest.mark.parametrize("service", SERVICES)
def test_request_models_live_in_domain_commands(service: str) -> None:
    home = f"services.{service}.domain.commands"
    elsewhere = []
    for route in _routes(service):
        for param in route.dependant.body_params + route.dependant.query_params:
            model = param.field_info.annotation
            if inspect.isclass(model) and issubclass(model, BaseModel) and model.__module__ != home:
                elsewhere.append(f"{route.path}: {model.__module__}.{model.__name__}")
    assert not elsewhere, f"request models outside {home}: {elsewhere}"
