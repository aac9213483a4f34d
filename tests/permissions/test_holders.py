"""``permission_holders``: who can act on something, for 待办 notifications."""

from __future__ import annotations

import secrets

from sqlalchemy import update

from core.api import permission_holders
from core.db.engine import Database
from core.identity.bootstrap import create_staff
from core.org.models import Unit, User
from core.tenancy.models import Tenant

CODE = "core.files.upload"


async def test_holders_by_tenant_unit_and_state(db: Database, tenant: Tenant, other_tenant: Tenant) -> None:
    async with db.transaction() as s:
        a = Unit(tenant_id=tenant.id, code="a", name="综合科")
        b = Unit(tenant_id=tenant.id, code="b", name="督查科")
        s.add_all([a, b])
        await s.flush()

        async def person(t: Tenant, perms: tuple[str, ...], unit: Unit | None = None) -> User:
            return await create_staff(
                s,
                tenant_id=t.id,
                username=f"h{secrets.token_hex(4)}",
                password=None,
                permissions=perms,
                unit_id=unit.id if unit else None,
            )

        in_a = await person(tenant, (CODE,), a)
        in_b = await person(tenant, (CODE, "core.files.read"), b)
        no_unit = await person(tenant, (CODE,))
        other_power = await person(tenant, ("core.files.read",), a)
        gone = await person(tenant, (CODE,), a)
        await s.execute(update(User).where(User.id == gone.id).values(active=False))
        elsewhere = await person(other_tenant, (CODE,), None)
        # a person of both offices holds the power only where a role grants it
        await create_staff(s, tenant_id=other_tenant.id, username=in_a.username, password=None)

        everyone = await permission_holders(s, tenant.id, CODE)
        assert set(everyone) == {in_a.id, in_b.id, no_unit.id} and len(everyone) == 3
        assert await permission_holders(s, tenant.id, CODE, unit_id=a.id) == [in_a.id]
        assert await permission_holders(s, tenant.id, CODE, unit_id=b.id) == [in_b.id]
        assert await permission_holders(s, other_tenant.id, CODE) == [elsewhere.id]
        assert await permission_holders(s, tenant.id, "core.no.such") == []
        assert set(await permission_holders(s, tenant.id, "core.files.read")) == {in_b.id, other_power.id}
