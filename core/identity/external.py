"""External identity (外部身份源): a hook point for LDAP, OIDC password grants and similar directories.

A provider checks a username and password against its directory. The account itself must exist in
fuban (an administrator creates people and their posts); a provider only vouches for the password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class ExternalIdentity:
    """What a provider knows about a person it authenticated."""

    username: str
    provider: str
    display_name: str = ""
    email: str | None = None
    phone: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ExternalIdentityProvider(Protocol):
    """Checks credentials against an external directory; ``None`` means "not valid here"."""

    name: str

    async def authenticate(self, username: str, password: str) -> ExternalIdentity | None: ...


_providers: list[ExternalIdentityProvider] = []


def register_identity_provider(provider: ExternalIdentityProvider) -> None:
    """Add a provider; login tries them in registration order after the local password."""
    if any(p.name == provider.name for p in _providers):
        raise ValueError(f"identity provider {provider.name!r} is registered twice")
    _providers.append(provider)


def unregister_identity_provider(name: str) -> None:
    _providers[:] = [p for p in _providers if p.name != name]


def identity_providers() -> list[ExternalIdentityProvider]:
    return list(_providers)


async def authenticate_externally(username: str, password: str) -> ExternalIdentity | None:
    """The first provider that accepts the credentials for exactly this username."""
    for provider in _providers:
        identity = await provider.authenticate(username, password)
        if identity is not None and identity.username.strip().lower() == username:
            return identity
    return None
