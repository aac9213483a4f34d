"""The Litestar application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from types import ModuleType
from typing import Any

from litestar import Litestar, Router
from litestar.config.cors import CORSConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from core import __version__
from core.audit.context import AuditContextMiddleware
from core.db.deps import provide_db_session
from core.db.engine import Database
from core.errors import exception_handler
from core.frontend import frontend_handlers
from core.plugins.gate import plugin_gate
from core.plugins.manager import CORE_PLUGIN, PluginManager
from core.runtime import Runtime, set_runtime
from core.security.middleware import AuthMiddleware, dispose_auth_engine
from core.settings import Settings, get_settings
from core.storage.hooks import storage_shutdown, storage_startup

logger = logging.getLogger(__name__)
DOCS_ASSETS = "/static/docs"


def _docs_assets_dir() -> Path:
    import litestar_offline_docs  # noqa: PLC0415 - ships Swagger UI files, so docs need no CDN

    return Path(litestar_offline_docs.__file__).parent / "static"


def _openapi(settings: Settings) -> OpenAPIConfig | None:
    if not settings.docs_enabled:
        return None
    swagger = SwaggerRenderPlugin(
        js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
        css_url=f"{DOCS_ASSETS}/swagger-ui.css",
        standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui-standalone-preset.js",
        favicon="<link rel='icon' href='data:,'>",
        path="/swagger",
    )
    return OpenAPIConfig(
        title="fuban (府办) API",
        version=__version__,
        path="/schema",
        render_plugins=[swagger],
        use_handler_docstrings=True,
    )


def build_routers(runtime: Runtime) -> list[Router]:
    """Core routes under /api; each plugin's under /api/<name>, hidden where not enabled."""
    routers = []
    for plugin, handlers in runtime.manager.collect("register_routes").items():
        if plugin == CORE_PLUGIN:
            routers.append(Router(path="/api", route_handlers=handlers))
        else:
            routers.append(
                Router(
                    path=f"/api/{plugin}",
                    route_handlers=handlers,
                    guards=[plugin_gate(plugin)],
                    tags=[plugin],
                )
            )
    return routers


def create_app(
    settings: Settings | None = None,
    manager: PluginManager | None = None,
    extra_plugins: list[ModuleType] | None = None,
) -> Litestar:
    settings = settings or get_settings()
    manager = manager or PluginManager.load(settings.plugins, extra=extra_plugins)
    runtime = Runtime.build(settings, manager)
    set_runtime(runtime)

    async def startup(app: Litestar) -> None:
        db = Database(settings)
        runtime.db = db
        app.state.db = db
        app.state.runtime = runtime
        set_runtime(runtime)
        await storage_startup(app)

    async def shutdown(app: Litestar) -> None:
        await storage_shutdown(app)
        if runtime.db is not None:
            await dispose_auth_engine(runtime.db)
            await runtime.db.dispose()

    handlers: list[Any] = build_routers(runtime)
    if settings.docs_enabled:
        handlers.append(
            create_static_files_router(
                path=DOCS_ASSETS, directories=[_docs_assets_dir()], include_in_schema=False
            )
        )
    handlers.extend(frontend_handlers())  # the built console and portal at /, after the API
    return Litestar(
        route_handlers=handlers,
        dependencies={"db_session": Provide(provide_db_session)},
        exception_handlers={Exception: exception_handler},
        on_startup=[startup],
        on_shutdown=[shutdown],
        openapi_config=_openapi(settings),
        # Audit context first, so records written during authentication know where the request came from.
        middleware=[AuditContextMiddleware(), AuthMiddleware()],
        cors_config=CORSConfig(allow_origins=[]) if settings.env == "production" else None,
        debug=False,
    )
