"""Offline checks of rendered manifests, without a cluster: built-in kinds against the Kubernetes
schema (the ``kubernetes-validate`` package, strict: an unknown field is an error), custom resources
against the openAPIV3Schema of the CRDs vendored in deploy/k8s/crds/ (see its README), made strict
the same way: Kubernetes would silently prune a misspelt field, so here it is an error."""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import yaml

CRDS = Path(__file__).resolve().parent / "crds"
KUBERNETES = "1.31.0"
VALUE_ONLY = frozenset({"oneOf", "anyOf", "allOf", "not"})  # the oldest Kubernetes the manifests are meant for


@functools.cache
def crd_schemas() -> dict[tuple[str, str], dict]:
    """``(apiVersion, kind)`` -> the strict schema of that served version."""
    found = {}
    for path in sorted(CRDS.glob("*.yaml")):
        for crd in yaml.safe_load_all(path.read_text()):
            if not crd or crd.get("kind") != "CustomResourceDefinition":
                continue
            group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
            for version in crd["spec"]["versions"]:
                if version.get("served"):
                    found[(f"{group}/{version['name']}", kind)] = strict(version["schema"]["openAPIV3Schema"])
    return found


def strict(schema: dict) -> dict:
    """``schema`` with ``additionalProperties: false`` wherever it lists properties and keeps no
    unknown fields, as ``kubectl apply --validate=strict`` treats them. The branches of ``oneOf``,
    ``anyOf``, ``allOf`` and ``not`` only constrain values (a structural schema's rule) and stay as they are."""
    schema = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key not in VALUE_ONLY:
                    visit(value)
            if (
                "properties" in node
                and "additionalProperties" not in node
                and not node.get("x-kubernetes-preserve-unknown-fields")
            ):
                node["additionalProperties"] = False
        elif isinstance(node, list):
            for item in node:
                visit(item)

    visit(schema)
    return schema


def problems(manifest: dict) -> list[str]:
    """Why ``manifest`` would be refused; empty when it is valid."""
    key = (manifest.get("apiVersion", ""), manifest.get("kind", ""))
    schema = crd_schemas().get(key)
    if schema is not None:
        validator = jsonschema.Draft4Validator(schema)
        return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(manifest)]
    try:
        kubernetes_validate.validate(manifest, KUBERNETES, strict=True)
    except kubernetes_validate.ValidationError as error:
        return [f"{'.'.join(map(str, error.absolute_path))}: {error.message}"]
    except kubernetes_validate.SchemaNotFoundError as error:
        return [str(error)]
    return []
