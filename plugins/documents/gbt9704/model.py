"""The data of one outgoing document (发文) as GB/T 9704-2012 lays it out, and its validation."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

CLASSIFICATIONS = ("秘密", "机密", "绝密")
URGENCIES = ("特急", "加急")
# 机关代字〔年份〕序号号: six-corner brackets, full year, no leading zero, no 第 (rules.md §1).
DOC_NUMBER = re.compile(r"^[^\s〔〕第]+〔\d{4}〕[1-9]\d*号$")
COPY_NO = re.compile(r"^\d{6}$")


class OutgoingPdfError(ValueError):
    """Bad input for the renderer; ``fields`` maps each offending field to what is wrong with it."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = dict(fields)
        listed = "; ".join(f"{name}: {problem}" for name, problem in self.fields.items())
        super().__init__(f"invalid outgoing document for GB/T 9704 rendering: {listed}")


@dataclass(frozen=True)
class OutgoingPdf:
    """An outgoing document (发文) ready for printing (印制) in the GB/T 9704-2012 layout."""

    issuer_mark: str  # 发文机关标志, e.g. "甘州区人民政府文件" (red masthead)
    doc_number: str  # 发文字号, e.g. "甘府发〔2026〕7号"
    title: str  # 标题
    main_recipients: list[str]  # 主送机关
    body: list[str]  # 正文 paragraphs; "一、" / "（一）" start headings
    signature: str  # 署名 (发文机关署名)
    date: datetime.date  # 成文日期, rendered 2026年7月1日
    copy_no: str | None = None  # 份号 (6 digits), required when classified
    classification: str | None = None  # 密级 秘密/机密/绝密 (None = 非密)
    secrecy_period: str | None = None  # 保密期限, e.g. "10年" -> "机密★10年"
    urgency: str | None = None  # 紧急程度 特急/加急
    signers: list[str] = field(default_factory=list)  # 签发人 (upward documents)
    attachments: list[str] = field(default_factory=list)  # 附件说明 (names)
    note: str | None = None  # 附注
    seal: bool = True  # 印章: red seal placeholder; False = 不加盖印章 layout
    cc: list[str] = field(default_factory=list)  # 抄送机关 (版记)
    printer: str = ""  # 印发机关 (版记)
    print_date: datetime.date | None = None  # 印发日期 (版记)


def _blank(value: str | None) -> bool:
    return value is None or not value.strip()


def validate(doc: OutgoingPdf) -> None:
    """Raise :class:`OutgoingPdfError` naming every field that cannot be laid out as the standard says."""
    bad: dict[str, str] = {}
    for name in ("issuer_mark", "title", "signature"):
        if _blank(getattr(doc, name)):
            bad[name] = "must not be empty"
    if _blank(doc.doc_number):
        bad["doc_number"] = "must not be empty"
    elif not DOC_NUMBER.match(doc.doc_number.strip()):
        bad["doc_number"] = "must read 机关代字〔年份〕序号号, e.g. 甘府发〔2026〕7号"
    if not doc.main_recipients or any(_blank(r) for r in doc.main_recipients):
        bad["main_recipients"] = "at least one recipient, none empty"
    if not doc.body or all(_blank(p) for p in doc.body):
        bad["body"] = "the first page must show body text (公文首页必须显示正文)"
    if not isinstance(doc.date, datetime.date):
        bad["date"] = "must be a date"
    if doc.classification is not None and doc.classification not in CLASSIFICATIONS:
        bad["classification"] = f"must be one of {'/'.join(CLASSIFICATIONS)} or None"
    if doc.classification is not None and _blank(doc.copy_no):
        bad["copy_no"] = "required when the document is classified (涉密公文应当标注份号)"
    elif doc.copy_no is not None and not COPY_NO.match(doc.copy_no):
        bad["copy_no"] = "must be 6 digits"
    if doc.secrecy_period is not None:
        if doc.classification is None:
            bad["secrecy_period"] = "only for a classified document"
        elif not re.fullmatch(r"[1-9]\d*(年|个月)|长期", doc.secrecy_period):
            bad["secrecy_period"] = "e.g. 10年 (Arabic numerals)"
    if doc.urgency is not None and doc.urgency not in URGENCIES:
        bad["urgency"] = f"must be one of {'/'.join(URGENCIES)} or None"
    if any(_blank(s) for s in doc.signers):
        bad["signers"] = "names must not be empty"
    if any(_blank(a) for a in doc.attachments):
        bad["attachments"] = "names must not be empty"
    if any(_blank(c) for c in doc.cc):
        bad["cc"] = "names must not be empty"
    if doc.print_date is not None and not isinstance(doc.print_date, datetime.date):
        bad["print_date"] = "must be a date"
    if bad:
        raise OutgoingPdfError(bad)


def chinese_date(day: datetime.date) -> str:
    """成文日期/印发日期 with Arabic numerals, full year, no leading zeros (GB/T 9704-2012 7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


def secrecy_mark(doc: OutgoingPdf) -> str | None:
    """密级和保密期限, e.g. 机密★10年."""
    if doc.classification is None:
        return None
    return f"{doc.classification}★{doc.secrecy_period}" if doc.secrecy_period else doc.classification
