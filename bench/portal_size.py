"""Benchmark: JavaScript the citizen portal loads first, gzipped, from the built ``frontend/dist``.

    python bench/portal_size.py [--dist frontend/dist] [--json]

Reads ``portal/index.html``, takes every ``<script src>`` and ``<link rel="modulepreload">`` it names,
follows their static ``import ... from "./x.js"`` statements (not lazy ``import()``: those load later),
gzips each file at level 9 and adds them up. Target: ≤ 300 KB (307,200 bytes). Exit status 1 if missed,
2 without a build (run ``npm run build`` in frontend/ first).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 300 * 1024
_SCRIPT = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.I)
_PRELOAD = re.compile(r"<link[^>]*\brel=\"modulepreload\"[^>]*\bhref=\"([^\"]+)\"", re.I)
# Static imports in Vite's minified output: `import{a as b}from"./x.js"` or `import"./x.js"`.
_STATIC_IMPORT = re.compile(r"\bimport\s*(?:[\w$*{}\s,]*?\s*from\s*)?[\"'](\.{1,2}/[^\"']+\.js)[\"']")


def first_load_files(dist: Path, page: str = "portal/index.html") -> list[Path]:
    """Every JS file a first visit of ``page`` downloads before the app starts."""
    html = (dist / page).read_text(encoding="utf-8")
    pending = [
        dist / u.lstrip("/") for u in _SCRIPT.findall(html) + _PRELOAD.findall(html) if u.endswith(".js")
    ]
    seen: dict[Path, None] = {}
    while pending:
        path = pending.pop().resolve()
        if path in seen or not path.is_file():
            continue
        seen[path] = None
        for rel in _STATIC_IMPORT.findall(path.read_text(encoding="utf-8")):
            pending.append(path.parent / rel)
    return sorted(seen)


def gzip_size(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def measure(dist: Path) -> dict[str, object]:
    files = first_load_files(dist)
    sizes = {str(p.relative_to(dist.resolve())): gzip_size(p) for p in files}
    total = sum(sizes.values())
    return {
        "files": sizes,
        "total_gzip_bytes": total,
        "limit_bytes": LIMIT,
        "ok": total <= LIMIT and bool(files),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "frontend" / "dist")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args()
    if not (args.dist / "portal" / "index.html").is_file():
        print(f"no portal build under {args.dist}: run `npm run build` in frontend/", file=sys.stderr)
        return 2
    result = measure(args.dist)
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        files = result["files"]
        assert isinstance(files, dict)
        for name, size in files.items():
            print(f"  {size / 1024:8.1f} KB  {name}")
        total = int(str(result["total_gzip_bytes"]))
        verdict = "OK" if result["ok"] else "OVER"
        print(f"portal first load: {total / 1024:.1f} KB of JavaScript gzipped (limit 300 KB) {verdict}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
