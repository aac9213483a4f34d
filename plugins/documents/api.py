"""All controllers of the documents plugin (mounted by the core under ``/api/documents``)."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from plugins.documents.admin_api import (  # noqa: PLC0415
        DistributionListController,
        NumberingController,
        OverdueController,
        QualityController,
        RouteController,
    )
    from plugins.documents.archiving_api import ArchivingController  # noqa: PLC0415
    from plugins.documents.chase import ChaseController  # noqa: PLC0415
    from plugins.documents.incoming_api import IncomingController  # noqa: PLC0415
    from plugins.documents.outgoing_api import OutgoingController  # noqa: PLC0415

    return [
        IncomingController,
        OutgoingController,
        RouteController,
        NumberingController,
        DistributionListController,
        OverdueController,
        QualityController,
        ChaseController,
        ArchivingController,
    ]
