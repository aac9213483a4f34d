"""Request and response bodies of the 信访 API. Public bodies are hostile input: every string is
bounded, control characters, NUL and lone surrogates are refused (PostgreSQL cannot store them)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _clean(value: str) -> str:
    if _BAD.search(value):
        raise ValueError("control characters are not allowed")
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def Str(max_length: int, min_length: int = 1) -> Any:
    return Annotated[str, Field(min_length=min_length, max_length=max_length), AfterValidator(_clean)]


PHONE_RE = r"^\+?[0-9][0-9 \-]{4,18}[0-9]$"
ID_RE = r"^[0-9A-Za-z]{6,20}$"
Phone = Annotated[str, StringConstraints(pattern=PHONE_RE)]
Key = Annotated[str, StringConstraints(min_length=16, max_length=80, pattern=r"^[A-Za-z0-9_\-]+$")]
Rating = Literal["satisfied", "basically", "dissatisfied"]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AttachmentIn(_In):
    name: Str(120)  # type: ignore[valid-type]
    content_base64: str = Field(min_length=4, max_length=14_000_000)


class Representative(_In):
    name: Str(50)  # type: ignore[valid-type]
    phone: Phone | None = None


class CaseFields(_In):
    """The regulation's required record: name, address, request, facts, reasons (rules.md §4)."""

    name: Str(50)  # type: ignore[valid-type]
    address: Str(200)  # type: ignore[valid-type]
    phone: str | None = Field(None, pattern=PHONE_RE)
    id_number: str | None = Field(None, pattern=ID_RE)
    title: Str(100)  # type: ignore[valid-type]
    category: Str(40) = "other"  # type: ignore[valid-type]
    request: Str(2000)  # type: ignore[valid-type]
    facts: Str(5000)  # type: ignore[valid-type]
    reasons: Str(3000)  # type: ignore[valid-type]
    attachments: list[AttachmentIn] = Field(default_factory=list, max_length=5)


class PublicCaseIn(CaseFields):
    challenge_id: Str(64)  # type: ignore[valid-type]
    solution: Str(64)  # type: ignore[valid-type]
    idempotency_key: Key


class StaffCaseIn(CaseFields):
    channel: Literal["letter", "phone", "fax", "visit", "web"]
    received_on: dt.date | None = None
    headcount: int = Field(1, ge=1, le=100_000)
    representatives: list[Representative] = Field(default_factory=list, max_length=5)
    idempotency_key: Key | None = None


class SubmittedOut(BaseModel):
    number: str
    status: str
    query_code: str | None = Field(None, description="Shown once; keep it to track the case.")
    replayed: bool = False


class TrackIn(_In):
    query_code: Str(40)  # type: ignore[valid-type]
    last4: Annotated[str, StringConstraints(pattern=r"^[0-9Xx]{4}$")]


class TrackEvent(BaseModel):
    kind: str
    text: str
    at: dt.datetime


class TrackNotice(BaseModel):
    """A written notice (告知书/意见书) the citizen can download with the same code."""

    id: int
    kind: str
    at: dt.datetime


class TrackOut(BaseModel):
    number: str
    title: str
    status: str
    received_on: dt.date
    handle_due: dt.date | None = None
    answer_type: str | None = None
    answer_text: str | None = None
    answer_basis: str | None = None
    answered_on: dt.date | None = None
    rating: str | None = None
    events: list[TrackEvent]
    notices: list[TrackNotice] = Field(default_factory=list)


class NoticeIn(TrackIn):
    notice_id: int = Field(ge=1, le=2**62)


class PublicReviewIn(TrackIn):
    reasons: Str(3000)  # type: ignore[valid-type]


class PublicRateIn(TrackIn):
    rating: Rating
    comment: Str(500) | None = None  # type: ignore[valid-type]


class ChallengeOut(BaseModel):
    challenge_id: str
    salt: str
    bits: int
    expires_in: int
    algorithm: str


class DecisionIn(_In):
    accept: bool
    reason: Str(2000) | None = None  # type: ignore[valid-type]
    on: dt.date | None = None


class ExtensionIn(_In):
    days: int = Field(ge=1, le=30)
    reason: Str(2000)  # type: ignore[valid-type]


class ApproveIn(_In):
    approve: bool
    on: dt.date | None = None


class AnswerIn(_In):
    answer_type: Literal["support", "explain", "reject"]
    text: Str(5000)  # type: ignore[valid-type]
    basis: Str(2000)  # type: ignore[valid-type]
    on: dt.date | None = None


class ReviewRequestIn(_In):
    reasons: Str(3000)  # type: ignore[valid-type]
    on: dt.date | None = None


class RouteIn(_In):
    mode: Literal["transfer", "assign"] = "transfer"
    unit_id: uuid.UUID | None = None
    tenant_code: Str(40) | None = None  # type: ignore[valid-type]
    note: Str(1000) | None = None  # type: ignore[valid-type]
    on: dt.date | None = None


class OnIn(_In):
    on: dt.date | None = None
    reason: Str(2000) | None = None  # type: ignore[valid-type]


class LinkIn(_In):
    other_id: uuid.UUID
    mode: Literal["merge", "link", "repeat"]


class FollowupIn(_In):
    rating: Rating
    note: Str(1000) | None = None  # type: ignore[valid-type]
    on: dt.date | None = None


class MailFields(_In):
    name: Str(50)  # type: ignore[valid-type]
    phone: Phone
    category: Str(40)  # type: ignore[valid-type]
    subject: Str(100)  # type: ignore[valid-type]
    body: Str(5000)  # type: ignore[valid-type]
    allow_publish: bool = False


class MailIn(MailFields):
    challenge_id: Str(64)  # type: ignore[valid-type]
    solution: Str(64)  # type: ignore[valid-type]
    idempotency_key: Key


class HotlineIn(MailFields):
    """A 12345 hotline call written down by the operator."""

    idempotency_key: Key | None = None


class MailTrackOut(BaseModel):
    subject: str
    category: str
    status: str
    reply_text: str | None = None
    rating: str | None = None


class MailRateIn(TrackIn):
    rating: Rating
    comment: Str(500) | None = None  # type: ignore[valid-type]


class PublishedMail(BaseModel):
    id: uuid.UUID
    category: str
    subject: str
    body: str
    reply_text: str
    published_at: dt.datetime


class PublishedPage(BaseModel):
    items: list[PublishedMail]
    total: int
    page: int
    page_size: int


class MailReplyIn(_In):
    text: Str(5000)  # type: ignore[valid-type]


class ProofreadIn(_In):
    approve: bool
    note: Str(1000) | None = None  # type: ignore[valid-type]
    corrected_text: Str(5000) | None = None  # type: ignore[valid-type]


class MailAssignIn(_In):
    unit_id: uuid.UUID
