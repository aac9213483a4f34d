"""Paginated lists (分页): ``page`` and ``page_size`` in, ``{items, total, page, page_size}`` out."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from litestar.params import QueryParameter
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

MAX_PAGE_SIZE = 200
PageNo = Annotated[int, QueryParameter(ge=1, le=100_000, description="Page number, from 1.")]
PageSize = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE_SIZE, description="Items per page (1..200).")]
Search = Annotated[str | None, QueryParameter(max_length=100, description="Search text.")]


class Page(BaseModel, Generic[T]):
    """One page of a list."""

    items: list[T]
    total: int
    page: int
    page_size: int


async def fetch_page(
    session: AsyncSession, stmt: Select[Any], page: int, page_size: int
) -> tuple[list[Any], int]:
    """Rows of one page of ``stmt`` (which must be ordered) and the total count."""
    total = await session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = (await session.execute(stmt.limit(page_size).offset((page - 1) * page_size))).all()
    return [r[0] if len(r) == 1 else r for r in rows], int(total or 0)


def like_pattern(q: str) -> str:
    """``q`` as a LIKE pattern matching anywhere, with the wildcards in ``q`` escaped."""
    escaped = q.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
