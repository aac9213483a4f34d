"""One error format for the whole API.

Every 4xx/5xx answer has the body::

    {"status": 422, "code": "validation_failed",
     "message": "<in the request's language>", "messages": {"zh-CN": "...", "en": "..."},
     "fields": [{"field": "due", "code": "invalid", "message": "...", "messages": {...}}]}

``code`` is stable and machine-readable; ``message`` follows ``Accept-Language`` (zh-CN by default).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, PermissionDeniedException
from litestar.exceptions import NotFoundException as LitestarNotFound
from litestar.exceptions import ValidationException as LitestarValidation
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Msg:
    """A message in both languages the product speaks."""

    zh: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"zh-CN": self.zh, "en": self.en}

    def pick(self, locale: str) -> str:
        return self.en if locale == "en" else self.zh


@dataclass(frozen=True)
class FieldError:
    """A problem with one input field; ``field`` is a dotted path such as ``reminders.0.workdays``."""

    field: str
    code: str
    message: Msg

    def as_dict(self, locale: str) -> dict[str, Any]:
        return {
            "field": self.field,
            "code": self.code,
            "message": self.message.pick(locale),
            "messages": self.message.as_dict(),
        }


@dataclass
class AppError(Exception):
    """Base of all errors the API reports on purpose; raise it (or a subclass) from any layer."""

    code: str
    message: Msg
    status: int = 400
    fields: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.code}: {self.message.en}"


def not_found(what: str = "resource", what_zh: str = "资源") -> AppError:
    return AppError("not_found", Msg(f"{what_zh}不存在", f"{what} not found"), status=404)


def forbidden(code: str = "forbidden") -> AppError:
    return AppError(code, Msg("无权执行此操作", "You are not allowed to do this"), status=403)


def conflict(code: str, zh: str, en: str) -> AppError:
    return AppError(code, Msg(zh, en), status=409)


def invalid(field_name: str, code: str, zh: str, en: str) -> AppError:
    """A 422 error for one field."""
    msg = Msg(zh, en)
    return AppError(
        "validation_failed",
        Msg("请求参数无效", "The request is invalid"),
        status=422,
        fields=[FieldError(field_name, code, msg)],
    )


def request_locale(request: Request[Any, Any, Any]) -> str:
    """``en`` when the client prefers English, else zh-CN (the office's language)."""
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "zh-CN"


def _body(err: AppError, locale: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "status": err.status,
        "code": err.code,
        "message": err.message.pick(locale),
        "messages": err.message.as_dict(),
        "fields": [f.as_dict(locale) for f in err.fields],
    }
    body.update(err.extra)
    return body


def _from_validation(exc: LitestarValidation) -> AppError:
    fields: list[FieldError] = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = str(item.get("key") or item.get("source") or "body")
        text = str(item.get("message", "invalid value"))
        fields.append(FieldError(key, "invalid", Msg(f"取值无效：{text}", text)))
    if not fields:
        text = str(exc.detail)
        fields.append(FieldError("body", "invalid", Msg(f"请求格式无效：{text}", text)))
    return AppError("validation_failed", Msg("请求参数无效", "The request is invalid"), 422, fields)


_HTTP_CODES: dict[int, tuple[str, Msg]] = {
    400: ("bad_request", Msg("请求格式错误", "Malformed request")),
    401: ("not_authenticated", Msg("请先登录", "Authentication required")),
    403: ("forbidden", Msg("无权执行此操作", "You are not allowed to do this")),
    404: ("not_found", Msg("资源不存在", "Not found")),
    405: ("method_not_allowed", Msg("不支持该请求方法", "Method not allowed")),
    413: ("payload_too_large", Msg("请求内容过大", "Request body too large")),
    415: ("unsupported_media_type", Msg("不支持的内容类型", "Unsupported media type")),
    429: ("too_many_requests", Msg("请求过于频繁", "Too many requests")),
}


def to_app_error(exc: Exception) -> AppError:
    """Map any exception onto the one error format."""
    if isinstance(exc, AppError):
        return exc
    if isinstance(exc, LitestarValidation):
        return _from_validation(exc)
    if isinstance(exc, HTTPException):
        status = exc.status_code
        if isinstance(exc, NotAuthorizedException):
            status = 401
        elif isinstance(exc, PermissionDeniedException):
            status = 403
        elif isinstance(exc, LitestarNotFound):
            status = 404
        code, msg = _HTTP_CODES.get(status, ("http_error", Msg("请求失败", str(exc.detail))))
        return AppError(code, msg, status)
    logger.exception("unhandled error", exc_info=exc)
    return AppError(
        "internal_error", Msg("服务器内部错误", "Internal server error"), HTTP_500_INTERNAL_SERVER_ERROR
    )


def exception_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """Litestar handler registered for ``Exception``: everything leaves in the one format."""
    err = to_app_error(exc)
    return Response(
        content=_body(err, request_locale(request)), status_code=err.status, media_type=MediaType.JSON
    )
