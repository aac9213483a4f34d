"""``/api/plugins/{name}/settings``: a tenant's overrides of a plugin's declared settings (插件设置).

A plugin declares its settings and defaults with ``register_settings``; an office changes values for
its own tenant here. Only declared keys are accepted, each with the type of its default (an integer
is accepted where the default is a float), so a typo can't silently create a setting nobody reads.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, put
from litestar.params import JSONBody
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.ext.asyncio import AsyncSession

from core.errors import AppError, FieldError, Msg
from core.identity import audit_hook
from core.plugins.models import PluginState
from core.runtime import get_runtime
from core.security.guards import principal_or_401, require_permission

MANAGE = "core.plugins.manage"
MAX_TEXT = 10_000


class SettingsIn(BaseModel):
    """New overrides; a ``null`` value drops the override (back to the default)."""

    model_config = ConfigDict(extra="forbid")
    values: dict[str, Any] = Field(max_length=200)


class SettingsOut(BaseModel):
    plugin: str
    defaults: dict[str, Any]
    overrides: dict[str, Any]
    effective: dict[str, Any]


def _fits(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, float):
        return isinstance(value, int | float)
    if default is None:
        return isinstance(value, str | int | float | list | dict)
    return isinstance(value, type(default))


def _check(defaults: dict[str, Any], values: dict[str, Any]) -> None:
    errors = []
    for key, value in values.items():
        field = f"values.{key}"
        if key not in defaults:
            errors.append(
                FieldError(
                    field, "unknown_setting", Msg("插件未声明此设置", "The plugin declares no such setting")
                )
            )
        elif value is not None and not _fits(defaults[key], value):
            kind = type(defaults[key]).__name__
            errors.append(FieldError(field, "wrong_type", Msg(f"类型应为 {kind}", f"Must be of type {kind}")))
        elif isinstance(value, str) and len(value) > MAX_TEXT:
            errors.append(FieldError(field, "too_long", Msg("内容过长", "Too long")))
    if errors:
        raise AppError("validation_failed", Msg("设置有误", "Invalid settings"), status=422, fields=errors)


def _not_found() -> AppError:
    return AppError(
        "plugin_not_installed", Msg("该插件未在本单位安装", "The plugin is not installed here"), 404
    )


class PluginSettingsController(Controller):
    path = "/plugins/{name:str}/settings"
    guards = [require_permission(MANAGE)]  # noqa: RUF012 - Litestar reads class attributes
    tags = ["plugins"]  # noqa: RUF012

    async def _row(
        self, session: AsyncSession, request: Request[Any, Any, Any], name: str, *, lock: bool = False
    ) -> PluginState:
        principal = principal_or_401(request)
        row = await session.get(PluginState, (principal.tenant_id, name), with_for_update=lock)
        if row is None or get_runtime().manager.get(name) is None:
            raise _not_found()
        return row

    @staticmethod
    def _out(name: str, overrides: dict[str, Any]) -> SettingsOut:
        defaults = dict(get_runtime().plugin_settings.get(name, {}))
        kept = {k: v for k, v in overrides.items() if k in defaults}
        return SettingsOut(plugin=name, defaults=defaults, overrides=kept, effective={**defaults, **kept})

    @get("/", operation_id="plugins_get_settings", summary="A plugin's settings for my tenant")
    async def get_settings(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str
    ) -> SettingsOut:
        row = await self._row(db_session, request, name)
        return self._out(name, row.settings or {})

    @put("/", operation_id="plugins_set_settings", summary="Change a plugin's settings for my tenant")
    async def set_settings(
        self, request: Request[Any, Any, Any], db_session: AsyncSession, name: str, data: JSONBody[SettingsIn]
    ) -> SettingsOut:
        """Merge ``values`` into the tenant's overrides (``null`` removes one); 422 names each bad key."""
        row = await self._row(db_session, request, name, lock=True)
        defaults = get_runtime().plugin_settings.get(name, {})
        _check(defaults, data.values)
        before = dict(row.settings or {})
        after = {**before, **data.values}
        row.settings = {k: v for k, v in after.items() if v is not None}
        await db_session.flush()
        await audit_hook.record(
            db_session,
            principal_or_401(request),
            "core.plugin.settings",
            object_type="plugin",
            object_id=name,
            tenant_id=row.tenant_id,
            before=before,
            after=row.settings,
        )
        return self._out(name, row.settings)
