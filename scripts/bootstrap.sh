#!/usr/bin/env bash
# Idempotent setup: .venv in the repo root with fuban installed editable, plus its dev/test extras.
# A re-run takes well under a second: pip runs again only when pyproject.toml or the interpreter changed.
# Needs only python3 >= 3.11 and access to PyPI (or the mirror in PIP_INDEX_URL / pip.conf); Debian's
# python3-venv and python3-pip packages are not required. Override the interpreter with PYTHON=...
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root=$PWD
venv=$root/.venv
stamp=$venv/.fuban-install-stamp
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_ROOT_USER_ACTION=ignore PIP_PROGRESS_BAR=off

log() { echo "bootstrap: $*" >&2; }

is_py311() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1; }

find_python() {
  if [ -n "${PYTHON:-}" ]; then
    is_py311 "$PYTHON" || { log "PYTHON=$PYTHON is not Python >= 3.11"; exit 1; }
    echo "$PYTHON"; return
  fi
  for candidate in python3 python3.13 python3.12 python3.11; do
    if command -v "$candidate" >/dev/null 2>&1 && is_py311 "$candidate"; then
      command -v "$candidate"; return
    fi
  done
  log "fuban needs Python >= 3.11 (e.g. apt-get install python3), none found on PATH"
  exit 1
}

# Without ensurepip (Debian lacking python3-venv): fetch the newest pip wheel from the package index
# and let it install itself, the way ensurepip would.
install_pip() {
  local tmp
  tmp=$(mktemp -d)
  "$1" - "$tmp" <<'PY'
import hashlib, html, json, os, re, ssl, sys, urllib.parse, urllib.request
index = os.environ.get("PIP_INDEX_URL", "https://pypi.org/simple").rstrip("/")
ctx = ssl.create_default_context(cafile=os.environ.get("PIP_CERT") or None)
accept = "application/vnd.pypi.simple.v1+json, text/html;q=0.1"
with urllib.request.urlopen(urllib.request.Request(f"{index}/pip/", headers={"Accept": accept}),
                            timeout=60, context=ctx) as resp:
    body, base, ctype = resp.read().decode(), resp.geturl(), resp.headers.get("Content-Type", "")
if "json" in ctype:
    links = [(f["url"], f.get("hashes", {}).get("sha256")) for f in json.loads(body)["files"] if not f.get("yanked")]
else:
    links = []
    for href in re.findall(r'href="([^"]+)"', body):
        url = urllib.parse.urljoin(base, html.unescape(href))
        digest = re.search(r"#sha256=([0-9a-f]{64})", url)
        links.append((url.split("#")[0], digest.group(1) if digest else None))
wheels = []
for url, digest in links:
    m = re.search(r"/pip-(\d+)\.(\d+)(?:\.(\d+))?-py3-none-any\.whl$", url.split("#")[0])
    if m:
        wheels.append((tuple(int(x or 0) for x in m.groups()), url.split("#")[0], digest))
if not wheels:
    sys.exit(f"no pip wheel found at {index}/pip/")
_, url, digest = max(wheels)
with urllib.request.urlopen(url, timeout=120, context=ctx) as resp:
    data = resp.read()
if digest and hashlib.sha256(data).hexdigest() != digest:
    sys.exit(f"sha256 mismatch for {url}")
path = os.path.join(sys.argv[1], url.rsplit("/", 1)[1])
with open(path, "wb") as f:
    f.write(data)
print(path)
PY
  local wheel
  wheel=$(ls "$tmp"/pip-*.whl)
  "$1" "$wheel/pip" install --quiet --no-index "$wheel"
  rm -rf "$tmp"
}

# Serialize concurrent runs (dev.sh and test.sh started together); the lock lives outside .venv,
# which may be deleted and recreated below.
if command -v flock >/dev/null 2>&1; then
  exec 9>"${TMPDIR:-/tmp}/fuban-bootstrap-$(printf %s "$root" | sha256sum | cut -c1-16).lock"
  flock 9
fi

if ! is_py311 "$venv/bin/python"; then
  py=$(find_python)
  log "creating $venv with $py ($("$py" -V 2>&1))"
  rm -rf "$venv"
  if ! "$py" -m venv "$venv" >/dev/null 2>&1; then
    log "no ensurepip (python3-venv missing): installing pip from the package index"
    rm -rf "$venv"
    "$py" -m venv --without-pip "$venv"
    install_pip "$venv/bin/python"
  fi
  # The bundled pip can be old; a current one resolves and builds editable installs reliably.
  "$venv/bin/python" -m pip install --quiet --upgrade pip
fi

want="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$venv/bin/python" -c 'import sys; print(sys.version)' | head -1)"
if [ ! -x "$venv/bin/fuban" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  log "installing fuban and its dev/test dependencies into $venv"
  rm -f "$stamp"  # a failed install must not leave a stamp that says it succeeded
  "$venv/bin/python" -m pip install -e "$root[dev]"
  printf '%s\n' "$want" > "$stamp"
fi
