"""Render the fuban chart offline with the Helm SDK (pip ``helm-python-sdk``) and walk the result.

``helm_python`` binds Helm v4's Go SDK through a shared library shipped inside the wheel, so nothing is
downloaded at run time and no ``helm`` binary is needed. ``lookup`` answers empty offline, so every
render generates fresh secrets, as a first install would.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import helm_python
import kubernetes_validate.utils
import yaml

# kubernetes-validate re-reads its (large) JSON schema files on every call; they never change, so
# read each once. The library's own validate() still does all the work.
kubernetes_validate.utils.schema_contents = cache(kubernetes_validate.utils.schema_contents)

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy" / "helm" / "fuban"
VALUE_SETS: dict[str, Path | None] = {
    "default": None,
    "small-county": CHART / "ci" / "small-county-values.yaml",
    "ha-city": CHART / "ci" / "ha-city-values.yaml",
    "external": CHART / "ci" / "external-values.yaml",
}
# Every Kubernetes minor the chart supports.
KUBE_VERSIONS = ["1.29.0", "1.30.0", "1.31.0", "1.32.0", "1.33.0"]
RELEASE = "fuban"
NAMESPACE = "gov-oa"

WORKLOAD_KINDS = {"Deployment", "StatefulSet", "Job", "CronJob", "Pod"}


def values_of(set_name: str) -> dict[str, Any]:
    path = VALUE_SETS[set_name]
    return {} if path is None else yaml.safe_load(path.read_text(encoding="utf-8"))


def render(values: dict[str, Any], *, upgrade: bool = False) -> list[dict[str, Any]]:
    """Every object the chart renders for ``values`` (hooks included), parsed."""
    with helm_python.Chart.load(CHART) as chart:
        files = chart.render(
            values, name=RELEASE, namespace=NAMESPACE, is_install=not upgrade, is_upgrade=upgrade
        )
    docs: list[dict[str, Any]] = []
    for name, text in sorted(files.items()):
        if not name.endswith((".yaml", ".yml")):
            continue
        docs.extend(d for d in yaml.safe_load_all(text) if d)
    return docs


@cache
def render_set(set_name: str, upgrade: bool = False) -> tuple[dict[str, Any], ...]:
    return tuple(render(values_of(set_name), upgrade=upgrade))


def find(
    docs: tuple[dict[str, Any], ...] | list[dict[str, Any]], kind: str, suffix: str = ""
) -> list[dict[str, Any]]:
    return [d for d in docs if d["kind"] == kind and d["metadata"]["name"].endswith(suffix)]


def one(docs: tuple[dict[str, Any], ...] | list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    hits = [d for d in docs if d["kind"] == kind and d["metadata"]["name"] == name]
    assert len(hits) == 1, f"expected one {kind}/{name}, got {len(hits)}"
    return hits[0]


def pod_spec(doc: dict[str, Any]) -> dict[str, Any] | None:
    if doc["kind"] == "Pod":
        return doc["spec"]
    if doc["kind"] in {"Deployment", "StatefulSet", "Job"}:
        return doc["spec"]["template"]["spec"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return None


def pod_labels(doc: dict[str, Any]) -> dict[str, str]:
    if doc["kind"] == "Pod":
        return doc["metadata"]["labels"]
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    return doc["spec"]["template"]["metadata"]["labels"]


def containers(spec: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from spec.get("initContainers", [])
    yield from spec["containers"]


def secret_values(docs: tuple[dict[str, Any], ...]) -> list[str]:
    """Decoded data of every rendered Secret."""
    out = []
    for d in find(docs, "Secret"):
        out += [base64.b64decode(v).decode() for v in d.get("data", {}).values()]
        out += list(d.get("stringData", {}).values())
    return out


def resolve_env(env: list[dict[str, Any]], secrets: dict[tuple[str, str], str]) -> dict[str, str]:
    """Resolve a container's env the way the kubelet does: secretKeyRef from ``secrets``, then
    ``$(VAR)`` references to variables defined earlier in the list."""
    out: dict[str, str] = {}
    for var in env:
        if "valueFrom" in var:
            ref = var["valueFrom"]["secretKeyRef"]
            out[var["name"]] = secrets[(ref["name"], ref["key"])]
            continue
        value = str(var.get("value", ""))
        for name, resolved in out.items():
            value = value.replace(f"$({name})", resolved)
        out[var["name"]] = value
    return out
