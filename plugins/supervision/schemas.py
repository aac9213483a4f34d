"""Request bodies of the supervision API (pydantic: bad input is a 422 in the core error format)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

SourceKind = Literal["instruction", "meeting", "proposal", "work_report", "media", "manual"]
Cadence = Literal["none", "weekly", "biweekly", "monthly"]
Text = Field(min_length=1, max_length=20_000)
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)


def _in_range(d: dt.date) -> dt.date:
    # The calendar computes chases around these days: keep them in a sane window.
    if not FIRST_DAY <= d <= LAST_DAY:
        raise ValueError("the date must lie between 2000-01-01 and 2100-12-31")
    return d


Day = Annotated[dt.date, AfterValidator(_in_range)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ItemIn(Body):
    """立项: a 督办事项. 完成时限 is a date (``due_date``) or N working days (``workdays``) after
    ``basis_date`` (交办日期, default today) — exactly one of the two."""

    source_kind: SourceKind = "manual"
    source_ref: str = Field("", max_length=200)
    title: str = Field(min_length=1, max_length=300)
    content: str = Text
    standard: str = Field(min_length=1, max_length=5000)
    lead_unit_id: uuid.UUID
    co_unit_ids: list[uuid.UUID] = Field(default_factory=list, max_length=50)
    leader_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    basis_date: Day | None = None
    due_date: Day | None = None
    workdays: int | None = Field(None, ge=1, le=1000)
    cadence: Cadence = "none"

    @model_validator(mode="after")
    def _one_due(self) -> ItemIn:
        if (self.due_date is None) == (self.workdays is None):
            raise ValueError("give exactly one of due_date and workdays")
        if self.lead_unit_id in self.co_unit_ids:
            raise ValueError("the lead unit cannot also be a co-operating unit")
        return self


class ItemPatch(Body):
    """Change 标准/完成时限/cadence/people of an open item (re-plans its deadlines)."""

    content: str | None = Field(None, min_length=1, max_length=20_000)
    standard: str | None = Field(None, min_length=1, max_length=5000)
    due_date: Day | None = None
    cadence: Cadence | None = None
    leader_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    reason: str = Field(min_length=1, max_length=2000)


class TaskIn(Body):
    unit_id: uuid.UUID
    content: str = Field(min_length=1, max_length=5000)
    due_date: Day


class Decompose(Body):
    """分解: sub-tasks per unit."""

    tasks: list[TaskIn] = Field(min_length=1, max_length=50)


class TaskDone(Body):
    result: str = Field(min_length=1, max_length=5000)


class ReportIn(Body):
    """进展报告 with optional attachments (files uploaded to /api/files?plugin=supervision)."""

    content: str = Field(min_length=1, max_length=20_000)
    percent: int = Field(ge=0, le=100)
    task_id: uuid.UUID | None = None
    file_ids: list[uuid.UUID] = Field(default_factory=list, max_length=20)


class ChaseIn(Body):
    """催办; ``escalate`` also notifies the responsible leader."""

    note: str = Field(min_length=1, max_length=2000)
    escalate: bool = False


class CompleteIn(Body):
    """办结申请: the result and at least one piece of evidence; a 书面说明 when past the 完成时限."""

    result: str = Field(min_length=1, max_length=20_000)
    evidence_file_ids: list[uuid.UUID] = Field(min_length=1, max_length=20)
    explanation: str = Field("", max_length=2000)


class SignoffIn(Body):
    """审核销号: approve closes the item; return sends it back to the unit."""

    decision: Literal["approve", "return"]
    opinion: str = Field(min_length=1, max_length=2000)


class CancelIn(Body):
    reason: str = Field(min_length=1, max_length=2000)


class ProposalIn(Body):
    """交办 a 人大代表建议 or 政协委员提案."""

    kind: Literal["npc_suggestion", "cppcc_proposal"]
    session_year: int = Field(ge=2000, le=2100)
    number: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=1, max_length=300)
    content: str = Field("", max_length=20_000)
    deputy_name: str = Field(min_length=1, max_length=100)
    deputy_contact: str = Field("", max_length=100)
    lead_unit_id: uuid.UUID
    assigned_on: Day
    complex: bool = False


class ContactIn(Body):
    """见面/沟通 with the deputy (before the written answer)."""

    contacted_on: Day
    method: Literal["meeting", "phone", "visit", "forum"]


class AnswerIn(Body):
    """书面答复 with its grade: A 解决或基本解决, B 正在解决或列入计划,
    C 因条件限制暂时不能解决, D 留作参考."""

    answered_on: Day
    answer: str = Field(min_length=1, max_length=20_000)
    grade: Literal["A", "B", "C", "D"]
    file_id: uuid.UUID | None = None


class FeedbackIn(Body):
    """The deputy's 满意度 on the answer."""

    satisfaction: Literal["satisfied", "basically_satisfied", "dissatisfied"]
    feedback_on: Day


class SuperviseIn(Body):
    """立项督办 a 建议/提案: the item takes its unit and 答复期限 from the proposal."""

    leader_id: uuid.UUID
    contact_id: uuid.UUID | None = None
    standard: str = Field("按期书面答复代表委员并见面沟通", min_length=1, max_length=5000)
    cadence: Cadence = "monthly"
