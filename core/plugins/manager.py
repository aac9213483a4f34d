"""Discovery, manifest checks and per-plugin hook calls.

Plugins come from the ``fuban.plugins`` entry-point group (filtered by the ``FUBAN_PLUGINS``
allowlist); the core's own features are the built-in plugin ``core``, loaded first, using the same
hooks. Hooks are called once per plugin so the core knows which plugin returned what.
"""

from __future__ import annotations

import importlib
import inspect
import logging
from dataclasses import dataclass
from importlib.metadata import entry_points
from types import ModuleType
from typing import Any

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

import core
from core.plugins import hookspecs
from core.plugins.types import NAME_RE, PluginManifest

logger = logging.getLogger(__name__)
ENTRY_POINT_GROUP = "fuban.plugins"
CORE_PLUGIN = "core"


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message names the plugin and what is wrong."""


@dataclass(frozen=True)
class LoadedPlugin:
    """A plugin that passed its checks."""

    manifest: PluginManifest
    module: ModuleType
    hooks: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.manifest.name

    @property
    def builtin(self) -> bool:
        return self.manifest.name == CORE_PLUGIN


def _check_manifest(module: ModuleType, expected_name: str | None) -> PluginManifest:
    where = getattr(module, "__name__", "?")
    manifest = getattr(module, "manifest", None)
    if not isinstance(manifest, PluginManifest):
        raise PluginError(f"plugin module {where}: no `manifest = PluginManifest(...)`")
    if not NAME_RE.match(manifest.name):
        raise PluginError(f"plugin {manifest.name!r}: name must match {NAME_RE.pattern}")
    if expected_name is not None and manifest.name != expected_name:
        raise PluginError(
            f"plugin {manifest.name!r}: entry point is named {expected_name!r}; the names must agree"
        )
    try:
        Version(manifest.version)
    except InvalidVersion:
        raise PluginError(f"plugin {manifest.name!r}: version {manifest.version!r} is not PEP 440") from None
    if manifest.requires_core:
        try:
            spec = SpecifierSet(manifest.requires_core)
        except InvalidSpecifier:
            raise PluginError(
                f"plugin {manifest.name!r}: requires_core {manifest.requires_core!r}"
                " is not a version specifier (e.g. '>=0.1')"
            ) from None
        if not spec.contains(core.__version__, prereleases=True):
            raise PluginError(
                f"plugin {manifest.name!r} requires core {manifest.requires_core}, "
                f"but this is core {core.__version__}"
            )
    return manifest


def _order_by_depends(plugins: dict[str, LoadedPlugin]) -> list[LoadedPlugin]:
    """Topological order; a missing or cyclic dependency is a load error naming the plugin."""
    ordered: list[LoadedPlugin] = []
    state: dict[str, str] = {}

    def visit(name: str, chain: tuple[str, ...]) -> None:
        if state.get(name) == "done":
            return
        if state.get(name) == "visiting":
            raise PluginError("plugin dependency cycle: " + " -> ".join((*chain, name)))
        state[name] = "visiting"
        for dep in plugins[name].manifest.depends:
            if dep not in plugins:
                raise PluginError(
                    f"plugin {name!r} depends on {dep!r}, which is not installed or not allowed"
                )
            visit(dep, (*chain, name))
        state[name] = "done"
        ordered.append(plugins[name])

    for name in sorted(plugins, key=lambda n: (n != CORE_PLUGIN, n)):
        visit(name, ())
    return ordered


class PluginManager:
    """The loaded plugins of this process and the way to call their hooks."""

    def __init__(self) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self._plugins: list[LoadedPlugin] = []

    @classmethod
    def load(
        cls,
        allowlist: list[str] | None = None,
        extra: list[ModuleType] | None = None,
        discover: bool = True,
    ) -> PluginManager:
        """Load the core plugin, the entry-point plugins (allowlisted) and ``extra`` modules (tests)."""
        self = cls()
        found: dict[str, LoadedPlugin] = {}
        candidates: list[tuple[ModuleType, str | None]] = [
            (importlib.import_module("core.builtin"), CORE_PLUGIN)
        ]
        if discover:
            for ep in entry_points(group=ENTRY_POINT_GROUP):
                if allowlist is not None and ep.name not in allowlist:
                    continue
                try:
                    module = ep.load()
                except Exception as exc:
                    raise PluginError(f"plugin {ep.name!r}: import of {ep.value} failed: {exc}") from exc
                candidates.append((module, ep.name))
        candidates.extend((m, None) for m in extra or [])
        for module, expected in candidates:
            manifest = _check_manifest(module, expected)
            if manifest.name in found:
                raise PluginError(f"plugin {manifest.name!r} is installed twice")
            self.pm.register(module, name=manifest.name)
            hooks = tuple(
                h
                for h in hookspecs.HOOK_NAMES
                if any(i.plugin_name == manifest.name for i in getattr(self.pm.hook, h).get_hookimpls())
            )
            found[manifest.name] = LoadedPlugin(manifest, module, hooks)
        try:
            self.pm.check_pending()
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {exc.plugin!r}: unknown hook: {exc}") from exc
        self._plugins = _order_by_depends(found)
        return self

    @property
    def plugins(self) -> list[LoadedPlugin]:
        """Loaded plugins, core first, each after its dependencies."""
        return list(self._plugins)

    def get(self, name: str) -> LoadedPlugin | None:
        return next((p for p in self._plugins if p.name == name), None)

    def names(self) -> list[str]:
        return [p.name for p in self._plugins]

    def _impl(self, plugin: str, hook: str) -> Any | None:
        for impl in getattr(self.pm.hook, hook).get_hookimpls():
            if impl.plugin_name == plugin:
                return impl.function
        return None

    def collect(self, hook: str, **kwargs: Any) -> dict[str, Any]:
        """Call a ``register_*`` hook of every plugin; plugin name → returned data (``None`` dropped)."""
        out: dict[str, Any] = {}
        for plugin in self._plugins:
            fn = self._impl(plugin.name, hook)
            if fn is None:
                continue
            result = fn(**kwargs)
            if result is not None:
                out[plugin.name] = result
        return out

    async def call_lifecycle(self, plugin: str, hook: str, **kwargs: Any) -> bool:
        """Call one plugin's lifecycle hook (sync or async); ``False`` when it has none."""
        if hook not in hookspecs.LIFECYCLE_HOOKS:
            raise ValueError(f"{hook} is not a lifecycle hook")
        fn = self._impl(plugin, hook)
        if fn is None:
            return False
        result = fn(**kwargs)
        if inspect.isawaitable(result):
            await result
        return True
