"""LDAP directory as an external identity provider (外部身份源: LDAP), built on ``ldap3``.

The account must exist in fuban (people and posts are managed here); the directory only vouches for the
password. Two ways to find the user's entry, per settings:

- ``FUBAN_LDAP_USER_DN`` — a DN template bound directly with the user's password;
- ``FUBAN_LDAP_SEARCH_BASE`` + ``FUBAN_LDAP_USER_FILTER`` — a service account (or anonymous) search for
  exactly one entry, then a bind as that entry.

User input never reaches a DN or a filter unescaped, and an empty password is refused before any bind:
LDAP treats a simple bind with an empty password as an anonymous bind that "succeeds".
"""

from __future__ import annotations

import asyncio
import logging
import math
import ssl
from typing import Any

import ldap3
from ldap3.core.exceptions import LDAPException, LDAPStartTLSError
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from core.identity.external import ExternalIdentity
from core.settings import Settings

logger = logging.getLogger(__name__)


class LdapProvider:
    """Checks a username and password against an LDAP directory (bind as the user)."""

    name = "ldap"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # ldaps:// and StartTLS both verify the directory's certificate (ldap3's default does not).
        secure = settings.ldap_url.startswith("ldaps://") or settings.ldap_start_tls
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED) if secure else None
        self.server = ldap3.Server(
            settings.ldap_url, connect_timeout=settings.ldap_timeout_seconds, tls=tls, get_info=ldap3.NONE
        )

    async def authenticate(self, username: str, password: str) -> ExternalIdentity | None:
        if not username or not password:
            return None
        return await asyncio.to_thread(self._authenticate, username, password)

    def _connection(self, user: str | None, password: str | None) -> ldap3.Connection:
        conn = ldap3.Connection(
            self.server,
            user=user,
            password=password,
            receive_timeout=math.ceil(self.settings.ldap_timeout_seconds),  # ldap3 packs it as an int
            raise_exceptions=False,
            read_only=True,
        )
        if self.settings.ldap_start_tls:
            conn.open()
            if not conn.start_tls():  # never fall back to sending the password in clear text
                conn.unbind()
                raise LDAPStartTLSError(f"StartTLS refused: {conn.result.get('description')}")
        return conn

    def _find_dn(self, username: str) -> str | None:
        s = self.settings
        if s.ldap_user_dn:
            return s.ldap_user_dn.replace("{username}", escape_rdn(username))
        bind_pw = s.ldap_bind_password.get_secret_value()
        conn = self._connection(s.ldap_bind_dn or None, bind_pw or None)
        try:
            if not conn.bind():
                logger.warning("LDAP service bind failed: %s", conn.result.get("description"))
                return None
            query = s.ldap_user_filter.replace("{username}", escape_filter_chars(username))
            conn.search(s.ldap_search_base, query, attributes=[], size_limit=2)
            entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
            # Zero or several matches: not a usable identity (never guess between two people).
            return str(entries[0]["dn"]) if len(entries) == 1 else None
        finally:
            conn.unbind()

    def _authenticate(self, username: str, password: str) -> ExternalIdentity | None:
        try:
            dn = self._find_dn(username)
            if dn is None:
                return None
            conn = self._connection(dn, password)
            try:
                if not conn.bind():
                    return None
                attrs = self._attributes(conn, dn)
            finally:
                conn.unbind()
        except LDAPException as exc:  # directory down or misconfigured: local accounts still work
            logger.warning("LDAP authentication unavailable: %s", exc)
            return None
        return ExternalIdentity(
            username=username,
            provider=self.name,
            display_name=_first(attrs.get("displayName")) or _first(attrs.get("cn")) or "",
            email=_first(attrs.get("mail")),
            phone=_first(attrs.get("mobile")) or _first(attrs.get("telephoneNumber")),
            attributes={"dn": dn},
        )

    @staticmethod
    def _attributes(conn: ldap3.Connection, dn: str) -> dict[str, Any]:
        wanted = ["cn", "displayName", "mail", "mobile", "telephoneNumber"]
        if not conn.search(dn, "(objectClass=*)", search_scope=ldap3.BASE, attributes=wanted):
            return {}
        entries = [e for e in conn.response or [] if e.get("type") == "searchResEntry"]
        return dict(entries[0].get("attributes", {})) if entries else {}


def _first(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return str(value) if value else None


def install_ldap_provider(settings: Settings) -> None:
    """Register the LDAP provider when ``FUBAN_LDAP_URL`` is set (idempotent)."""
    from core.identity.external import (  # noqa: PLC0415
        identity_providers,
        register_identity_provider,
        unregister_identity_provider,
    )

    if any(p.name == LdapProvider.name for p in identity_providers()):
        unregister_identity_provider(LdapProvider.name)
    if settings.ldap_url:
        register_identity_provider(LdapProvider(settings))
