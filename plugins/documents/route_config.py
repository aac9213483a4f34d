"""The tenant's approval route for 发文 (审批流程), stored as data with a sensible default."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import AppError, FieldError, Msg, Principal, audit_record
from plugins.documents.common import tenant_of
from plugins.documents.models_out import RouteConfig

DEFAULT_ROUTE = ["review", "countersign", "legal_review", "sign"]


async def route_of(session: AsyncSession, tenant_id: uuid.UUID) -> list[str]:
    conf = await session.get(RouteConfig, tenant_id)
    return list(conf.steps) if conf else list(DEFAULT_ROUTE)


async def set_route(session: AsyncSession, p: Principal, steps: list[str]) -> list[str]:
    if len(set(steps)) != len(steps) or steps[-1] != "sign":
        raise AppError(
            "validation_failed",
            Msg("请求参数无效", "The request is invalid"),
            422,
            [
                FieldError(
                    "steps",
                    "bad_route",
                    Msg("流程须不重复且以签发结束", "Steps must be unique and end with sign"),
                )
            ],
        )
    conf = await session.get(RouteConfig, tenant_of(p), with_for_update=True)
    before = list(conf.steps) if conf else list(DEFAULT_ROUTE)
    if conf is None:
        conf = RouteConfig(tenant_id=tenant_of(p), steps=steps, updated_by=p.user_id)
        session.add(conf)
    else:
        conf.steps, conf.updated_by = steps, p.user_id
    await session.flush()
    await audit_record(
        session,
        action="documents.route.update",
        object_type="documents_route_config",
        object_id=tenant_of(p),
        principal=p,
        summary="修改发文流程",
        before={"steps": before},
        after={"steps": steps},
    )
    return steps
