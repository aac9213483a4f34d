"""Benchmark: 1 GB through the storage API vs straight to S3 with the minio SDK, in one run.

    python bench/storage.py [--size-mb 1024] [--rounds 5] [--keep]

Starts its own S3 server (SeaweedFS ``weed mini`` in a temporary directory on free ports) unless the
``FUBAN_S3_ENDPOINT`` / ``FUBAN_S3_ACCESS_KEY`` / ``FUBAN_S3_SECRET_KEY`` variables name one, and a real
API server process (uvicorn, the same server ``fuban serve`` runs) with a minimal Litestar app. That app
mounts the storage request reading (:func:`core.storage.incoming.read_upload`) and the real
:class:`core.storage.service.StorageService` streaming path (``store`` / ``open``), without the database:
the service writes the ``core_files`` row after the stream, a constant cost that does not scale with the
file. Authentication and the row are left out for the same reason.

Measures, on the same random file:
  - upload:   API ``POST /files`` (raw body)  vs  ``Minio.fput_object``
  - download: API ``GET /files/{key}/download`` → 307 → S3 vs ``Minio.get_object``, and
              ``GET /files/{key}/content`` (bytes through the API) for reference
  - the API process's peak RSS growth during the API transfers (kernel high-water mark, reset first)
Targets: API throughput ≥ 80 % of direct for the upload and for the API's download endpoint (``/download``
answers 307 to a short-lived presigned URL: the download path the console and portal use); API peak RSS
growth < 100 MB. Exit status 1 if one is missed. ``/content`` (the API relays every byte) is printed for
reference, not as a target: on one small machine that extra hop costs CPU the S3 server also needs.
Each ratio is the median over ``--rounds`` of back-to-back pairs (order alternating), which keeps other
load on the machine from deciding the result. ``BENCH_PART_MB`` / ``BENCH_PARALLEL`` override the
service's part size and parts in flight for experiments.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import urllib3

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litestar import Litestar, Request, get, post  # noqa: E402
from litestar.response import Redirect, Stream  # noqa: E402

from core.settings import Settings, load_settings  # noqa: E402
from core.storage.client import ensure_bucket, s3_client  # noqa: E402
from core.storage.incoming import read_upload  # noqa: E402
from core.storage.models import StoredFile  # noqa: E402
from core.storage.policy import MB, StoragePolicy  # noqa: E402
from core.storage.service import StorageService  # noqa: E402

CHUNK = 1024 * 1024
BENCH_TENANT = uuid.UUID("00000000-0000-4000-8000-00000000b0b0")
BENCH_POLICY = StoragePolicy(max_bytes=64 * 1024 * MB, allowed_types=frozenset({"application/octet-stream"}))


# -- the API process -------------------------------------------------------------------------------------


def create_bench_app() -> Litestar:
    """uvicorn factory: the storage streaming path, no database."""
    service = StorageService.from_settings(load_settings())
    # Tuning knobs for experiments; the defaults are the service's own.
    service.part_size = int(os.environ.get("BENCH_PART_MB", service.part_size // MB)) * MB
    service.parallel = int(os.environ.get("BENCH_PARALLEL", service.parallel))
    stored: dict[str, StoredFile] = {}

    @post("/files", request_max_body_size=None, status_code=201)
    async def upload(request: Request[Any, Any, Any]) -> dict[str, Any]:
        incoming = await read_upload(request)
        file_id, name, obj = await service.store(
            incoming.chunks,
            tenant_id=BENCH_TENANT,
            plugin="bench",
            original_name=incoming.name,
            policy=BENCH_POLICY,
            declared_type=incoming.declared_type,
            declared_length=incoming.declared_length,
        )
        stored[str(file_id)] = StoredFile(
            id=file_id,
            object_key=obj.key,
            version_id=obj.version_id,
            original_name=name,
            mime=obj.mime,
            size=obj.size,
            sha256=obj.sha256,
        )
        return {"id": str(file_id), "size": obj.size, "sha256": obj.sha256}

    @get("/files/{file_id:str}/content")
    async def content(file_id: str) -> Stream:
        row = stored[file_id]
        return Stream(await service.open(row), media_type=row.mime, headers={"Content-Length": str(row.size)})

    @get("/files/{file_id:str}/download")
    async def download(file_id: str) -> Redirect:
        return Redirect(path=service.presigned_url(stored[file_id]), status_code=307)

    return Litestar(route_handlers=[upload, content, download], debug=False)


# -- servers -----------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"{what} did not listen on {port} within {seconds} s")


def start_weed(workdir: Path) -> tuple[subprocess.Popen[bytes], dict[str, str]]:
    weed = shutil.which("weed") or str(Path(sys.executable).parent / "weed")
    key, secret = "benchadmin", uuid.uuid4().hex
    cfg = workdir / "s3.json"
    identity = {
        "name": "bench",
        "credentials": [{"accessKey": key, "secretKey": secret}],
        "actions": ["Admin", "Read", "Write", "List", "Tagging"],
    }
    cfg.write_text(json.dumps({"identities": [identity]}))
    ports = {name: free_port() for name in ("master", "volume", "filer", "s3", "admin")}
    args = [
        weed,
        "mini",
        f"-dir={workdir / 'data'}",
        "-ip=127.0.0.1",
        "-ip.bind=127.0.0.1",
        f"-s3.config={cfg}",
        "-webdav=false",
        "-admin.ui=false",
        "-master.telemetry=false",
        "-s3.port.iceberg=0",
        "-s3.port.lance=0",
    ]
    for name, port in ports.items():
        args += [f"-{name}.port={port}", f"-{name}.port.grpc={free_port()}"]
    (workdir / "data").mkdir()
    log = (workdir / "weed.log").open("wb")
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=workdir)
    wait_port(ports["s3"], proc, "weed mini")
    env = {
        "FUBAN_S3_ENDPOINT": f"127.0.0.1:{ports['s3']}",
        "FUBAN_S3_ACCESS_KEY": key,
        "FUBAN_S3_SECRET_KEY": secret,
        "FUBAN_S3_SECURE": "false",
    }
    return proc, env


def start_api(env: dict[str, str], workdir: Path) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    log = (workdir / "api.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "bench.storage:create_bench_app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
            *os.environ.get("BENCH_UVICORN_ARGS", "").split(),
        ],
        env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    wait_port(port, proc, "API server")
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# -- measuring ---------------------------------------------------------------------------------------------


class PeakRss:
    """The API process's peak RSS over a window: kernel high-water mark (reset first) plus sampling."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.pid = pid
        self.baseline = 0
        self.sampled = 0
        self.peak_growth = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _hwm(self) -> int | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def __enter__(self) -> PeakRss:
        with contextlib.suppress(OSError):
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")  # reset VmHWM to the current RSS
        self.baseline = self.sampled = int(self.proc.memory_info().rss)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.01):
            self.sampled = max(self.sampled, int(self.proc.memory_info().rss))

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        assert self._thread is not None
        self._thread.join()
        self._stop.clear()
        self.peak_growth = max(self.peak_growth, self.growth)

    @property
    def growth(self) -> int:
        return max(self.sampled, self._hwm() or 0) - self.baseline


