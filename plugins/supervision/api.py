"""All controllers of the supervision plugin (mounted by the core under ``/api/supervision``)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from plugins.supervision.items_api import ItemController  # noqa: PLC0415
    from plugins.supervision.proposals_api import BulletinController, ProposalController  # noqa: PLC0415

    return [ItemController, ProposalController, BulletinController]
