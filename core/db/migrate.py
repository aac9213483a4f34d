"""Apply and inspect migrations: one Alembic env, a version directory per plugin branch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

from core.db.base import Base
from core.db.engine import Database
from core.plugins.manager import PluginManager

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def import_models(manager: PluginManager) -> None:
    """Import every model module so ``Base.metadata`` holds all tables (core and plugins)."""
    import core.models  # noqa: F401, PLC0415 - registers the core's tables

    for plugin, models in manager.collect("register_models").items():
        for model in models:
            table = getattr(model, "__tablename__", "")
            if plugin != "core" and not table.startswith(plugin + "_"):
                raise ValueError(f"plugin {plugin!r}: table {table!r} must be prefixed {plugin}_")


def alembic_config(manager: PluginManager) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    locations = [str(MIGRATIONS_DIR / "versions")]
    for plugin, path in manager.collect("register_migrations").items():
        if plugin != "core":
            locations.append(str(Path(path)))
    cfg.set_main_option("version_locations", " ".join(locations))
    cfg.set_main_option("path_separator", "space")
    return cfg


def _with_connection(cfg: Config, connection: Connection, fn: Any, *args: Any, **kwargs: Any) -> None:
    cfg.attributes["connection"] = connection
    fn(cfg, *args, **kwargs)


async def upgrade(db: Database, manager: PluginManager, target: str = "heads") -> None:
    """Apply every branch head (core and each plugin) in one transaction."""
    import_models(manager)
    cfg = alembic_config(manager)
    async with db.engine.begin() as conn:
        await conn.run_sync(lambda c: _with_connection(cfg, c, command.upgrade, target))


async def pending_model_changes(db: Database, manager: PluginManager) -> list[Any]:
    """What autogenerate would still write: empty when the migrations match the models."""
    import_models(manager)
    # Tables that belong to no loaded plugin (another deployment's plugin, a test's scratch table) are
    # not ours to report as "removed".
    prefixes = tuple(f"{name}_" for name in manager.names())

    def ours(name: str | None, type_: str, parent: Any) -> bool:
        return type_ != "table" or name in Base.metadata.tables or (name or "").startswith(prefixes)

    opts = {"compare_type": True, "include_name": ours}
    async with db.engine.connect() as conn:
        return await conn.run_sync(
            lambda c: compare_metadata(MigrationContext.configure(c, opts=opts), Base.metadata)
        )


async def revision(db: Database, manager: PluginManager, message: str, branch: str) -> None:
    """Autogenerate a revision on ``branch`` (core or a plugin) against the current database."""
    import_models(manager)
    cfg = alembic_config(manager)
    script = ScriptDirectory.from_config(cfg)
    branch_heads = [h for h in script.get_heads() if branch in (script.get_revision(h).branch_labels or ())]
    kwargs: dict[str, Any] = {"message": message, "autogenerate": True}
    if branch_heads:
        kwargs["head"] = f"{branch}@head"
    else:
        kwargs.update(
            head="base",
            branch_label=branch,
            version_path=str(MIGRATIONS_DIR / "versions"),
            rev_id=f"{branch}_0001",
        )
    async with db.engine.connect() as conn:
        await conn.run_sync(lambda c: _with_connection(cfg, c, command.revision, **kwargs))


def heads(manager: PluginManager) -> list[str]:
    return list(ScriptDirectory.from_config(alembic_config(manager)).get_heads())
