"""Where a request came from, for audit records written anywhere below the handler.

:class:`AuditContextMiddleware` keeps the request's client address, user agent and request id (the
``X-Request-ID`` header if well-formed, else a new one, echoed in the response) in a context variable;
:func:`core.audit.service.record` fills them in, and the caller's principal, when not given.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from core.security.principal import Principal

REQUEST_ID_HEADER = "x-request-id"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


@dataclass
class RequestContext:
    ip: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    state: dict[str, Any] = field(default_factory=dict)

    @property
    def principal(self) -> Principal | None:
        value = self.state.get("principal")
        return value if isinstance(value, Principal) else None


_current: ContextVar[RequestContext | None] = ContextVar("fuban_audit_request", default=None)


def current_context() -> RequestContext | None:
    return _current.get()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def context_from_scope(scope: Scope) -> RequestContext:
    client = scope.get("client")
    given = _header(scope, REQUEST_ID_HEADER.encode()) or ""
    state: dict[str, Any] = scope.setdefault("state", {})
    return RequestContext(
        ip=client[0] if client else None,
        user_agent=(_header(scope, b"user-agent") or "")[:300] or None,
        request_id=given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex,
        state=state,
    )


class AuditContextMiddleware(ASGIMiddleware):
    """Sets the audit request context for the duration of each HTTP request.

    Mount an instance: ``middleware=[AuthMiddleware, AuditContextMiddleware()]``.
    """

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        ctx = context_from_scope(scope)
        request_id = (ctx.request_id or "").encode()

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id))
                message["headers"] = headers
            await send(message)

        token = _current.set(ctx)
        try:
            await next_app(scope, receive, send_with_id)
        finally:
            _current.reset(token)
