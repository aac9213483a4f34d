"""Request bodies of the documents API (pydantic: bad input is a 422 in the core error format)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Text300 = Field(min_length=1, max_length=300)
Reason = Field(min_length=1, max_length=2000)
Classes = Literal["办件", "阅件", "抄件", "内刊", "简报"]
Urgency = Literal["", "特急", "加急"]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignIn(Body):
    """签收: what the clerk verifies on the envelope."""

    sender: str = Field(min_length=1, max_length=200)
    recipient: str = Field(min_length=1, max_length=200)
    recipient_user_id: uuid.UUID | None = None
    envelope_no: str = Field("", max_length=60)
    copies: int = Field(ge=1, le=10000)
    received_at: dt.datetime
    personal: bool = False
    top_secret: bool = False
    urgency: Urgency = ""
    verified: bool = True
    discrepancy: str = Field("", max_length=1000)


class Register(Body):
    """登记 fields."""

    title: str = Text300
    classification: int = Field(0, ge=0, le=3)
    doc_number: str = Field("", max_length=60)
    issuing_org: str = Field(min_length=1, max_length=200)
    copies: int | None = Field(None, ge=1, le=10000)
    destination: str = Field("", max_length=200)
    body: str = Field("", max_length=200_000)
    reader_user_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    reader_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class Review(Body):
    """初审: accept, 退文 (return) or 转办 (forward); a reason is mandatory unless accepted."""

    decision: Literal["accept", "return", "forward"]
    reason_code: Literal["", "越级", "未会签", "领导个人收件", "非本单位职责", "其他"] = ""
    reason: str = Field("", max_length=2000)
    forward_to: str = Field("", max_length=200)


class Classify(Body):
    doc_class: Classes


class Opinion(Body):
    opinion: str = Reason
    explanation: str | None = Field(None, max_length=2000)


FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


class Supervise(Body):
    """督办 asked for in a 批示: 牵头/配合单位, 完成时限 (a date or N working days) and 完成标准.

    Handed to the supervision plugin through the ``supervision.item.requested`` event.
    """

    lead_unit_id: uuid.UUID
    co_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    due_date: dt.date | None = Field(None, ge=FIRST_DAY, le=LAST_DAY)
    workdays: int | None = Field(None, ge=1, le=1000)
    standard: str = Field("", max_length=5000)
    cadence: Literal["none", "weekly", "biweekly", "monthly"] = "none"

    @model_validator(mode="after")
    def _one_due(self) -> Supervise:
        if (self.due_date is None) == (self.workdays is None):
            raise ValueError("give exactly one of due_date and workdays")
        return self


class Instruction(Opinion):
    """领导批示; with ``supervise`` the 批示 also opens a 督办事项 (where supervision is enabled)."""

    supervise: Supervise | None = None


class Proposal(Opinion):
    """拟办意见 and the leaders it is routed to for 批示 (added to the 知悉范围; chased by 催办)."""

    leader_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class Assign(Body):
    """承办: one lead unit and any co-handling units."""

    lead_unit_id: uuid.UUID
    co_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=100)
    explanation: str | None = Field(None, max_length=2000)


class Circulate(Body):
    """传阅: readers appended to the route in order, or as one parallel group."""

    reader_ids: list[uuid.UUID] = Field(min_length=1, max_length=100)
    parallel: bool = False


class SignOff(Body):
    remark: str = Field("", max_length=2000)


class Complete(Body):
    result: str = Reason
    explanation: str | None = Field(None, max_length=2000)


DocType = Literal[
    "决议",
    "决定",
    "命令",
    "令",
    "公报",
    "公告",
    "通告",
    "意见",
    "通知",
    "通报",
    "报告",
    "请示",
    "批复",
    "议案",
    "函",
    "纪要",
]
IssuerCode = Field(pattern=r"^[\u4e00-\u9fff]{2,10}$")


class DraftIn(Body):
    """拟稿: the 18 format elements (GB/T 9704-2012 / 条例 art. 9) plus routing data."""

    doc_type: DocType
    direction: Literal["up", "down", "parallel"]
    normative: bool = False
    copy_no: str = Field("", pattern=r"^(\d{6})?$")
    classification: int = Field(0, ge=0, le=3)
    secrecy_period: str = Field("", pattern=r"^([1-9][0-9]{0,2}(年|个月)|长期)?$")
    urgency: Urgency = ""
    issuer_mark: str = Field(min_length=1, max_length=100)
    issuer_code: str = IssuerCode
    signers: list[str] = Field(default_factory=list, max_length=10)
    title: str = Text300
    main_recipients: list[str] = Field(default_factory=list, max_length=200)
    body: str = Field(min_length=1, max_length=500_000)
    attachment_notes: list[str] = Field(default_factory=list, max_length=50)
    signature: str = Field(min_length=1, max_length=200)
    written_date: dt.date | None = None
    seal: bool = True
    note: str = Field("", max_length=500)
    cc: list[str] = Field(default_factory=list, max_length=200)
    printer: str = Field("", max_length=200)
    print_date: dt.date | None = None
    disclosure: Literal["主动公开", "依申请公开", "不予公开"]
    disclosure_reason: str = Field("", max_length=2000)
    countersigners: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    signer_id: uuid.UUID
    unit_id: uuid.UUID | None = None
    reader_user_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    reader_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)


class DraftEdit(Body):
    """An edit of a draft; after 签发 a substantive change returns it to the signer."""

    title: str | None = Field(None, min_length=1, max_length=300)
    body: str | None = Field(None, min_length=1, max_length=500_000)
    main_recipients: list[str] | None = Field(None, max_length=200)
    cc: list[str] | None = Field(None, max_length=200)
    attachment_notes: list[str] | None = Field(None, max_length=50)
    note: str | None = Field(None, max_length=500)
    classification: int | None = Field(None, ge=0, le=3)
    reason: str = Field("", max_length=2000)


class StepIn(Body):
    opinion: str = Field("", max_length=2000)
    written_date: dt.date | None = None
    explanation: str | None = Field(None, max_length=2000)


class ReturnIn(Body):
    reason: str = Reason


class RouteIn(Body):
    steps: list[Literal["review", "countersign", "legal_review", "sign"]] = Field(min_length=1, max_length=4)


class ReserveIn(Body):
    code: str = IssuerCode
    year: int = Field(ge=2000, le=2100)
    reason: str = Reason


class NumberActionIn(Body):
    reason: str = Reason


class BackfillIn(Body):
    outgoing_id: uuid.UUID
    reason: str = Reason


class ListEntry(Body):
    recipient: str = Field(min_length=1, max_length=200)
    copies: int = Field(ge=1, le=10000)


class DistributionListIn(Body):
    name: str = Field(min_length=1, max_length=100)
    entries: list[ListEntry] = Field(min_length=1, max_length=2000)


class DistributionIn(Body):
    list_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    extra: list[ListEntry] = Field(default_factory=list, max_length=500)


class SealIn(Body):
    seal_name: str = Field(min_length=1, max_length=100)
    copies: int = Field(ge=1, le=100000)


class DispatchIn(Body):
    recipient: str = Field(min_length=1, max_length=200)
    copies: int = Field(ge=1, le=10000)
    copy_numbers: str = Field("", max_length=200)
    receiver_name: str = Field(min_length=1, max_length=100)
    proxy: bool = False
