"""The LDAP identity provider against a real OpenLDAP server (Debian ``slapd``, started per module).

scripts/test.sh installs slapd (root, idempotent); the server runs from a private config in a temporary
directory on a free loopback port, so the system's own slapd configuration is never used.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import ldap3
import pytest

from core.identity.bootstrap import create_staff
from core.identity.external import register_identity_provider, unregister_identity_provider
from core.identity.ldap import LdapProvider
from core.settings import ConfigError, load_settings

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SUFFIX = "dc=fuban,dc=test"
ROOT_DN, ROOT_PW = f"cn=admin,{SUFFIX}", "root-" + secrets.token_hex(8)
READER_DN, READER_PW = f"cn=reader,{SUFFIX}", "reader-" + secrets.token_hex(8)
PEOPLE = f"ou=people,{SUFFIX}"
CONF = """
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {dir}/slapd.pid
access to attrs=userPassword by anonymous auth by self write by * none
access to * by dn.exact="{reader}" read by self read by * none
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{rootdn}"
rootpw {rootpw}
directory {dir}/db
"""


@pytest.fixture(scope="module")
def slapd() -> Iterator[str]:
    assert Path(SLAPD).exists(), "slapd missing: scripts/test.sh installs Debian's slapd package"
    work = Path(tempfile.mkdtemp(prefix="fuban-slapd-"))
    (work / "db").mkdir()
    conf = work / "slapd.conf"
    conf.write_text(CONF.format(dir=work, suffix=SUFFIX, rootdn=ROOT_DN, rootpw=ROOT_PW, reader=READER_DN))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"ldap://127.0.0.1:{port}"
    proc = subprocess.Popen(  # -d 0: stay in the foreground so the fixture owns the process
        [SLAPD, "-f", str(conf), "-h", url + "/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=(work / "slapd.log").open("wb"),
    )
    try:
        _wait_for(url, proc, work)
        _populate(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        shutil.rmtree(work, ignore_errors=True)


def _wait_for(url: str, proc: subprocess.Popen[bytes], work: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        assert proc.poll() is None, (work / "slapd.log").read_text()
        conn = ldap3.Connection(ldap3.Server(url, connect_timeout=1), ROOT_DN, ROOT_PW)
        try:
            if conn.bind():
                conn.unbind()
                return
        except ldap3.core.exceptions.LDAPException:
            pass
        time.sleep(0.1)
    raise AssertionError("slapd did not start: " + (work / "slapd.log").read_text())


def _add(conn: ldap3.Connection, *args: object, **kw: object) -> None:
    assert conn.add(*args, **kw), conn.result


def _populate(url: str) -> None:
    conn = ldap3.Connection(ldap3.Server(url), ROOT_DN, ROOT_PW, auto_bind=True)
    _add(conn, SUFFIX, ["dcObject", "organization"], {"o": "fuban test", "dc": "fuban"})
    _add(conn, PEOPLE, ["organizationalUnit"], {"ou": "people"})
    _add(conn, READER_DN, ["person"], {"cn": "reader", "sn": "reader", "userPassword": READER_PW})
    for uid, cn, pw in (("zhangwei", "张伟", "Ldap-Pass-1"), ("li*", "李四", "Ldap-Pass-2")):
        # mail is IA5 (ASCII) in the schema: a Chinese address would be refused by the server.
        _add(
            conn,
            f"uid={ldap3.utils.dn.escape_rdn(uid)},{PEOPLE}",
            ["inetOrgPerson"],
            {
                "uid": uid,
                "cn": cn,
                "sn": cn[0],
                "displayName": cn,
                "mail": f"{uid.strip('*')}@example.cn",
                "userPassword": pw,
            },
        )
    # Two entries matching one filter: the search mode must refuse to pick either.
    for ou in ("a", "b"):
        _add(conn, f"ou={ou},{SUFFIX}", ["organizationalUnit"], {"ou": ou})
        _add(
            conn,
            f"uid=twin,ou={ou},{SUFFIX}",
            ["inetOrgPerson"],
            {"uid": "twin", "cn": "twin", "sn": "t", "userPassword": "Twin-Pass-1"},
        )
    conn.unbind()


def _settings(url: str, **kw: str) -> object:
    return load_settings(env="test", ldap_url=url, **kw)


async def test_bind_with_dn_template(slapd: str) -> None:
    provider = LdapProvider(_settings(slapd, ldap_user_dn=f"uid={{username}},{PEOPLE}"))
    who = await provider.authenticate("zhangwei", "Ldap-Pass-1")
    assert who is not None and who.display_name == "张伟" and who.email == "zhangwei@example.cn"
    assert await provider.authenticate("zhangwei", "wrong") is None
    assert await provider.authenticate("zhangwei", "") is None, "empty password = anonymous bind"
    assert await provider.authenticate("nobody", "Ldap-Pass-1") is None


async def test_search_then_bind_escapes_input(slapd: str) -> None:
    provider = LdapProvider(
        _settings(slapd, ldap_search_base=SUFFIX, ldap_bind_dn=READER_DN, ldap_bind_password=READER_PW)
    )
    assert (await provider.authenticate("zhangwei", "Ldap-Pass-1")) is not None
    # "*" is a wildcard in a filter: unescaped, "*" would match zhangwei with his password.
    assert await provider.authenticate("*", "Ldap-Pass-1") is None
    assert (await provider.authenticate("li*", "Ldap-Pass-2")) is not None, "literal * in a uid"
    assert await provider.authenticate("zhangwei)(uid=*", "Ldap-Pass-1") is None
    assert await provider.authenticate("twin", "Twin-Pass-1") is None, "ambiguous entries are refused"


async def test_start_tls_failure_never_sends_the_password_in_clear(slapd: str) -> None:
    """This slapd has no certificate: StartTLS fails, and the provider refuses instead of binding."""
    provider = LdapProvider(
        _settings(slapd, ldap_user_dn=f"uid={{username}},{PEOPLE}", ldap_start_tls="true")
    )
    assert await provider.authenticate("zhangwei", "Ldap-Pass-1") is None


async def test_directory_down_is_no_identity_not_an_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    provider = LdapProvider(_settings(f"ldap://127.0.0.1:{port}", ldap_user_dn=f"uid={{username}},{PEOPLE}"))
    assert await provider.authenticate("zhangwei", "Ldap-Pass-1") is None


async def test_login_through_ldap_for_an_existing_account(slapd: str, client, db, tenant) -> None:
    async with db.transaction() as s:
        await create_staff(s, tenant_id=tenant.id, username="zhangwei", password=None)
    provider = LdapProvider(_settings(slapd, ldap_user_dn=f"uid={{username}},{PEOPLE}"))
    register_identity_provider(provider)
    try:
        body = {"username": "zhangwei", "password": "Ldap-Pass-1", "tenant": tenant.code}
        assert (await client.post("/api/auth/login", json=body)).status_code == 200
        body["password"] = "nope"
        r = await client.post("/api/auth/login", json=body)
        assert r.status_code == 401 and r.json()["code"] == "invalid_credentials"
    finally:
        unregister_identity_provider(provider.name)


def test_ldap_settings_are_checked() -> None:
    with pytest.raises(ConfigError, match="FUBAN_LDAP_URL"):
        load_settings(env="test", ldap_url="http://x")
    with pytest.raises(ConfigError, match="LDAP_USER_DN or"):
        load_settings(env="test", ldap_url="ldap://x")
    with pytest.raises(ConfigError, match="must contain"):
        load_settings(env="test", ldap_url="ldap://x", ldap_user_dn="uid=fixed")
