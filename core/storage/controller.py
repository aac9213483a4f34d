"""``/files``: upload (streaming), metadata, download (presigned redirect or through the API), delete.

Files are visible to the person who uploaded them (within their clearance); plugins hand their files
to others through their own routes and row-level rules, using :class:`StorageService`. Any other
file id, another tenant's included, answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Stream
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.audit.service import record, record_read
from core.db.base import utcnow
from core.errors import AppError, Msg, invalid
from core.plugins.models import PluginState
from core.plugins.service import PluginService
from core.runtime import get_runtime
from core.security.guards import principal_or_401, require_permission, require_staff
from core.security.principal import Principal
from core.settings import get_settings
from core.storage.incoming import read_upload
from core.storage.models import StoredFile
from core.storage.names import content_disposition
from core.storage.permissions import FILES_UPLOAD
from core.storage.policy import StoragePolicy, policy_for
from core.storage.schemas import DownloadUrlOut, FileOut
from core.storage.service import StorageService, file_not_found

FILE_MISSING = AppError(
    "file_missing", Msg("文件内容丢失，请联系管理员", "The file's content is missing"), status=410
)


def provide_storage(state: State) -> StorageService:
    """The process's :class:`StorageService` (built from settings on first use, kept on ``app.state``)."""
    service = state.get("storage")
    if not isinstance(service, StorageService):
        runtime = state.get("runtime")
        settings = runtime.settings if runtime is not None else get_settings()
        service = StorageService.from_settings(settings)
        state["storage"] = service
    return service


async def resolve_policy(session: AsyncSession, tenant_id: uuid.UUID, plugin: str) -> StoragePolicy:
    """The plugin's policy for this tenant; 422 for a plugin that is not loaded or not enabled here."""
    rt = get_runtime()
    enabled = rt.manager.get(plugin) is not None and await PluginService(rt.manager).is_enabled(
        session, tenant_id, plugin
    )
    if not enabled:
        raise invalid("plugin", "unknown_plugin", "模块不存在或未启用", "No such plugin is enabled")
    settings = dict(rt.plugin_settings.get(plugin, {}))
    overrides = await session.scalar(
        select(PluginState.settings).where(PluginState.tenant_id == tenant_id, PluginState.plugin == plugin)
    )
    if overrides:
        settings.update({k: v for k, v in overrides.items() if k in settings})
    return policy_for(plugin, settings)


def _out(row: StoredFile) -> FileOut:
    out = FileOut.model_validate(row)
    out.missing = row.missing_at is not None
    return out


def _tenant(principal: Principal) -> uuid.UUID:
    if principal.tenant_id is None:
        raise file_not_found()
    return principal.tenant_id


async def _own_file(
    session: AsyncSession, storage: StorageService, principal: Principal, file_id: uuid.UUID
) -> StoredFile:
    row = await storage.get(session, file_id, tenant_id=_tenant(principal))
    if row.created_by != principal.user_id or row.classification > principal.clearance:
        raise file_not_found()
    return row


async def _file_to_download(
    session: AsyncSession, storage: StorageService, request: Request[Any, Any, Any], file_id: uuid.UUID
) -> StoredFile:
    """The caller's own file with its object present; the download is audited (涉密 reads are)."""
    principal = principal_or_401(request)
    row = await _own_file(session, storage, principal, file_id)
    if row.missing_at is not None:
        raise FILE_MISSING
    await record_read(
        session,
        action="core.files.download",
        object_type="core.file",
        object_id=row.id,
        classification=row.classification,
        principal=principal,
        summary=f"下载涉密文件「{row.original_name}」",
    )
    return row


