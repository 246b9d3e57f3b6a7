"""Nearest search: ``GET /v1/sites/nearest?lat=..&lon=..&limit=10`` through HTTP (wrk, 32 connections) next to
the raw PostGIS nearest-10 query on the same database (pgbench, 32 clients), same random points.

Target (issue 2): the endpoint reaches at least 25 % of the raw query rate, with p99 under 20 ms.
"""

import asyncio
import glob
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from fs_common.databases import create_and_migrate, drop_database
from fs_testkit.isolation import PG_BASE, RUN_ID
from fs_testkit.servers import free_port
from locator.data_files import ARRONDISSEMENTS_CSV, COMMUNES_CSV, SERVICE_DIR, SITES_CSV
from locator.imports import in_transaction, read_source, run_import_communes, run_import_sites

CONNECTIONS = 32
SECONDS = 10
# Random points over metropolitan France, in 1e-5 degree steps (pgbench only draws integers).
LAT_RANGE, LON_RANGE = (4_240_000, 5_100_000), (-470_000, 820_000)

WRK_SCRIPT = f"""
math.randomseed(42)
request = function()
  local lat = math.random({LAT_RANGE[0]}, {LAT_RANGE[1]}) / 100000
  local lon = math.random({LON_RANGE[0]}, {LON_RANGE[1]}) / 100000
  return wrk.format("GET", "/v1/sites/nearest?lat=" .. lat .. "&lon=" .. lon .. "&limit=10")
end
"""

PGBENCH_SCRIPT = f"""
\\set lat random({LAT_RANGE[0]}, {LAT_RANGE[1]})
\\set lon random({LON_RANGE[0]}, {LON_RANGE[1]})
SELECT id, ST_Distance(location, ST_SetSRID(ST_MakePoint(:lon / 1e5, :lat / 1e5), 4326)::geography, false)
FROM site ORDER BY location <-> ST_SetSRID(ST_MakePoint(:lon / 1e5, :lat / 1e5), 4326)::geography
LIMIT 10;
"""


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(url: str, workdir: Path) -> tuple[float, float, float]:
    script = workdir / "nearest.lua"
    script.write_text(WRK_SCRIPT)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p50 = _ms(*re.search(r"50%\s+([\d.]+)(us|ms|s)", out).groups())
    p99 = _ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups())
    if "Non-2xx" in out:
        raise RuntimeError(f"the endpoint answered errors during the benchmark:\n{out}")
    return rate, p50, p99


def run_pgbench(database: str, workdir: Path) -> tuple[float, float, float]:
    script = workdir / "nearest.sql"
    script.write_text(PGBENCH_SCRIPT)
    subprocess.run(
        [
            "pgbench",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-n",
            "-f",
            str(script),
            f"-c{CONNECTIONS}",
            "-j2",
            f"-T{SECONDS}",
            "-l",
            "--log-prefix",
            str(workdir / "pgbench"),
            database,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    latencies = []
    for log in glob.glob(str(workdir / "pgbench*")):
        with open(log) as f:
            latencies += [int(line.split()[2]) / 1000 for line in f if line.strip()]  # µs → ms
    q = statistics.quantiles(latencies, n=100)
    return len(latencies) / SECONDS, q[49], q[98]


def wait_ready(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def main() -> None:
    url = f"{PG_BASE}/fs_bench_{RUN_ID}_locator"
    database = url.rsplit("/", 1)[1]
    create_and_migrate(SERVICE_DIR, url)
    server = None
    try:
        asyncio.run(in_transaction(url, lambda s: run_import_communes(s, COMMUNES_CSV, ARRONDISSEMENTS_CSV)))
        asyncio.run(in_transaction(url, lambda s: run_import_sites(s, read_source(str(SITES_CSV)))))
        port = free_port()
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "locator.main:create_app",
                "--factory",
                "--port",
                str(port),
                "--log-level",
                "warning",
                "--no-access-log",
                "--workers",
                "2",
            ],
            env=os.environ | {"LOCATOR_DATABASE_URL": url, "LOCATOR_LOG_LEVEL": "WARNING"},
        )
        base = f"http://127.0.0.1:{port}"
        wait_ready(f"{base}/readyz")
        with tempfile.TemporaryDirectory() as tmp:
            workdir = Path(tmp)
            run_wrk(base, workdir)  # warm-up: pools, caches
            api = run_wrk(base, workdir)
            raw = run_pgbench(database, workdir)
        print(f"{'':38} {'req/s':>9}   {'p50 ms':>7}   {'p99 ms':>7}")
        print(f"{'GET /v1/sites/nearest (2 workers)':38} {api[0]:9.0f}   {api[1]:7.2f}   {api[2]:7.2f}")
        print(f"{'raw PostGIS nearest-10 (pgbench)':38} {raw[0]:9.0f}   {raw[1]:7.2f}   {raw[2]:7.2f}")
        ratio = api[0] / raw[0]
        print(
            f"endpoint rate / raw query rate: {ratio:.0%} (target ≥ 25 %); "
            f"endpoint p99 {api[2]:.1f} ms (target < 20 ms)"
        )
    finally:
        if server:
            server.terminate()
            server.wait()
        asyncio.run(drop_database(url))
