"""PostgreSQL and Redis for ``make run`` when none answers at the configured addresses.

An existing server is used as it is. When nothing answers at a configured PostgreSQL address, the
project's own cluster is started: PostgreSQL 15 with PostGIS, its data under ``var/postgres``, on its own
port (``FS_EMBEDDED_POSTGRES_PORT``, 54329) and socket folder (``var/run``). Likewise for Redis:
``redis-server`` on ``FS_EMBEDDED_REDIS_PORT`` (63799), its data in ``var/redis`` (append-only file). The
settings that pointed at the silent address are pointed at them. They stop with ``make run`` (Ctrl-C);
the next run starts them again on the same data, so nothing is lost. PostgreSQL refuses to run as root:
as root, the cluster runs in a user namespace where the project's owner is the ``postgres`` user, so its
files stay the project's.
"""

import os
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

PG_BIN = Path("/usr/lib/postgresql/15/bin")
SERVICES = ("locator", "booking", "notify", "gateway")
DATABASE_DEFAULT = "postgresql+asyncpg://postgres@127.0.0.1:5432/fs_{service}"
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
REDIS_SERVICES = ("booking", "notify", "gateway")


def answers(host: str, port: int, timeout_s: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout_s):
            return True
    except OSError:
        return False


def _address(url: str, default_port: int) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or default_port


def _pointed_at(url: str, host: str, port: int, user: str | None) -> str:
    parts = urlsplit(url)
    netloc = f"{user}@{host}:{port}" if user else f"{host}:{port}"
    return urlunsplit(parts._replace(netloc=netloc))


def _as_postgres_owner(command: list[str]) -> list[str]:
    """PostgreSQL refuses root: as root, run it where root is seen as the ``postgres`` user."""
    if os.geteuid() != 0:
        return command
    import pwd

    entry = pwd.getpwnam("postgres")
    return ["unshare", "--user", f"--map-user={entry.pw_uid}", f"--map-group={entry.pw_gid}", *command]


def _wait(predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start in {timeout_s:.0f} s")


def start_postgres(var: Path, host: str, port: int) -> subprocess.Popen:
    data, sockets = var / "postgres", var / "run"
    sockets.mkdir(parents=True, exist_ok=True)
    if not (data / "PG_VERSION").exists():
        print(f"==> creating the project's PostgreSQL cluster in {data}", flush=True)
        shutil.rmtree(data, ignore_errors=True)
        initdb = [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        subprocess.run(_as_postgres_owner(initdb), check=True, stdout=subprocess.DEVNULL)  # noqa: S603
    print(f"==> starting the project's PostgreSQL on {host}:{port} (data in {data})", flush=True)
    log = (var / "postgres.log").open("a")
    server = subprocess.Popen(  # noqa: S603
        _as_postgres_owner(
            [
                str(PG_BIN / "postgres"),
                "-D",
                str(data),
                "-p",
                str(port),
                "-k",
                str(sockets.resolve()),
                "-c",
                f"listen_addresses={host}",
            ]
        ),
        stdout=log,
        stderr=log,
        start_new_session=True,  # Ctrl-C reaches it through stop(), after the services are gone
    )
    ready = [str(PG_BIN / "pg_isready"), "-q", "-h", host, "-p", str(port)]
    _wait(
        lambda: server.poll() is None and subprocess.run(ready, check=False).returncode == 0,  # noqa: S603
        60,
        f"PostgreSQL (see {var / 'postgres.log'})",
    )
    return server


def start_redis(var: Path, host: str, port: int) -> subprocess.Popen:
    data = var / "redis"
    data.mkdir(parents=True, exist_ok=True)
    print(f"==> starting the project's Redis on {host}:{port} (data in {data})", flush=True)
    command = [
        "redis-server",
        "--bind",
        host,
        "--port",
        str(port),
        "--dir",
        str(data.resolve()),
        "--appendonly",
        "yes",
        "--save",
        "",
        "--logfile",
        str((var / "redis.log").resolve()),
    ]
    server = subprocess.Popen(command, start_new_session=True)  # noqa: S603
    _wait(lambda: server.poll() is None and answers(host, port), 30, "Redis")
    return server


def ensure_servers(env: dict[str, str], var: Path = Path("var")) -> tuple[dict[str, str], Callable[[], None]]:
    """The environment with every silent PostgreSQL/Redis address replaced by the project's own server,
    and how to stop the servers started here."""
    env = dict(env)
    started: list[subprocess.Popen] = []
    host = env.get("FS_HOST", "127.0.0.1")

    databases = {
        f"{s.upper()}_DATABASE_URL": env.get(f"{s.upper()}_DATABASE_URL", DATABASE_DEFAULT.format(service=s))
        for s in SERVICES
    }
    silent = [name for name, url in databases.items() if not answers(*_address(url, 5432))]
    if silent:
        port = int(env.get("FS_EMBEDDED_POSTGRES_PORT", "54329"))
        if not answers(host, port):
            started.append(start_postgres(var, host, port))
        for name in silent:
            env[name] = _pointed_at(databases[name], host, port, "postgres")

    caches = {
        f"{s.upper()}_REDIS_URL": env.get(f"{s.upper()}_REDIS_URL", REDIS_DEFAULT) for s in REDIS_SERVICES
    }
    silent = [name for name, url in caches.items() if not answers(*_address(url, 6379))]
    if silent:
        port = int(env.get("FS_EMBEDDED_REDIS_PORT", "63799"))
        if not answers(host, port):
            started.append(start_redis(var, host, port))
        for name in silent:
            env[name] = _pointed_at(caches[name], host, port, None)

    def stop() -> None:
        for server in reversed(started):
            if server.poll() is None:
                server.send_signal(signal.SIGINT)  # PostgreSQL: fast shutdown; Redis: save and exit
        for server in started:
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()

    return env, stop
