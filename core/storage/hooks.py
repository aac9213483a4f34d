"""What the core plugin returns from its hooks for file storage (wired in ``core/builtin.py`` / app)."""

from __future__ import annotations

from typing import Any

from litestar import Litestar

from core.plugins.types import JobSpec
from core.storage.models import StoredFile
from core.storage.permissions import STORAGE_DEFAULT_GRANTS, STORAGE_PERMISSIONS
from core.storage.service import StorageService
from core.storage.sweeper import sweep_job

__all__ = [
    "STORAGE_DEFAULT_GRANTS",
    "STORAGE_PERMISSIONS",
    "storage_jobs",
    "storage_models",
    "storage_routes",
    "storage_shutdown",
    "storage_startup",
]


def storage_routes() -> list[Any]:
    from core.storage.controller import FileController  # noqa: PLC0415 - controllers only when an app is built

    return [FileController]


def storage_models() -> list[type[Any]]:
    return [StoredFile]


def storage_jobs() -> list[JobSpec]:
    # Hourly: orphans out, missing objects flagged, interrupted deletions finished.
    return [JobSpec(name="storage_sweep", fn=sweep_job, schedule="17 * * * *", max_retries=1)]


async def storage_startup(app: Litestar) -> None:
    """Build the process's StorageService once (``app.state.storage``); needs ``app.state.runtime``."""
    runtime = app.state.runtime
    if not isinstance(runtime.storage, StorageService):
        runtime.storage = StorageService.from_settings(runtime.settings)
    app.state.storage = runtime.storage


async def storage_shutdown(app: Litestar) -> None:
    """Let after-commit object removals finish before the process exits."""
    service = app.state.get("storage")
    if isinstance(service, StorageService):
        await service.drain()
