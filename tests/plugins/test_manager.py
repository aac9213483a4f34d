"""Plugin discovery and manifest checks (no servers needed: pure loading logic)."""

from __future__ import annotations

import importlib.metadata
import textwrap
import types
from pathlib import Path

import pytest

from core.plugins import hookspecs
from core.plugins import manager as manager_module
from core.plugins.manager import PluginError, PluginManager
from core.plugins.types import PluginManifest
from tests.sample_plugin import plugin as sample


def _module(name: str, **manifest_kw: object) -> types.ModuleType:
    mod = types.ModuleType(f"fake_{name}")
    mod.manifest = PluginManifest(
        name=name, version=str(manifest_kw.pop("version", "1.0")), title=name, **manifest_kw
    )  # type: ignore[arg-type]
    return mod


def test_sample_plugin_implements_every_hook() -> None:
    manager = PluginManager.load(extra=[sample], discover=False)
    assert manager.names() == ["core", "sample"]
    assert set(manager.get("sample").hooks) == set(hookspecs.HOOK_NAMES)


def test_collect_attributes_results_to_plugins() -> None:
    manager = PluginManager.load(extra=[sample], discover=False)
    perms = manager.collect("register_permissions")
    assert [p.code for p in perms["sample"]] == ["sample.items.read"]
    assert all(p.code.startswith("core.") for p in perms["core"])


def test_missing_manifest_is_a_clear_error() -> None:
    with pytest.raises(PluginError, match="no `manifest"):
        PluginManager.load(extra=[types.ModuleType("nomanifest")], discover=False)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"requires_core": ">=99"}, "requires core >=99"),
        ({"requires_core": "not a spec"}, "not a version specifier"),
        ({"version": "one.two"}, "not PEP 440"),
        ({"depends": ("ghost",)}, "depends on 'ghost'"),
    ],
)
def test_manifest_checks(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(PluginError, match=message):
        PluginManager.load(extra=[_module("broken", **kwargs)], discover=False)


def test_bad_name_and_duplicates_rejected() -> None:
    with pytest.raises(PluginError, match="name must match"):
        PluginManager.load(extra=[_module("Bad-Name")], discover=False)
    with pytest.raises(PluginError, match="installed twice"):
        PluginManager.load(extra=[_module("twin"), _module("twin")], discover=False)


def test_dependency_order_and_cycles() -> None:
    a, b = _module("alpha", depends=("beta",)), _module("beta")
    assert PluginManager.load(extra=[a, b], discover=False).names() == ["core", "beta", "alpha"]
    x, y = _module("xx", depends=("yy",)), _module("yy", depends=("xx",))
    with pytest.raises(PluginError, match="cycle"):
        PluginManager.load(extra=[x, y], discover=False)


def test_unknown_hook_name_is_rejected() -> None:
    mod = _module("typo")

    @hookspecs.hookimpl
    def register_routs() -> list[object]:  # misspelt on purpose
        return []

    mod.register_routs = register_routs  # type: ignore[attr-defined]
    with pytest.raises(PluginError, match="unknown hook"):
        PluginManager.load(extra=[mod], discover=False)


def test_entry_point_discovery_and_allowlist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "fuban_sample-1.2.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fuban-sample\nVersion: 1.2.0\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent(
            """\
            [fuban.plugins]
            sample = tests.sample_plugin.plugin
            """
        )
    )

    # Discover from this folder only (real dist-info parsing), whatever else is installed.
    def only_here(group: str) -> list[importlib.metadata.EntryPoint]:
        return [
            ep
            for d in importlib.metadata.distributions(path=[str(tmp_path)])
            for ep in d.entry_points
            if ep.group == group
        ]

    monkeypatch.setattr(manager_module, "entry_points", only_here)
    assert PluginManager.load().names() == ["core", "sample"]
    assert PluginManager.load(allowlist=[]).names() == ["core"]
    # an entry point whose name disagrees with the manifest is refused
    (dist / "entry_points.txt").write_text("[fuban.plugins]\nwrongname = tests.sample_plugin.plugin\n")
    with pytest.raises(PluginError, match="names must agree"):
        PluginManager.load()
