"""The archivable kinds the plugins declared (``register_archivable``), and their validation."""

from __future__ import annotations

import re
from dataclasses import replace

from core.errors import AppError, Msg, invalid
from core.plugins.types import (
    RETENTION_CODES,
    ArchivableSpec,
    ArchiveGeneratedFile,
    ArchiveItem,
    ArchiveStoredFile,
)
from core.runtime import Runtime, get_runtime

RETENTIONS = ("Y", "D30", "D10")
RETENTION_YEARS = {"D30": 30, "D10": 10}
PERMANENT_LOCK_YEARS = 100  # 永久: the longest retention S3 is asked to keep
_ORG_RE = re.compile(r"^[A-Z0-9]{1,10}$")
_FONDS_RE = re.compile(r"^[A-Za-z0-9]{1,10}$")
_cache: dict[int, dict[str, tuple[str, ArchivableSpec]]] = {}


def archivables(runtime: Runtime | None = None) -> dict[str, tuple[str, ArchivableSpec]]:
    """kind → (plugin, spec) of every loaded plugin; collected once per runtime."""
    rt = runtime or get_runtime()
    found = _cache.get(id(rt))
    if found is None:
        found = {}
        for plugin, specs in rt.manager.collect("register_archivable").items():
            for spec in specs:
                if not spec.kind.startswith(plugin + "."):
                    raise ValueError(
                        f"plugin {plugin!r}: archivable kind must start with {plugin}.: {spec.kind}"
                    )
                if spec.kind in found:
                    raise ValueError(f"archivable kind {spec.kind} declared twice")
                found[spec.kind] = (plugin, spec)
        _cache[id(rt)] = found
    return found


def unknown_kind() -> AppError:
    return invalid("kind", "unknown_kind", "没有可归档的此类对象", "No archivable kind of that name")


def lookup(kind: str) -> tuple[str, ArchivableSpec]:
    found = archivables().get(kind)
    if found is None:
        raise unknown_kind()
    return found


def normalise_retention(value: str) -> str:
    code = RETENTION_CODES.get(value, value)
    if code not in RETENTIONS:
        raise invalid(
            "retention",
            "bad_retention",
            "保管期限须为永久、定期30年或定期10年",
            "Retention must be Y, D30 or D10",
        )
    return code


def bad_item(detail: str) -> AppError:
    return AppError(
        "archive_item_invalid",
        Msg(f"归档信息不完整：{detail}", f"Archive metadata invalid: {detail}"),
        status=422,
    )


def check_item(item: ArchiveItem) -> ArchiveItem:
    """Validate and normalise what a plugin's ``collect`` returned (DA/T 22 著录 rules)."""
    retention = normalise_retention(item.retention)
    year = item.year or item.doc_date.year
    if not item.title.strip() or len(item.title) > 500:
        raise bad_item("题名 title")
    if not item.responsible.strip() or len(item.responsible) > 200:
        raise bad_item("责任者 responsible")
    if not _ORG_RE.match(item.org_code):
        raise bad_item("机构代码 org_code (A-Z, 0-9, 1-10)")
    if not 1900 <= year <= 2999:
        raise bad_item("年度 year")
    if not 0 <= item.classification <= 3 or item.pages < 0:
        raise bad_item("密级/页数 classification/pages")
    if len(item.doc_no) > 100:
        raise bad_item("文号 doc_no")
    for f in item.files:
        if not isinstance(f, ArchiveStoredFile | ArchiveGeneratedFile):
            raise bad_item("files")
    return replace(item, retention=retention, year=year, title=item.title.strip())


def check_fonds(value: str) -> str:
    if not _FONDS_RE.match(value):
        raise bad_item("全宗号 fonds number setting")
    return value
