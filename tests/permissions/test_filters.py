"""Row-level SQL filters against real rows: 密级 vs clearance, 知悉范围 reader lists, unit scope."""

from __future__ import annotations

import secrets
import uuid

import pytest
from sqlalchemy import Column, ForeignKey, MetaData, SmallInteger, String, Table, Uuid, and_, select

from core.identity.bootstrap import create_staff
from core.org import service as org
from core.security.filters import clearance_filter, reader_list_filter, tenant_filter, unit_scope_filter
from core.security.principal import Principal

# Test-only tables on their own metadata, so the application's metadata (and Alembic) never sees them.
meta = MetaData()
docs = Table(
    "test_filter_docs",
    meta,
    Column("id", Uuid, primary_key=True),
    Column("tenant_id", Uuid, nullable=False),
    Column("unit_id", Uuid, nullable=True),
    Column("secrecy", SmallInteger, nullable=True),
    Column("title", String(100), nullable=False),
)
readers = Table(
    "test_filter_readers",
    meta,
    Column("doc_id", Uuid, ForeignKey("test_filter_docs.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", Uuid, nullable=True),
    Column("unit_id", Uuid, nullable=True),
)


@pytest.fixture
async def tables(db):
    async with db.engine.begin() as conn:
        await conn.run_sync(meta.create_all)


async def _add_doc(s, tenant_id, title, *, secrecy=None, unit_id=None, reader_users=(), reader_units=()):
    doc_id = uuid.uuid4()
    await s.execute(
        docs.insert().values(id=doc_id, tenant_id=tenant_id, unit_id=unit_id, secrecy=secrecy, title=title)
    )
    for uid in reader_users:
        await s.execute(readers.insert().values(doc_id=doc_id, user_id=uid))
    for unit in reader_units:
        await s.execute(readers.insert().values(doc_id=doc_id, unit_id=unit))
    return doc_id


async def _titles(s, *conditions) -> set[str]:
    return set((await s.scalars(select(docs.c.title).where(and_(*conditions)))).all())


def _staff(user_id, tenant_id, clearance=0, on_behalf_of=None) -> Principal:
    return Principal(
        kind="staff", user_id=user_id, tenant_id=tenant_id, clearance=clearance, on_behalf_of=on_behalf_of
    )


async def test_clearance_filter(db, tenant, other_tenant, tables):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        for level, label in ((None, "未标"), (0, "非密"), (1, "秘密"), (2, "机密"), (3, "绝密")):
            await _add_doc(s, tenant.id, f"{label}{tag}", secrecy=level)
        await _add_doc(s, other_tenant.id, f"外单位{tag}", secrecy=0)
        mine = docs.c.title.like(f"%{tag}")

        def seen(p):
            return _titles(s, mine, tenant_filter(docs.c.tenant_id, p), clearance_filter(docs.c.secrecy, p))

        assert await seen(_staff(uuid.uuid4(), tenant.id, 0)) == {f"未标{tag}", f"非密{tag}"}
        assert await seen(_staff(uuid.uuid4(), tenant.id, 2)) == {
            f"未标{tag}",
            f"非密{tag}",
            f"秘密{tag}",
            f"机密{tag}",
        }
        assert len(await seen(_staff(uuid.uuid4(), tenant.id, 3))) == 5
        citizen = Principal(kind="citizen", user_id=uuid.uuid4(), tenant_id=tenant.id, clearance=3)
        assert await seen(citizen) == {f"未标{tag}", f"非密{tag}"}  # a citizen never has clearance
        assert await seen(_staff(uuid.uuid4(), None, 3)) == set()


async def test_reader_list_filter(db, tenant, tables):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        u1 = await org.create_unit(s, tenant.id, code=f"r1{tag}", name="秘书一科")
        u2 = await org.create_unit(s, tenant.id, code=f"r2{tag}", name="秘书二科")
        x = await create_staff(s, tenant_id=tenant.id, username=f"x{tag}", password=None, unit_id=u1.id)
        y = await create_staff(s, tenant_id=tenant.id, username=f"y{tag}", password=None, unit_id=u2.id)
        z = await create_staff(s, tenant_id=tenant.id, username=f"z{tag}", password=None)  # no unit
        await _add_doc(s, tenant.id, f"点名给X{tag}", reader_users=[x.id], secrecy=2)
        await _add_doc(s, tenant.id, f"一科{tag}", reader_units=[u1.id])
        await _add_doc(s, tenant.id, f"二科{tag}", reader_units=[u2.id])
        await _add_doc(s, tenant.id, f"X和二科{tag}", reader_users=[x.id], reader_units=[u2.id])
        await _add_doc(s, tenant.id, f"无人{tag}")
        mine = docs.c.title.like(f"%{tag}")

        def readable(p, **kw):
            f = reader_list_filter(
                docs.c.id,
                reader_object_id=readers.c.doc_id,
                reader_user_id=readers.c.user_id,
                reader_unit_id=readers.c.unit_id,
                principal=p,
                **kw,
            )
            return _titles(s, mine, f)

        assert await readable(_staff(x.id, tenant.id)) == {f"点名给X{tag}", f"一科{tag}", f"X和二科{tag}"}
        assert await readable(_staff(y.id, tenant.id)) == {f"二科{tag}", f"X和二科{tag}"}
        assert await readable(_staff(z.id, tenant.id)) == set()
        # A stand-in acting for X reads X's documents only where the caller opts in.
        acting = _staff(z.id, tenant.id, on_behalf_of=x.id)
        assert await readable(acting) == set()
        assert await readable(acting, include_on_behalf_of=True) == {
            f"点名给X{tag}",
            f"一科{tag}",
            f"X和二科{tag}",
        }
        # Combined with the clearance rule: X at 秘密 no longer sees the 机密 document addressed to them.
        f = reader_list_filter(
            docs.c.id,
            reader_object_id=readers.c.doc_id,
            reader_user_id=readers.c.user_id,
            reader_unit_id=readers.c.unit_id,
            principal=_staff(x.id, tenant.id, 1),
        )
        both = await _titles(s, mine, f, clearance_filter(docs.c.secrecy, _staff(x.id, tenant.id, 1)))
        assert both == {f"一科{tag}", f"X和二科{tag}"}


async def test_unit_scope_filter(db, tenant, other_tenant, tables):
    tag = secrets.token_hex(3)
    async with db.transaction() as s:
        root = await org.create_unit(s, tenant.id, code=f"root{tag}", name="办公室")
        c1 = await org.create_unit(s, tenant.id, code=f"c1{tag}", name="综合科", parent_id=root.id)
        g1 = await org.create_unit(s, tenant.id, code=f"g1{tag}", name="文印室", parent_id=c1.id)
        c2 = await org.create_unit(s, tenant.id, code=f"c2{tag}", name="督查科", parent_id=root.id)
        g2 = await org.create_unit(s, tenant.id, code=f"g2{tag}", name="督查一组", parent_id=c2.id)
        foreign = await org.create_unit(s, other_tenant.id, code=f"f{tag}", name="外单位科室")
        for unit, label in ((root, "root"), (c1, "c1"), (g1, "g1"), (c2, "c2"), (g2, "g2")):
            await _add_doc(s, tenant.id, f"{label}{tag}", unit_id=unit.id)
        await _add_doc(s, other_tenant.id, f"foreign{tag}", unit_id=foreign.id)
        staff = await create_staff(s, tenant_id=tenant.id, username=f"s{tag}", password=None, unit_id=c1.id)
        leader = await create_staff(s, tenant_id=tenant.id, username=f"l{tag}", password=None, unit_id=c1.id)
        leader_post = await org.add_post(
            s, user_id=leader.id, tenant_id=tenant.id, title="副主任", is_leader=True
        )
        await org.set_portfolio(s, leader_post, [c2.id])
        mine = docs.c.title.like(f"%{tag}")

        def scoped(p, **kw):
            return _titles(s, mine, unit_scope_filter(docs.c.unit_id, p, **kw))

        assert await scoped(_staff(staff.id, tenant.id)) == {f"c1{tag}", f"g1{tag}"}
        assert await scoped(_staff(staff.id, tenant.id), include_subunits=False) == {f"c1{tag}"}
        assert await scoped(_staff(leader.id, tenant.id)) == {f"c1{tag}", f"g1{tag}", f"c2{tag}", f"g2{tag}"}
        assert await scoped(_staff(leader.id, tenant.id), include_portfolio=False) == {f"c1{tag}", f"g1{tag}"}
        assert await scoped(_staff(leader.id, tenant.id), include_subunits=False) == {f"c1{tag}", f"c2{tag}"}
        # The same person acting in another tenant has no units there.
        assert await scoped(_staff(leader.id, other_tenant.id)) == set()
        citizen = Principal(kind="citizen", user_id=staff.id, tenant_id=tenant.id)
        assert await scoped(citizen) == set()
