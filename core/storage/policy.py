"""Per-plugin upload limits (上传限制): maximum size and allowed MIME types.

A plugin's policy is the one it registered with :func:`register_policy` (else :data:`DEFAULT_POLICY`),
overlaid with its settings ``files_max_mb`` and ``files_allowed_types`` when the plugin declares them in
``register_settings`` — which makes them configurable per tenant like any plugin setting.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from core.storage import sniff

MB = 1024 * 1024

OFFICE_TYPES = frozenset(
    {
        "application/pdf",
        sniff.OFD,
        sniff.DOCX,
        sniff.XLSX,
        sniff.PPTX,
        sniff.DOC,
        sniff.XLS,
        sniff.PPT,
        "application/vnd.oasis.opendocument.text",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/rtf",
        "text/plain",
        "text/csv",
    }
)
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/tiff", "image/bmp", "image/webp"})
ARCHIVE_TYPES = frozenset({sniff.ZIP, "application/vnd.rar", "application/x-7z-compressed"})


@dataclass(frozen=True)
class StoragePolicy:
    """What a plugin accepts. ``allowed_types`` holds exact types or ``major/*`` wildcards."""

    max_bytes: int = 100 * MB
    allowed_types: frozenset[str] = field(default_factory=lambda: OFFICE_TYPES | IMAGE_TYPES | ARCHIVE_TYPES)

    def __post_init__(self) -> None:
        if self.max_bytes <= 0:
            raise ValueError("max_bytes must be positive")

    def allows(self, mime: str) -> bool:
        return mime in self.allowed_types or f"{mime.split('/', maxsplit=1)[0]}/*" in self.allowed_types

    def with_overrides(self, settings: Mapping[str, Any]) -> StoragePolicy:
        """This policy with a plugin's ``files_max_mb`` / ``files_allowed_types`` settings applied."""
        max_bytes = self.max_bytes
        types = self.allowed_types
        mb = settings.get("files_max_mb")
        if isinstance(mb, int | float) and not isinstance(mb, bool) and mb > 0:
            max_bytes = int(mb * MB)
        listed = settings.get("files_allowed_types")
        if isinstance(listed, list | tuple) and all(isinstance(t, str) for t in listed):
            types = frozenset(t.strip().lower() for t in listed)
        return StoragePolicy(max_bytes=max_bytes, allowed_types=types)


DEFAULT_POLICY = StoragePolicy()

_registered: dict[str, StoragePolicy] = {}


def register_policy(plugin: str, policy: StoragePolicy) -> None:
    """Set the policy of ``plugin`` (call at import/start-up; the last call wins)."""
    _registered[plugin] = policy


def policy_types(types: Iterable[str]) -> frozenset[str]:
    return frozenset(t.strip().lower() for t in types)


def policy_for(plugin: str, settings: Mapping[str, Any] | None = None) -> StoragePolicy:
    base = _registered.get(plugin, DEFAULT_POLICY)
    return base.with_overrides(settings) if settings else base
