"""The XML metadata record of a 件 (DA/T 46-2009 / DA/T 22-2015 style element names, in Chinese).

Deterministic for a given 件: it carries the numbering date, not "now", so a repeated run writes the same
bytes (and the same sha256) as the first one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from core.archive.models import ArchivedItem

RETENTION_ZH = {"Y": "永久", "D30": "定期30年", "D10": "定期10年"}
CLASSIFICATION_ZH = {0: "非密", 1: "秘密", 2: "机密", 3: "绝密"}


@dataclass(frozen=True)
class FileEntry:
    seq: int
    role: str
    name: str
    mime: str
    size: int
    sha256: str
    key: str


def _sub(parent: ET.Element, tag: str, text: str | int | None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    el.text = "" if text is None else str(text)
    return el


def item_element(item: ArchivedItem, files: Sequence[FileEntry]) -> ET.Element:
    root = ET.Element("文件", {"标准": "DA/T 22-2015"})
    _sub(root, "档号", item.archive_no)
    _sub(root, "全宗号", item.fonds_no)
    _sub(root, "门类代码", "WS")
    _sub(root, "年度", item.year)
    _sub(root, "保管期限", RETENTION_ZH[item.retention])
    _sub(root, "保管期限代码", item.retention)
    _sub(root, "机构或问题", item.org_code)
    _sub(root, "件号", f"{item.item_no:04d}")
    _sub(root, "题名", item.title)
    _sub(root, "责任者", item.responsible)
    _sub(root, "文号", item.doc_no)
    _sub(root, "日期", item.doc_date.strftime("%Y%m%d"))
    _sub(root, "密级", CLASSIFICATION_ZH.get(item.classification, "非密"))
    _sub(root, "页数", item.pages)
    _sub(root, "归档日期", item.numbered_at.date().strftime("%Y%m%d"))
    _sub(root, "到期日期", item.expires_on.strftime("%Y%m%d") if item.expires_on else "")
    source = ET.SubElement(root, "来源")
    _sub(source, "业务类别", item.kind)
    _sub(source, "业务标识", item.object_id)
    if item.extra:
        more = ET.SubElement(root, "附加著录项")
        for key in sorted(item.extra):
            _sub(more, "著录项", str(item.extra[key])).set("名称", key)
    group = ET.SubElement(root, "电子文件组")
    for f in files:
        el = ET.SubElement(group, "电子文件", {"序号": str(f.seq), "类别": f.role})
        _sub(el, "文件名", f.name)
        _sub(el, "格式", f.mime)
        _sub(el, "大小", f.size)
        _sub(el, "存储位置", f.key)
        _sub(el, "校验码", f.sha256).set("算法", "SHA-256")
    return root


def item_xml(item: ArchivedItem, files: Sequence[FileEntry]) -> bytes:
    """The 件's metadata record as UTF-8 XML with declaration."""
    root = item_element(item, files)
    ET.indent(root)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True)) + b"\n"
