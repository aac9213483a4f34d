"""待办通知: tell the people who can act that a routed case is waiting for them (in-app notifications).

Recipients are the holders of the permission the next step needs (core ``permission_holders``); for a
unit (科室) only its own members, or everyone holding the permission when nobody in the unit does.
Titles carry the case number only: petitioners' personal data never goes into a notification.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from core.api import Unit, create_notification, permission_holders

from .models import PetitionCase

HANDLE, ROUTE = "petitions.cases.handle", "petitions.cases.route"


# (zh-CN, en) per step; ``{number}`` is the case number, ``{unit}`` the unit's name.
TITLES = {
    "assigned": (
        "信访事项 {number} 已交办{unit}，请签收办理",
        "Petition {number} was assigned to {unit}: please receive it",
    ),
    "referred_in": (
        "收到转送的信访事项 {number}，请签收",
        "Petition {number} was referred to you: please receive it",
    ),
    "returned": (
        "信访事项 {number} 被承办机关退回，请重新转送",
        "Petition {number} was returned by the receiving office: route it again",
    ),
    "withdrawn": ("信访事项 {number} 已被转出机关撤回", "Petition {number} was pulled back by the sender"),
}


async def notify_holders(
    session: AsyncSession, case: PetitionCase, code: str, kind: str, key: int, *, unit: Unit | None = None
) -> int:
    """Notify every holder of ``code`` in the case's office (in ``unit`` if given) of step ``kind``.

    Answers the count notified; ``key`` (the routing) makes a repeat of the same step notify nobody twice.
    """
    unit_id = unit.id if unit is not None else None
    people = await permission_holders(session, case.tenant_id, code, unit_id=unit_id)
    if not people and unit_id is not None:
        people = await permission_holders(session, case.tenant_id, code)
    zh, en = (t.format(number=case.number, unit=unit.name if unit else "") for t in TITLES[kind])
    for person in people:
        await create_notification(
            session,
            tenant_id=case.tenant_id,
            recipient_id=person,
            kind=f"petitions.{kind}",
            title=zh,
            title_en=en,
            dedupe_key=f"petitions:{kind}:{key}:{person}",
            source_plugin="petitions",
            link=f"/petitions/cases/{case.id}",
            object_type="petitions.case",
            object_id=str(case.id),
        )
    return len(people)
