"""External identity providers (外部身份源): the hook login consults after the local password."""

from __future__ import annotations

import secrets

import pytest

from core.identity.bootstrap import create_staff
from core.identity.external import (
    ExternalIdentity,
    ExternalIdentityProvider,
    register_identity_provider,
    unregister_identity_provider,
)
from core.org.models import User

API = "/api"


class DirectoryProvider:
    """A directory that knows exactly one account (the protocol is what is under test)."""

    name = "test-directory"

    def __init__(self, username: str, password: str) -> None:
        self.username, self.password = username, password
        self.calls = 0

    async def authenticate(self, username: str, password: str) -> ExternalIdentity | None:
        self.calls += 1
        if username == self.username and password == self.password:
            return ExternalIdentity(username=username, provider=self.name, display_name="目录用户")
        return None


@pytest.fixture
def directory():
    provider = DirectoryProvider(f"ldap{secrets.token_hex(4)}", "Directory-Pass-2026")
    assert isinstance(provider, ExternalIdentityProvider)
    register_identity_provider(provider)
    yield provider
    unregister_identity_provider(provider.name)


async def test_directory_account_signs_in(client, db, tenant, directory):
    async with db.transaction() as s:
        user = await create_staff(s, tenant_id=tenant.id, username=directory.username, password=None)
    r = await client.post(
        f"{API}/auth/login", json={"username": directory.username, "password": directory.password}
    )
    assert r.status_code == 200, r.text
    assert r.json()["user"]["id"] == str(user.id)

    r = await client.post(
        f"{API}/auth/login", json={"username": directory.username, "password": "Wrong-Pass-123"}
    )
    assert r.status_code == 401
    async with db.transaction() as s:
        assert (await s.get(User, user.id)).failed_logins == 1  # failures count for directory accounts too


async def test_directory_needs_a_local_account(client, directory):
    # The directory vouches for the password; the account and its posts come from fuban's administrators.
    r = await client.post(
        f"{API}/auth/login", json={"username": directory.username, "password": directory.password}
    )
    assert r.status_code == 401
    with pytest.raises(ValueError):
        register_identity_provider(directory)
