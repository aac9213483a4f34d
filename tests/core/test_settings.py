"""Settings: invalid configuration fails at start with a message naming the variable."""

from __future__ import annotations

import pytest

from core.settings import ConfigError, load_settings

GOOD = {
    "FUBAN_ENV": "production",
    "FUBAN_DATABASE_URL": "postgresql+asyncpg://u:p@db:5432/fuban",
    "FUBAN_REDIS_URL": "redis://redis:6379/0",
    "FUBAN_S3_ENDPOINT": "minio:9000",
    "FUBAN_S3_ACCESS_KEY": "ak",
    "FUBAN_S3_SECRET_KEY": "sk",
    "FUBAN_SECRET_KEY": "x" * 40,
}


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    import os  # noqa: PLC0415

    for key in [k for k in os.environ if k.startswith("FUBAN_")]:
        monkeypatch.delenv(key, raising=False)
    for key, value in GOOD.items():
        monkeypatch.setenv(key, value)
    return monkeypatch


def test_production_needs_only_the_five_values(env: pytest.MonkeyPatch) -> None:
    s = load_settings()
    assert s.database_url.endswith("/fuban") and s.s3_bucket == "fuban" and s.timezone == "Asia/Shanghai"


@pytest.mark.parametrize(
    ("var", "value", "named"),
    [
        ("FUBAN_DATABASE_URL", "mysql://x", "FUBAN_DATABASE_URL"),
        ("FUBAN_REDIS_URL", "http://redis", "FUBAN_REDIS_URL"),
        ("FUBAN_S3_ENDPOINT", "http://minio:9000", "FUBAN_S3_ENDPOINT"),
        ("FUBAN_PORT", "70000", "FUBAN_PORT"),
        ("FUBAN_REMINDER_HOUR", "25", "FUBAN_REMINDER_HOUR"),
        ("FUBAN_ENV", "staging", "FUBAN_ENV"),
        ("FUBAN_SECRET_KEY", "short", "FUBAN_SECRET_KEY"),
    ],
)
def test_bad_value_names_the_variable(env: pytest.MonkeyPatch, var: str, value: str, named: str) -> None:
    env.setenv(var, value)
    with pytest.raises(ConfigError, match=named):
        load_settings()


def test_missing_production_values_are_all_named(env: pytest.MonkeyPatch) -> None:
    env.delenv("FUBAN_REDIS_URL")
    env.delenv("FUBAN_SECRET_KEY")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert "FUBAN_REDIS_URL" in str(err.value) and "FUBAN_SECRET_KEY" in str(err.value)


def test_plugins_allowlist_forms(env: pytest.MonkeyPatch) -> None:
    env.setenv("FUBAN_PLUGINS", "documents, petitions")
    assert load_settings().plugins == ["documents", "petitions"]
    env.setenv("FUBAN_PLUGINS", '["documents"]')
    assert load_settings().plugins == ["documents"]


def test_dev_runs_without_secrets(env: pytest.MonkeyPatch) -> None:
    env.setenv("FUBAN_ENV", "dev")
    env.delenv("FUBAN_SECRET_KEY")
    assert len(load_settings().effective_secret) >= 32
