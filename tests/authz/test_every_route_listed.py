"""No route is left out of the authorization matrices.

Every ``tests/**/test_route_matrix.py`` exports ``EXPECTED`` (operation id → requirement) and checks
its routes for anonymous, citizen, staff without permission, other tenant and holder. This test
enumerates the app's routes and fails on any /api route that no matrix lists, or that has no
operation id, and on a listed requirement that disagrees with the route's permission guard.
"""

from __future__ import annotations

import importlib
from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent


def _matrices() -> dict[str, dict[str, str]]:
    out = {}
    for path in sorted(TESTS.rglob("test_route_matrix.py")):
        module = ".".join(path.relative_to(TESTS.parent).with_suffix("").parts)
        out[module] = importlib.import_module(module).EXPECTED
    return out


def _api_handlers(app):
    for route in app.routes:
        if not route.path.startswith("/api"):
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = set(handler.http_methods) - {"OPTIONS"}
            if methods:
                yield route.path, handler


def guard_codes(guard) -> tuple[str, ...]:
    # Once the app has served requests Litestar holds its guards wrapped (AsyncCallable.func).
    return getattr(getattr(guard, "func", guard), "required_permissions", ())


def test_every_api_route_is_in_a_matrix(app):
    listed: dict[str, str] = {}
    for matrix in _matrices().values():
        listed.update(matrix)
    missing, unnamed = [], []
    for path, handler in _api_handlers(app):
        if handler.operation_id is None:
            unnamed.append(path)
        elif handler.operation_id not in listed:
            missing.append(f"{handler.operation_id} {path}")
    assert not unnamed, f"routes without operation_id: {unnamed}"
    assert not missing, "routes in no test_route_matrix.py EXPECTED:\n" + "\n".join(sorted(missing))


def test_matrices_agree_with_the_guards(app):
    """Where a route carries ``require_permission(code)``, its matrix entry must name that code."""
    listed: dict[str, str] = {}
    for matrix in _matrices().values():
        listed.update(matrix)
    wrong, checked = [], 0
    for path, handler in _api_handlers(app):
        codes = {code for guard in handler.resolve_guards() for code in guard_codes(guard)}
        expected = listed.get(handler.operation_id or "")
        checked += bool(codes)
        if codes and expected is not None and expected not in codes:
            wrong.append(f"{handler.operation_id} {path}: guard {sorted(codes)} vs matrix {expected!r}")
    assert not wrong, "\n".join(wrong)
    assert checked > 50, "the guards must be readable, else this test checks nothing"
    assert len(_matrices()) >= 3, "the identity, storage and core matrices must be found"
