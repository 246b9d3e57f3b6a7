"""Gateway overhead: ``GET /v1/sites/nearest`` through the gateway (partner key checked, rate limits
counted in Redis, body streamed) next to the same calls made directly to the locator, same run, same
random points (wrk). One uvicorn worker each, so that both paths have the same means.

Target (issue 5): the gateway adds under 30 % at p50.
"""

import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import redis.asyncio as redis

from bench.locator import WRK_SCRIPT, _ms, wait_ready
from fs_common.databases import create_and_migrate, drop_database
from fs_testkit.isolation import PG_BASE, REDIS_BASE, RUN_ID
from fs_testkit.servers import free_port
from gateway.cli import SERVICE_DIR as GATEWAY_DIR
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SITES_CSV
from locator.data_files import SERVICE_DIR as LOCATOR_DIR
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites

ADMIN_TOKEN = f"bench-{RUN_ID}"
PREFIX = f"fs_bench:{RUN_ID}:gateway:"


SECONDS = 8


def run_wrk(
    url: str, workdir: Path, *, connections: int, extra: list[str] = ()
) -> tuple[float, float, float]:
    """(requests per second, p50 ms, p99 ms) of the nearest search on random points."""
    script = workdir / "nearest.lua"
    script.write_text(WRK_SCRIPT)
    threads = min(2, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{SECONDS}s", "--latency", "-s", str(script)]
    out = subprocess.run([*command, *extra, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise RuntimeError(f"errors during the benchmark:\n{out}")
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = _ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups())
    p99 = _ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups())
    return rate, p50, p99


def _serve(factory: str, port: int, env: dict[str, str]) -> subprocess.Popen:
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--port", str(port)]
    command += ["--log-level", "warning", "--no-access-log"]
    return subprocess.Popen(command, env=os.environ | env)


def _partner_key(base: str) -> str:
    body = json.dumps({"partner": "bench", "per_minute": 1_000_000, "per_day": 100_000_000}).encode()
    request = urllib.request.Request(
        f"{base}/admin/partner-keys",
        data=body,
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["key"]


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc): robust to a machine shared with other work."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _measured(servers: list[subprocess.Popen], url: str, workdir: Path, connections: int, extra: list[str]):
    """wrk figures, and the CPU milliseconds each server spent per request meanwhile."""
    before = [_cpu_s(s.pid) for s in servers]
    rate, p50, p99 = run_wrk(url, workdir, connections=connections, extra=extra)
    requests = rate * SECONDS
    cpu = [(_cpu_s(s.pid) - b) * 1000 / requests for s, b in zip(servers, before, strict=True)]
    return rate, p50, p99, cpu


async def _clean_redis() -> None:
    client = redis.from_url(REDIS_BASE)
    async for key in client.scan_iter(match=PREFIX + "*"):
        await client.delete(key)
    await client.aclose()


def main() -> None:
    locator_db = f"{PG_BASE}/fs_bench_{RUN_ID}_gw_locator"
    gateway_db = f"{PG_BASE}/fs_bench_{RUN_ID}_gateway"
    create_and_migrate(LOCATOR_DIR, locator_db)
    create_and_migrate(GATEWAY_DIR, gateway_db)
    servers: list[subprocess.Popen] = []
    try:
        asyncio.run(
            in_transaction(locator_db, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV))
        )
        asyncio.run(in_transaction(locator_db, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))
        locator_port, gateway_port = free_port(), free_port()
        locator = f"http://127.0.0.1:{locator_port}"
        gateway = f"http://127.0.0.1:{gateway_port}"
        servers.append(
            _serve(
                "locator.main:create_app",
                locator_port,
                {"LOCATOR_DATABASE_URL": locator_db, "LOCATOR_LOG_LEVEL": "WARNING"},
            )
        )
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            servers.append(
                _serve(
                    "gateway.main:create_app",
                    gateway_port,
                    {
                        "GATEWAY_DATABASE_URL": gateway_db,
                        "GATEWAY_LOCATOR_URL": locator,
                        "GATEWAY_REDIS_PREFIX": PREFIX,
                        "GATEWAY_ADMIN_TOKEN": ADMIN_TOKEN,
                        "GATEWAY_JWT_PRIVATE_KEY_FILE": str(workdir / "key.pem"),
                        "GATEWAY_LOG_LEVEL": "WARNING",
                        "GATEWAY_ANONYMOUS_PER_MINUTE": "1000000",
                        "GATEWAY_ANONYMOUS_PER_DAY": "100000000",
                    },
                )
            )
            wait_ready(f"{locator}/readyz")
            wait_ready(f"{gateway}/healthz")
            key = _partner_key(gateway)
            headers = ["-H", f"X-Api-Key: {key}"]
            for connections in (1, 8):
                run_wrk(locator, workdir, connections=connections)  # warm-up: pools, caches
                run_wrk(gateway, workdir, connections=connections, extra=headers)
                runs = [
                    ("direct to the locator", _measured(servers, locator, workdir, connections, [])),
                    (
                        "through the gateway, partner key",
                        _measured(servers, gateway, workdir, connections, headers),
                    ),
                    ("through the gateway, anonymous", _measured(servers, gateway, workdir, connections, [])),
                ]
                print(
                    f"{connections} connection(s){'':21} {'req/s':>9}   {'p50 ms':>7}   {'p99 ms':>7}   "
                    "CPU ms/request: locator, gateway"
                )
                for label, (rate, p50, p99, cpu) in runs:
                    print(
                        f"  {label:36} {rate:9.0f}   {p50:7.2f}   {p99:7.2f}   {cpu[0]:5.2f}, {cpu[1]:5.2f}"
                    )
                direct, keyed, anonymous = (figures for _, figures in runs)
                print(
                    f"  gateway overhead at p50: {keyed[1] / direct[1] - 1:+.0%} "
                    f"({keyed[1] - direct[1]:+.2f} ms) with a key, {anonymous[1] / direct[1] - 1:+.0%} "
                    f"({anonymous[1] - direct[1]:+.2f} ms) anonymous (target < +30 %); "
                    f"throughput with a key {keyed[0] / direct[0]:.0%} of direct; gateway CPU per request "
                    f"{keyed[3][1] / direct[3][0]:.0%} of the locator's",
                    flush=True,
                )
    finally:
        for server in servers:
            server.terminate()
            server.wait()
        asyncio.run(_clean_redis())
        asyncio.run(drop_database(locator_db))
        asyncio.run(drop_database(gateway_db))
