"""Permissions of the file API and their default grants."""

from __future__ import annotations

from core.plugins.types import PermissionSpec

FILES_UPLOAD = "core.files.upload"

STORAGE_PERMISSIONS: list[PermissionSpec] = [
    PermissionSpec(
        FILES_UPLOAD,
        "上传文件",
        "Upload files",
        "Upload through POST /api/files; each plugin's size and type limits apply.",
    ),
]

# Ordinary working roles upload; the three administrators do not need to.
STORAGE_DEFAULT_GRANTS: dict[str, list[str]] = {
    "staff": [FILES_UPLOAD],
    "clerk": [FILES_UPLOAD],
    "leader": [FILES_UPLOAD],
}
