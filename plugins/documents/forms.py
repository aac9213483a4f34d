"""Form rules of an outgoing document's format elements (条例 art. 9, GB/T 9704-2012 §7).

- 上行文: exactly one 主送 (rules.md §1) and the 签发人 shown in the header (GB/T 9704 7.2.5).
- 请示/报告 are upward documents; 请示 is one matter per document (not machine-checkable).
- 涉密公文 carry a 6-digit 份号 (7.2.1); 不予公开 needs its reason (可否公开, rules.md §1).
"""

from __future__ import annotations

from typing import Any

from core.api import AppError, FieldError, Msg

KEYS = (
    "direction",
    "doc_type",
    "main_recipients",
    "disclosure",
    "disclosure_reason",
    "signers",
    "classification",
    "copy_no",
)
NO_MAIN_RECIPIENT = ("公告", "通告", "命令", "令", "公报", "纪要", "决议")


def check(form: dict[str, Any]) -> None:
    """422 naming every element that breaks a rule."""
    errors: list[FieldError] = []

    def bad(name: str, code: str, zh: str, en: str) -> None:
        errors.append(FieldError(name, code, Msg(zh, en)))

    main = form["main_recipients"]
    if form["direction"] == "up" and len(main) != 1:
        bad(
            "main_recipients",
            "exactly_one",
            "上行文只能主送一个机关",
            "An upward document has exactly one main recipient",
        )
    if form["direction"] == "up" and not [s for s in form["signers"] if s.strip()]:
        bad("signers", "required", "上行文须标注签发人", "An upward document shows its signer")
    if form["doc_type"] in ("请示", "报告") and form["direction"] != "up":
        bad("direction", "must_be_up", "请示、报告为上行文", "请示/报告 are upward documents")
    if not main and form["doc_type"] not in NO_MAIN_RECIPIENT:
        bad("main_recipients", "required", "须有主送机关", "A main recipient is required")
    if any(not r.strip() for r in main):
        bad("main_recipients", "blank", "主送机关不能为空", "A main recipient is blank")
    if form["classification"] and not form["copy_no"]:
        bad("copy_no", "required", "涉密公文须标注份号", "A classified document needs its copy number")
    if form["disclosure"] == "不予公开" and not form["disclosure_reason"].strip():
        bad("disclosure_reason", "required", "不予公开须说明理由", "Give the reason for not disclosing")
    if errors:
        raise AppError("validation_failed", Msg("请求参数无效", "The request is invalid"), 422, errors)
