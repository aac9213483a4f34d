"""Session fixtures: ONE real stack (PostgreSQL, Valkey, S3 from pip) started by the same launcher
as ``fuban dev``, migrated through the real migration path, and an app client on top of it."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from core.db.engine import Database
from core.devstack.services import Stack
from core.settings import Settings, get_settings, load_settings
from core.tenancy.models import Tenant

ROOT = Path(__file__).resolve().parent.parent
TEST_SECRET = "test-secret-key-for-the-suite-only-0123456789"


def _install_sample_entry_point(base: Path) -> None:
    """Make the sample plugin discoverable the way real plugins are: an entry point on sys.path.

    Subprocesses (scheduler, worker) inherit it through PYTHONPATH.
    """
    dist = base / "fuban_sample_plugin-1.2.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fuban-sample-plugin\nVersion: 1.2.0\n")
    (dist / "entry_points.txt").write_text("[fuban.plugins]\nsample = tests.sample_plugin.plugin\n")
    sys.path.insert(0, str(base))
    os.environ["PYTHONPATH"] = os.pathsep.join([str(base), str(ROOT), os.environ.get("PYTHONPATH", "")])


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    data = Path(os.environ.get("FUBAN_TEST_DATA_DIR") or tmp_path_factory.mktemp("stack"))
    st = Stack(data, base_port=None)
    st.start()
    try:
        yield st
    finally:
        st.stop()


@pytest.fixture(scope="session")
def settings(stack: Stack, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    _install_sample_entry_point(tmp_path_factory.mktemp("entrypoints"))
    os.environ.update(stack.env())
    os.environ.update({"FUBAN_ENV": "test", "FUBAN_SECRET_KEY": TEST_SECRET, "FUBAN_S3_BUCKET": "fuban-test"})
    # Every in-process request comes from the same client address: failed sign-ins of all the tests
    # would add up to the per-address throttle (its own tests lower it again).
    os.environ["FUBAN_LOGIN_IP_MAX_FAILURES"] = "1000000"
    get_settings.cache_clear()
    return load_settings()


@pytest.fixture
def override_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """``override_settings(login_max_failures=2)``: process settings (``get_settings()``) for one test."""

    def apply(**values: object) -> None:
        for name, value in values.items():
            monkeypatch.setenv(f"FUBAN_{name.upper()}", str(value))
        get_settings.cache_clear()

    yield apply
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.fixture(scope="session")
async def db(settings: Settings) -> AsyncIterator[Database]:
    """The tests' own engine, migrated through the real path (``prepare`` = ``fuban db upgrade``).

    The app runs on the test client's loop; fixtures use this engine on pytest's loop.
    """
    from core.bootstrap import prepare  # noqa: PLC0415
    from core.plugins.manager import PluginManager  # noqa: PLC0415
    from core.runtime import Runtime  # noqa: PLC0415

    database = Database(settings)
    manager = PluginManager.load(settings.plugins)
    Runtime.build(settings, manager)  # fills the permission catalogue the seeders read
    await prepare(settings, manager, database)
    yield database
    await database.dispose()


@pytest.fixture(scope="session")
async def app_client(settings: Settings, db: Database) -> AsyncIterator[AsyncTestClient[Litestar]]:
    from core.app import create_app  # noqa: PLC0415

    app = create_app(settings)
    async with AsyncTestClient(app=app, base_url="http://test.local") as client:
        yield client


@pytest.fixture(scope="session")
def app(app_client: AsyncTestClient[Litestar]) -> Litestar:
    return app_client.app


@pytest.fixture(scope="session")
def runtime(app: Litestar) -> Any:
    """The app's runtime (plugins and what their hooks returned), for tests calling services directly."""
    return app.state.runtime


@pytest.fixture
def client(app_client: AsyncTestClient[Litestar]) -> AsyncTestClient[Litestar]:
    app_client.headers.clear()
    app_client.cookies.clear()
    return app_client


async def _new_tenant(db: Database, label: str) -> Tenant:
    from core.identity.bootstrap import ensure_tenant  # noqa: PLC0415

    async with db.transaction() as session:
        return await ensure_tenant(
            session, code=f"{label}-{secrets.token_hex(4)}", name=f"测试{label}县人民政府办公室"
        )


@pytest.fixture
async def tenant(db: Database) -> Tenant:
    return await _new_tenant(db, "t")


@pytest.fixture
async def other_tenant(db: Database) -> Tenant:
    return await _new_tenant(db, "o")


async def new_staff(db: Database, tenant: Tenant, **kw: Any) -> tuple[Any, dict[str, str]]:
    """A staff member of ``tenant`` with a session: (the person, headers signed in as them).

    ``kw`` goes to :func:`core.identity.bootstrap.create_staff` (permissions, roles, unit_id, clearance,
    password or password_hash; no password by default).
    """
    from core.identity.bootstrap import create_staff, issue_session  # noqa: PLC0415

    kw.setdefault("username", f"u{secrets.token_hex(5)}")
    kw.setdefault("password", None)
    async with db.transaction() as session:
        user = await create_staff(session, tenant_id=tenant.id, **kw)
        token = await issue_session(session, user_id=user.id, tenant_id=tenant.id)
    return user, {"Authorization": f"Bearer {token}"}


StaffHeaders = Callable[..., Awaitable[dict[str, str]]]


@pytest.fixture
def staff_headers(db: Database) -> StaffHeaders:
    """``await staff_headers(tenant, permissions=[...], clearance=0)``: a signed-in staff member's headers."""

    async def make(
        tenant: Tenant, permissions: list[str] | tuple[str, ...] = (), clearance: int = 0, **kw: Any
    ) -> dict[str, str]:
        kw.setdefault("password", "Fuban-Test-Pass-2026!")
        _user, headers = await new_staff(
            db, tenant, permissions=tuple(permissions), clearance=clearance, **kw
        )
        return headers

    return make
