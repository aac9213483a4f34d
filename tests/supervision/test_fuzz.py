"""Arbitrary JSON bodies and query values on every supervision write route never cause a 5xx."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.supervision.conftest import create_item, item_body

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**40), 2**40)
    | st.text(max_size=30)
    | st.sampled_from(["2026-10-08", "9999-99-99", "00000000-0000-0000-0000-000000000000", "A", "weekly"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
FIELDS = [
    "title",
    "content",
    "standard",
    "due_date",
    "workdays",
    "cadence",
    "percent",
    "file_ids",
    "tasks",
    "decision",
    "opinion",
    "result",
    "evidence_file_ids",
    "grade",
    "answered_on",
    "reason",
    "note",
]
bodies = json_values | st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6)


async def test_write_routes_never_fail_with_5xx(app, client, stenant, units, person):
    clerk, leader = await person(stenant), await person(stenant)
    item = await create_item(client, clerk.h, item_body(units, leader))
    r = await client.post(
        "/api/supervision/proposals",
        json={
            "kind": "npc_suggestion",
            "session_year": 2026,
            "number": "F1",
            "title": "模糊测试",
            "deputy_name": "甲",
            "lead_unit_id": str(units["jtj"]),
            "assigned_on": "2026-05-10",
        },
        headers=clerk.h,
    )
    assert r.status_code == 201, r.text
    ids = {"item_id": item["id"], "task_id": item["id"], "file_id": item["id"], "proposal_id": r.json()["id"]}
    routes = []
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if (handler.operation_id or "").startswith("supervision_"):
                path = re.sub(r"\{(\w+):\w+\}", lambda m: ids[m.group(1)], route.path)
                routes.extend((m, path) for m in handler.http_methods if m in ("POST", "PATCH"))
    failures, sent = [], 0

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(body=bodies)
    def probe(body):
        probe.cases.append(body)

    for method, path in routes:
        probe.cases = []
        probe()
        for body in probe.cases:
            r = await client.request(method, path, json=body, headers=clerk.h)
            sent += 1
            if r.status_code >= 500:
                failures.append(f"{method} {path} {body!r} -> {r.status_code} {r.text[:200]}")
    assert not failures, "\n".join(failures[:10])
    assert len(routes) >= 14 and sent >= 5 * len(routes)