class FileController(Controller):
    path = "/files"
    guards = [require_staff]  # noqa: RUF012 - Litestar reads class attributes
    tags = ["files"]  # noqa: RUF012
    dependencies = {"storage": Provide(provide_storage, sync_to_thread=False)}  # noqa: RUF012

    @post(
        "/",
        operation_id="files_upload",
        guards=[require_permission(FILES_UPLOAD)],
        status_code=201,
        request_max_body_size=None,
        summary="Upload a file (raw body with X-File-Name, or multipart 'file')",
    )
    async def upload(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[StorageService],
        plugin: Annotated[str, QueryParameter(pattern=r"^[a-z][a-z0-9_]{1,30}$", description="Plugin.")],
        classification: Annotated[int, QueryParameter(ge=0, le=3, description="密级 0..3.")] = 0,
    ) -> FileOut:
        principal = principal_or_401(request)
        tenant_id = _tenant(principal)
        if classification > principal.clearance:
            raise invalid(
                "classification",
                "above_clearance",
                "密级不能高于本人密级",
                "Classification above your clearance",
            )
        policy = await resolve_policy(db_session, tenant_id, plugin)
        incoming = await read_upload(request)
        row = await storage.upload(
            db_session,
            incoming.chunks,
            tenant_id=tenant_id,
            plugin=plugin,
            original_name=incoming.name,
            policy=policy,
            created_by=principal.user_id,
            classification=classification,
            declared_type=incoming.declared_type,
            declared_length=incoming.declared_length,
        )
        await record(
            db_session,
            action="core.files.upload",
            object_type="core.file",
            object_id=row.id,
            principal=principal,
            summary=f"上传文件「{row.original_name}」",
            after={
                "name": row.original_name,
                "plugin": plugin,
                "size": row.size,
                "mime": row.mime,
                "sha256": row.sha256,
                "classification": classification,
            },
        )
        return _out(row)

    @get("/{file_id:uuid}", operation_id="files_get", summary="A file's metadata")
    async def get_file(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[StorageService],
        file_id: FromPath[uuid.UUID],
    ) -> FileOut:
        return _out(await _own_file(db_session, storage, principal_or_401(request), file_id))

    @get(
        "/{file_id:uuid}/download",
        operation_id="files_download",
        summary="307 to a presigned URL (5 minutes); ?redirect=false answers the URL as JSON",
    )
    async def download(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[StorageService],
        file_id: FromPath[uuid.UUID],
        redirect: FromQuery[bool] = True,
        inline: FromQuery[bool] = False,
    ) -> Response[Any]:
        row = await _file_to_download(db_session, storage, request, file_id)
        url = storage.presigned_url(row, inline=inline)
        if redirect:
            return Redirect(path=url, status_code=307, headers={"Cache-Control": "no-store"})
        out = DownloadUrlOut(url=url, expires_at=utcnow() + storage.url_expiry)
        return Response(content=out, headers={"Cache-Control": "no-store"})

    @get(
        "/{file_id:uuid}/content",
        operation_id="files_content",
        summary="The file's bytes through the API (for networks where browsers cannot reach S3)",
    )
    async def content(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[StorageService],
        file_id: FromPath[uuid.UUID],
        inline: FromQuery[bool] = False,
    ) -> Stream:
        row = await _file_to_download(db_session, storage, request, file_id)
        body = await storage.open(row)
        disposition = content_disposition(row.original_name, inline=inline, mime=row.mime)
        headers = {
            "Content-Disposition": disposition,
            "Content-Length": str(row.size),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        }
        return Stream(body, media_type=row.mime, headers=headers)

    @delete("/{file_id:uuid}", operation_id="files_delete", status_code=204, summary="Delete a file")
    async def delete_file(
        self,
        *,
        request: Request[Any, Any, Any],
        db_session: NamedDependency[AsyncSession],
        storage: NamedDependency[StorageService],
        file_id: FromPath[uuid.UUID],
    ) -> None:
        principal = principal_or_401(request)
        row = await _own_file(db_session, storage, principal, file_id)
        await storage.delete(db_session, row)
        await record(
            db_session,
            action="core.files.delete",
            object_type="core.file",
            object_id=row.id,
            principal=principal,
            summary=f"删除文件「{row.original_name}」",
            before={"name": row.original_name, "size": row.size, "sha256": row.sha256},
        )