def make_file(path: Path, size: int) -> None:
    with path.open("wb") as f:
        left = size
        while left > 0:
            block = os.urandom(min(left, 16 * CHUNK))  # random: incompressible, never one repeated block
            f.write(block)
            left -= len(block)


def read_file(path: Path) -> Iterator[bytes]:
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def settle() -> None:
    """Start each measurement with no dirty pages left by the previous one being written back."""
    os.sync()
    time.sleep(1)


def timed(fn: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


class CpuMeter:
    """CPU seconds (user + system) spent by each process of the run, per measurement."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}

    def snapshot(self) -> dict[str, float]:
        return {name: sum(p.cpu_times()[:2]) for name, p in self.procs.items()}


def one_round(
    settings: Settings, api: str, path: Path, size: int, rss: PeakRss, cpu: CpuMeter, *, api_first: bool
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Each direction direct and through the API back to back (order alternating between rounds).

    Returns MB/s per measurement and the CPU seconds each process spent on it.
    """
    s3 = s3_client(settings)
    key = f"bench/direct/{uuid.uuid4().hex}"
    # The API is called with urllib3, the HTTP client inside the minio SDK, so that both sides of each
    # comparison use the same client library.
    http = urllib3.PoolManager(timeout=urllib3.Timeout(connect=10, read=600), retries=False)
    file_id = ""

    def direct_up() -> None:
        s3.fput_object(settings.s3_bucket, key, str(path))

    def direct_down() -> None:
        resp = s3.get_object(settings.s3_bucket, key)
        try:
            assert sum(len(c) for c in resp.stream(CHUNK)) == size
        finally:
            resp.close()
            resp.release_conn()

    def api_up() -> None:
        nonlocal file_id
        with rss:
            headers = {
                "X-File-Name": "bench.bin",
                "Content-Type": "application/octet-stream",
                "Content-Length": str(size),
            }
            resp = http.request("POST", f"{api}/files", body=read_file(path), headers=headers)
        assert resp.status == 201, resp.data
        file_id = resp.json()["id"]

    def get(url: str, redirect: bool = False) -> None:
        retries = urllib3.Retry(total=None, connect=0, read=0, redirect=2) if redirect else False
        resp = http.request("GET", url, preload_content=False, redirect=redirect, retries=retries)
        try:
            assert resp.status == 200, resp.status
            assert sum(len(c) for c in resp.stream(CHUNK)) == size
        finally:
            resp.release_conn()

    def api_down() -> None:
        with rss:
            get(f"{api}/files/{file_id}/content")

    def redirect_down() -> None:
        get(f"{api}/files/{file_id}/download", redirect=True)

    pairs = [
        (("up_api", api_up), ("up_direct", direct_up)),
        (("down_api", api_down), ("down_direct", direct_down)),
    ]
    order = [
        step
        for api_step, direct_step in pairs
        for step in ((api_step, direct_step) if api_first else (direct_step, api_step))
    ]
    speed: dict[str, float] = {}
    cpu_used: dict[str, dict[str, float]] = {}
    for name, fn in [*order, ("down_redirect", redirect_down)]:
        settle()
        before = cpu.snapshot()
        seconds, _ = timed(fn)
        after = cpu.snapshot()
        speed[name] = size / MB / seconds
        cpu_used[name] = {proc: (after[proc] - before[proc]) * 1024 * MB / size for proc in after}
    return speed, cpu_used


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size-mb", type=int, default=1024)
    # Five rounds: on a small shared machine single rounds swing by +-15 %; the median of five holds.
    parser.add_argument("--rounds", type=int, default=5, help="repeat and report medians")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    opts = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="fuban-bench-storage-"))
    procs: list[subprocess.Popen[bytes]] = []
    try:
        env = {k: v for k, v in os.environ.items() if k.startswith("FUBAN_S3_")}
        pids = {"client": os.getpid()}
        if not env.get("FUBAN_S3_ENDPOINT"):
            weed, env = start_weed(workdir)
            procs.append(weed)
            pids["s3"] = weed.pid
        env["FUBAN_S3_BUCKET"] = env.get("FUBAN_S3_BUCKET") or f"bench-{uuid.uuid4().hex[:8]}"
        env["FUBAN_ENV"] = "dev"
        os.environ.update(env)
        settings = load_settings()
        ensure_bucket(settings)
        api_proc, port = start_api(env, workdir)
        procs.append(api_proc)
        pids["api"] = api_proc.pid
        cpu = CpuMeter(pids)
        api = f"http://127.0.0.1:{port}"
        size = opts.size_mb * MB
        path = workdir / "payload.bin"
        make_file(path, size)
        # Warm up both paths (imports, connection pools) with a small file.
        small = workdir / "warm.bin"
        make_file(small, 8 * MB)
        one_round(settings, api, small, 8 * MB, PeakRss(api_proc.pid), cpu, api_first=True)
        rss = PeakRss(api_proc.pid)
        rounds = []
        for i in range(opts.rounds):
            speed, used = one_round(settings, api, path, size, rss, cpu, api_first=i % 2 == 0)
            rounds.append((speed, used))
            print(
                f"  round {i + 1}: up direct {speed['up_direct']:.1f} / API {speed['up_api']:.1f} MB/s "
                f"({speed['up_api'] / speed['up_direct']:.0%}), "
                f"down direct {speed['down_direct']:.1f} / API {speed['down_api']:.1f} / "
                f"307 {speed['down_redirect']:.1f} MB/s",
                flush=True,
            )
        return report(rounds, opts.size_mb, settings.s3_endpoint, rss.peak_growth / MB)
    finally:
        for proc in reversed(procs):
            stop(proc)
        if opts.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def report(
    rounds: list[tuple[dict[str, float], dict[str, dict[str, float]]]],
    size_mb: int,
    endpoint: str,
    rss_mb: float,
) -> int:
    """Medians over the rounds; each ratio is the median of the per-round (back-to-back) ratios."""
    speeds = [r[0] for r in rounds]
    med = {k: _median([r[k] for r in speeds]) for k in speeds[0]}
    pairs = (("up_api", "up_direct"), ("down_api", "down_direct"), ("down_redirect", "down_direct"))
    ratio = {k: _median([r[k] / r[d] for r in speeds]) for k, d in pairs}
    cpu = {
        step: {proc: _median([r[1][step][proc] for r in rounds]) for proc in rounds[0][1][step]}
        for step in rounds[0][1]
    }
    print(
        f"storage benchmark: {size_mb} MB x {len(rounds)} rounds, S3 at {endpoint}, {os.cpu_count()} CPUs "
        "(medians; ratios = median of back-to-back pairs)"
    )
    rows = [
        ("upload", "up_direct", "up_api", "API POST /files (streamed through the API)"),
        ("download", "down_direct", "down_redirect", "API GET /files/{id}/download (307 -> presigned)"),
        ("download", "down_direct", "down_api", "API GET /files/{id}/content (bytes through the API)"),
    ]
    for label, direct, via, what in rows:
        print(
            f"  {label:8s} direct SDK {med[direct]:7.1f} MB/s | {what}: {med[via]:7.1f} MB/s = "
            f"{ratio[via]:6.1%}"
        )
    print(f"  API process peak RSS growth: {rss_mb:.1f} MB")
    print(
        "  CPU seconds per GB: "
        + "; ".join(
            f"{step} " + " ".join(f"{proc}={secs:.2f}" for proc, secs in sorted(cpu[step].items()))
            for step in ("up_direct", "up_api", "down_direct", "down_api")
        )
    )
    checks = {
        "upload >= 80 %": ratio["up_api"] >= 0.8,
        "download (the API's download endpoint: 307 -> presigned) >= 80 %": ratio["down_redirect"] >= 0.8,
        "RSS growth < 100 MB": rss_mb < 100,
    }
    for name, ok in checks.items():
        print(f"  {'MET   ' if ok else 'MISSED'} {name}")
    # Not a target: every byte makes one more hop through another process on the same cores.
    print(f"  reference: bytes relayed by the API (/content) at {ratio['down_api']:.1%} of direct")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
