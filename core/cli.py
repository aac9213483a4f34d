"""The ``fuban`` command line."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Coroutine
from typing import Any

import click

from core.settings import ConfigError, Settings, load_settings


def _settings() -> Settings:
    try:
        return load_settings()
    except ConfigError as err:
        raise click.ClickException(str(err)) from None


def _run(coro: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coro)


class _PluginCommands:
    """Plugins' ``register_cli`` commands, loaded on first use so a bad setting can't break ``--help``."""

    loaded: dict[str, click.Command] | None = None

    @classmethod
    def get(cls) -> dict[str, click.Command]:
        if cls.loaded is None:
            cls.loaded = {}
            try:
                from core.plugins.manager import PluginManager  # noqa: PLC0415

                try:
                    allow = load_settings().plugins
                except ConfigError:
                    # Still list the commands; running one reports the bad variable by name.
                    allow = None
                manager = PluginManager.load(allow)
            except Exception as exc:  # a broken plugin must not take `fuban db upgrade` down with it
                click.echo(f"warning: plugin commands not loaded: {exc}", err=True)
                return cls.loaded
            for plugin, commands in manager.collect("register_cli").items():
                if plugin == "core":
                    cls.loaded.update({c.name: c for c in commands if c.name})
                else:
                    cls.loaded[plugin] = click.Group(
                        plugin,
                        commands={c.name: c for c in commands if c.name},
                        help=f"Commands of plugin {plugin}.",
                    )
        return cls.loaded


class _Main(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *_PluginCommands.get()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or _PluginCommands.get().get(cmd_name)


@click.group(cls=_Main)
@click.option("-v", "--verbose", is_flag=True, help="Log at DEBUG level.")
def main(verbose: bool) -> None:
    """fuban (府办): platform for the daily work of government offices."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


@main.command()
@click.option("--host", default=None, help="Bind address (default FUBAN_HOST).")
@click.option("--port", type=int, default=None, help="Port (default FUBAN_PORT).")
@click.option("--workers", type=int, default=1, show_default=True, help="API worker processes.")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve the API (production)."""
    import uvicorn  # noqa: PLC0415

    s = _settings()
    uvicorn.run(
        "core.asgi:app",
        host=host or s.host,
        port=port or s.port,
        workers=workers,
        proxy_headers=True,
        log_level="info",
    )


@main.command()
@click.option("--processes", type=int, default=1, show_default=True)
@click.option("--threads", type=int, default=4, show_default=True)
@click.option("--queues", "-Q", multiple=True, help="Only these queues (default: all).")
def worker(processes: int, threads: int, queues: tuple[str, ...]) -> None:
    """Run a Dramatiq worker for every plugin's jobs."""
    _settings()
    args = [
        sys.executable,
        "-m",
        "dramatiq",
        "core.jobs.worker_entry",
        "--processes",
        str(processes),
        "--threads",
        str(threads),
    ]
    if queues:
        args += ["--queues", *queues]
    os.execv(sys.executable, args)  # noqa: S606 - replace this process with the worker


@main.command()
def scheduler() -> None:
    """Run the scheduler (safe to run two replicas: each fire is enqueued once)."""
    from core.bootstrap import runtime_for  # noqa: PLC0415
    from core.jobs.broker import setup_broker  # noqa: PLC0415
    from core.jobs.registry import register_actors  # noqa: PLC0415
    from core.jobs.scheduler import run_scheduler  # noqa: PLC0415
    from core.runtime import set_runtime  # noqa: PLC0415

    s = _settings()
    setup_broker(s)
    runtime = runtime_for(s)
    set_runtime(runtime)
    run_scheduler(runtime, register_actors(runtime))


@main.command()
@click.option(
    "--data-dir", default=None, help="Where the embedded servers keep data (default FUBAN_DATA_DIR)."
)
@click.option("--port", type=int, default=None, help="API port (default FUBAN_PORT, 8000).")
@click.option("--no-jobs", is_flag=True, help="Do not start the worker and scheduler.")
@click.option(
    "--stack-port",
    type=int,
    default=None,
    envvar="FUBAN_DEV_STACK_PORT",
    help="First of three ports for PostgreSQL, Valkey and S3 (default 55432).",
)
def dev(data_dir: str | None, port: int | None, no_jobs: bool, stack_port: int | None) -> None:
    """Start embedded PostgreSQL, Valkey and S3, migrate, seed a demo tenant, serve API + jobs."""
    from core.devrun import run_dev  # noqa: PLC0415

    run_dev(data_dir=data_dir, port=port, with_jobs=not no_jobs, stack_port=stack_port)


@main.group()
def db() -> None:
    """Database migrations."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration head (core and plugins), seed reference data, upgrade plugin data."""
    from core.bootstrap import prepare, runtime_for  # noqa: PLC0415

    s = _settings()
    rt = runtime_for(s)
    assert rt.db is not None

    async def go() -> None:
        try:
            await prepare(s, rt.manager, rt.db)  # type: ignore[arg-type]
        finally:
            await rt.db.dispose()  # type: ignore[union-attr]

    _run(go())
    click.echo("database is up to date")


@db.command("check")
def db_check() -> None:
    """Fail if the models have changes no migration covers."""
    from core.bootstrap import runtime_for  # noqa: PLC0415
    from core.db.migrate import pending_model_changes  # noqa: PLC0415

    rt = runtime_for(_settings())
    assert rt.db is not None
    diff = _run(pending_model_changes(rt.db, rt.manager))
    if diff:
        raise click.ClickException("models and migrations differ:\n" + "\n".join(map(str, diff)))
    click.echo("migrations match the models")


@db.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--branch", default="core", show_default=True, help="core or a plugin name.")
def db_revision(message: str, branch: str) -> None:
    """Autogenerate a migration on a branch against the current database (developers)."""
    from core.bootstrap import runtime_for  # noqa: PLC0415
    from core.db.migrate import revision  # noqa: PLC0415

    rt = runtime_for(_settings())
    assert rt.db is not None
    _run(revision(rt.db, rt.manager, message, branch))


from core.plugins.cli import plugins  # noqa: E402

main.add_command(plugins)


if __name__ == "__main__":
    main()
