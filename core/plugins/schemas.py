"""API schemas of the plugin registry and the menu."""

from __future__ import annotations

from pydantic import BaseModel


class PluginOut(BaseModel):
    """A loaded plugin and its state for the caller's tenant."""

    name: str
    version: str
    title: str
    title_en: str
    description: str
    requires_core: str
    depends: list[str]
    hooks: list[str]
    builtin: bool
    state: str  # enabled | disabled | not_installed
    installed_version: str | None


class MenuNode(BaseModel):
    key: str
    title: str
    path: str
    icon: str
    plugin: str
    order: int
    children: list[MenuNode]
