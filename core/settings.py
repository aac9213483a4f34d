"""Typed settings, read from ``FUBAN_*`` environment variables.

Production needs only ``FUBAN_DATABASE_URL``, ``FUBAN_REDIS_URL``, the ``FUBAN_S3_*`` endpoint and keys and
``FUBAN_SECRET_KEY``; everything else has a documented default. A bad value stops the process at start
with a message that names the variable (see :func:`load_settings`).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ENV_PREFIX = "FUBAN_"
_DEV_SECRET = "dev-only-secret-key-change-me-0123456789abcdef"  # noqa: S105 - dev/test fallback, refused in production


class ConfigError(RuntimeError):
    """Raised at start-up when the environment holds an invalid or missing setting."""


class Settings(BaseSettings):
    """All settings of a fuban process (API, worker, scheduler and CLI share them)."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore", frozen=True)

    env: Literal["dev", "test", "production"] = Field(
        "production",
        description="Deployment kind. `production` refuses the built-in dev secret and demo seeding.",
    )
    database_url: str = Field(
        "",
        description="SQLAlchemy async URL of PostgreSQL, e.g. postgresql+asyncpg://user:pw@host:5432/fuban.",
    )
    database_pool_size: int = Field(10, ge=1, le=200, description="Connections kept per process.")
    database_echo: bool = Field(False, description="Log every SQL statement (debugging only).")
    redis_url: str = Field(
        "", description="Redis/Valkey URL for the job queue and locks, redis://host:6379/0."
    )
    s3_endpoint: str = Field("", description="S3/MinIO endpoint as host:port, without scheme.")
    s3_access_key: str = Field("", description="S3 access key.")
    s3_secret_key: SecretStr = Field(SecretStr(""), description="S3 secret key.")
    s3_secure: bool = Field(True, description="Use HTTPS to reach S3.")
    s3_region: str = Field("us-east-1", description="S3 region name sent in signatures.")
    s3_bucket: str = Field("fuban", description="Bucket holding all objects; keys are prefixed per tenant.")
    secret_key: SecretStr = Field(
        SecretStr(""), description="Signs sessions and query codes; at least 32 characters."
    )
    plugins: list[str] | None = Field(
        None,
        description="Allowlist of plugin names (JSON list or comma separated); unset = every installed one.",
    )
    default_locale: Literal["zh-CN", "en"] = Field("zh-CN", description="Language of messages by default.")
    timezone: str = Field("Asia/Shanghai", description="Office time zone: deadlines and reminders use it.")
    reminder_hour: int = Field(9, ge=0, le=23, description="Local hour at which deadline reminders fire.")
    scheduler_sweep_seconds: int = Field(
        60, ge=1, le=3600, description="How often the scheduler sweeps for due deadline reminders."
    )
    host: str = Field("127.0.0.1", description="Address the API binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port the API listens on.")
    data_dir: str = Field(".fuban", description="`fuban dev` keeps its embedded servers' data here.")
    docs_enabled: bool = Field(True, description="Serve the OpenAPI schema and its docs UI under /schema.")
    # Sign-in and sessions (登录与会话), the same for staff and citizens.
    login_max_failures: int = Field(
        5, ge=1, le=100, description="Wrong passwords in a row that lock an account (staff or citizen)."
    )
    login_lockout_minutes: int = Field(15, ge=1, le=24 * 60, description="How long such a lock lasts.")
    login_ip_max_failures: int = Field(
        50,
        ge=1,
        le=1_000_000,
        description="Failed sign-ins from one client address, across all accounts, after which that address "
        "is refused until its window ends (against trying one password on many accounts).",
    )
    login_ip_window_minutes: int = Field(
        15, ge=1, le=24 * 60, description="Window counting the failed sign-ins of one address."
    )
    session_idle_minutes: int = Field(
        30, ge=1, le=24 * 60, description="A session unused for this long ends (the console signs out too)."
    )
    session_max_hours: int = Field(
        12, ge=1, le=30 * 24, description="A session ends this long after sign-in."
    )
    ldap_url: str = Field(
        "",
        description="LDAP directory checked when a staff account has no local password or it does not match, "
        "e.g. ldaps://ldap.example.gov.cn:636; empty = no LDAP. The account must still exist in fuban.",
    )
    ldap_user_dn: str = Field(
        "",
        description="DN template bound with the user's password, {username} escaped, e.g. "
        "uid={username},ou=people,dc=example,dc=cn. Leave empty to search instead (ldap_search_base).",
    )
    ldap_search_base: str = Field("", description="Base DN for finding the user when ldap_user_dn is empty.")
    ldap_user_filter: str = Field(
        "(uid={username})", description="Search filter for the user; {username} is escaped."
    )
    ldap_bind_dn: str = Field("", description="Service account DN used for the search (empty = anonymous).")
    ldap_bind_password: SecretStr = Field(SecretStr(""), description="Service account password.")
    ldap_start_tls: bool = Field(False, description="Upgrade ldap:// connections with StartTLS.")
    ldap_timeout_seconds: float = Field(5.0, gt=0, le=60, description="Connect and operation timeout.")

    @field_validator("plugins", mode="before")
    @classmethod
    def _split_plugins(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip().startswith("["):
            return [p.strip() for p in value.split(",") if p.strip()]
        return value

    @field_validator("database_url")
    @classmethod
    def _check_db_url(cls, value: str) -> str:
        if value and not value.startswith("postgresql+asyncpg://"):
            raise ValueError("must start with postgresql+asyncpg://")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must start with redis://, rediss:// or unix://")
        return value

    @field_validator("s3_endpoint")
    @classmethod
    def _check_s3_endpoint(cls, value: str) -> str:
        if "://" in value or "/" in value:
            raise ValueError("must be host:port without scheme or path")
        return value

    @field_validator("ldap_url")
    @classmethod
    def _check_ldap_url(cls, value: str) -> str:
        if value and not value.startswith(("ldap://", "ldaps://")):
            raise ValueError("must start with ldap:// or ldaps://")
        return value

    @model_validator(mode="after")
    def _check_ldap(self) -> Settings:
        if self.ldap_url and not (self.ldap_user_dn or self.ldap_search_base):
            raise ValueError(
                f"{ENV_PREFIX}LDAP_URL needs {ENV_PREFIX}LDAP_USER_DN or {ENV_PREFIX}LDAP_SEARCH_BASE"
            )
        if self.ldap_user_dn and "{username}" not in self.ldap_user_dn:
            raise ValueError(f"{ENV_PREFIX}LDAP_USER_DN must contain {{username}}")
        return self

    @model_validator(mode="after")
    def _require_production_values(self) -> Settings:
        if self.env != "production":
            return self
        missing = [
            name
            for name, val in (
                ("database_url", self.database_url),
                ("redis_url", self.redis_url),
                ("s3_endpoint", self.s3_endpoint),
                ("s3_access_key", self.s3_access_key),
                ("s3_secret_key", self.s3_secret_key.get_secret_value()),
                ("secret_key", self.secret_key.get_secret_value()),
            )
            if not val
        ]
        if missing:
            raise ValueError("required in production: " + ", ".join(ENV_PREFIX + m.upper() for m in missing))
        key = self.secret_key.get_secret_value()
        if len(key) < 32 or key == _DEV_SECRET:
            raise ValueError(f"{ENV_PREFIX}SECRET_KEY must be a private value of at least 32 characters")
        return self

    @property
    def effective_secret(self) -> str:
        """The signing key; dev and test fall back to a fixed key so local data stays readable."""
        return self.secret_key.get_secret_value() or _DEV_SECRET


def _describe(err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        loc = [str(p) for p in e.get("loc", ()) if p != "__root__"]
        name = ENV_PREFIX + loc[0].upper() if loc else "configuration"
        lines.append(f"{name}: {e.get('msg')}")
    return "invalid configuration:\n  " + "\n  ".join(lines)


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment; raise :class:`ConfigError` naming the bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as err:
        raise ConfigError(_describe(err)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once)."""
    return load_settings()
