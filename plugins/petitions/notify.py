"""待办通知: tell the people who can act that a routed case is waiting for them (in-app notifications).

Recipients are the holders of the permission the next step needs (core ``permission_holders``); for a
unit (科室) only its own members, or everyone holding the permission when nobody in the unit does.
Titles carry the case number only: petitioners' personal data never goes into a notification.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import create_notification, permission_holders

HANDLE, ROUTE = "petitions.cases.handle", "petitions.cases.route"


async def notify_holders(
    session: AsyncSession,
    *,
    tenant_id: uuid.UUID,
    code: str,
    case_id: uuid.UUID,
    kind: str,
    title: tuple[str, str],
    key: str,
    unit_id: uuid.UUID | None = None,
) -> int:
    """Notify every holder of ``code`` (in ``unit_id`` if given) about ``case_id``; the count notified.

    ``title`` is (zh-CN, en); ``key`` makes a repeat of the same step notify nobody twice.
    """
    people = await permission_holders(session, tenant_id, code, unit_id=unit_id)
    if not people and unit_id is not None:
        people = await permission_holders(session, tenant_id, code)
    for person in people:
        await create_notification(
            session,
            tenant_id=tenant_id,
            recipient_id=person,
            kind=f"petitions.{kind}",
            title=title[0],
            title_en=title[1],
            dedupe_key=f"petitions:{kind}:{key}:{person}",
            source_plugin="petitions",
            link=f"/petitions/cases/{case_id}",
            object_type="petitions.case",
            object_id=str(case_id),
        )
    return len(people)
