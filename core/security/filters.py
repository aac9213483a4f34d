"""Row-level SQL filters (行级过滤): add them to a query's WHERE to show a caller only what they may see.

Each returns a SQLAlchemy boolean expression; combine them with ``and_``. They never load rows into
Python, so lists, counts and pagination stay correct.

- :func:`clearance_filter` — the object's 密级 (0 非密, 1 秘密, 2 机密, 3 绝密) ≤ the caller's clearance.
- :func:`reader_list_filter` — 知悉范围: the object's reader table names the caller or one of their units.
- :func:`unit_scope_filter` — the object belongs to the caller's units (with sub-units and 分管 units).
- :func:`tenant_filter` — the object belongs to the caller's tenant.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, union
from sqlalchemy.sql.expression import Select

from core.org.models import LeaderPortfolio, Post, Unit
from core.security.principal import Principal


def _subjects(principal: Principal, include_on_behalf_of: bool) -> list[uuid.UUID]:
    subjects = [principal.user_id]
    if include_on_behalf_of and principal.on_behalf_of is not None:
        subjects.append(principal.on_behalf_of)
    return subjects


def tenant_filter(column: Any, principal: Principal) -> ColumnElement[bool]:
    """The row's tenant is the caller's (nothing for a caller without a tenant)."""
    if principal.tenant_id is None:
        return false()
    return column == principal.tenant_id  # type: ignore[no-any-return]


def clearance_filter(column: Any, principal: Principal) -> ColumnElement[bool]:
    """The row's 密级 (``NULL`` counts as 非密) is at most the caller's clearance; citizens see 非密 only."""
    level = principal.clearance if principal.kind in ("staff", "system") else 0
    return func.coalesce(column, 0) <= level


def user_units(principal: Principal, *, include_on_behalf_of: bool = False) -> Select[Any]:
    """SELECT of the unit ids where the caller holds a post in the request's tenant."""
    return select(Post.unit_id.label("unit_id")).where(
        Post.user_id.in_(_subjects(principal, include_on_behalf_of)),
        Post.tenant_id == principal.tenant_id,
        Post.unit_id.is_not(None),
    )


def reader_list_filter(
    object_id: Any,
    *,
    reader_object_id: Any,
    reader_user_id: Any,
    reader_unit_id: Any | None = None,
    principal: Principal,
    include_on_behalf_of: bool = False,
) -> ColumnElement[bool]:
    """知悉范围: EXISTS a reader-table row for the object naming the caller, or a unit they hold a post in.

    Args:
        object_id: the object's id column, e.g. ``Document.id``.
        reader_object_id / reader_user_id / reader_unit_id: columns of the reader table; a row names
            either a person or a unit (``reader_unit_id`` may be omitted for person-only lists).
        include_on_behalf_of: also admit the person the caller acts for under a delegation (代理).
    """
    if principal.kind not in ("staff", "system") or principal.tenant_id is None:
        return false()
    who = [reader_user_id.in_(_subjects(principal, include_on_behalf_of))]
    if reader_unit_id is not None:
        who.append(reader_unit_id.in_(user_units(principal, include_on_behalf_of=include_on_behalf_of)))
    return select(reader_object_id).where(reader_object_id == object_id, or_(*who)).exists()


def unit_scope_filter(
    column: Any,
    principal: Principal,
    *,
    include_subunits: bool = True,
    include_portfolio: bool = True,
    include_on_behalf_of: bool = False,
) -> ColumnElement[bool]:
    """The row's unit is one where the caller holds a post, a unit in their leader portfolio (分管),
    or (``include_subunits``) a unit below either — computed in SQL with a recursive CTE."""
    if principal.kind not in ("staff", "system") or principal.tenant_id is None:
        return false()
    anchor: Any = user_units(principal, include_on_behalf_of=include_on_behalf_of)
    if include_portfolio:
        portfolio = (
            select(LeaderPortfolio.unit_id.label("unit_id"))
            .join(Post, Post.id == LeaderPortfolio.post_id)
            .where(
                Post.user_id.in_(_subjects(principal, include_on_behalf_of)),
                Post.tenant_id == principal.tenant_id,
                Post.is_leader.is_(True),
            )
        )
        # A recursive CTE's anchor must be a plain SELECT, so wrap the union.
        both = union(anchor, portfolio).subquery("unit_roots")
        anchor = select(both.c.unit_id.label("unit_id"))
    if not include_subunits:
        return column.in_(anchor)  # type: ignore[no-any-return]
    scope = anchor.cte("unit_scope", recursive=True)
    scope = scope.union(select(Unit.id.label("unit_id")).where(Unit.parent_id == scope.c.unit_id))
    return column.in_(select(scope.c.unit_id))  # type: ignore[no-any-return]
