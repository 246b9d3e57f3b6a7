"""``make run``: prepare the databases and data, start every service and the gateway, stop all on Ctrl-C.

A process that exits (a crash, a kill) is started again after a pause that grows while it keeps
exiting (1 s, 2 s, 4 s… up to 30 s, jittered; short again once it has run a minute), and the
supervisor says so; only Ctrl-C (or SIGTERM) stops everything.

Each step is idempotent: running it twice changes nothing (imports update, never duplicate). Ports
come from ``FS_GATEWAY_PORT``, ``FS_LOCATOR_PORT``, ``FS_BOOKING_PORT``, ``FS_NOTIFY_PORT`` and
``FS_SMTP_PORT``; the services are told each other's addresses from them unless their own settings
say otherwise. When no PostgreSQL or Redis answers at the configured addresses, the project's own are
started (``embedded_servers.py``).
"""

import atexit
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from embedded_servers import ensure_servers
from processes import APIS, PERIODIC, WORKERS, wiring

from fs_common.backoff import Backoff

HOST = os.environ.get("FS_HOST", "127.0.0.1")
PORTS = {api.name: int(os.environ.get(f"FS_{api.name.upper()}_PORT", str(api.port))) for api in APIS}
PORTS["smtp"] = int(os.environ.get("FS_SMTP_PORT", "1025"))
URLS = {name: f"http://{HOST}:{port}" for name, port in PORTS.items()}

# Preparation commands, in order; then the long-running processes: (name, command).
PREPARE: list[list[str]] = [list(api.prepare) for api in APIS]
PROCESSES: list[tuple[str, list[str]]] = [
    *((api.name, api.command(HOST, PORTS[api.name])) for api in APIS),
    *((worker.name, worker.run_command()) for worker in (*WORKERS, *PERIODIC)),
]


def service_environment() -> dict[str, str]:
    """How the services find each other, and whether the agents' console may say that notify sends SMS
    (when it has a provider); any variable already set wins."""
    sms = "true" if os.environ.get("NOTIFY_SMS_PROVIDER_URL") else "false"
    return wiring(URLS, smtp_port=PORTS["smtp"]) | {"GATEWAY_SMS_NOTIFICATIONS": sms} | dict(os.environ)


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((HOST, port)) != 0


def local_mail_sink() -> list[tuple[str, list[str]]]:
    """Without an SMTP server of your own, notify's mails land as files in var/mail (a Maildir)."""
    if os.environ.get("NOTIFY_SMTP_HOST") or not port_is_free(PORTS["smtp"]):
        return []
    for folder in ("cur", "new", "tmp"):
        os.makedirs(f"var/mail/{folder}", exist_ok=True)
    sink = [
        "python",
        "-m",
        "aiosmtpd",
        "-n",
        "-l",
        f"{HOST}:{PORTS['smtp']}",
        "-c",
        "aiosmtpd.handlers.Mailbox",
    ]
    return [("mail-sink", [*sink, "var/mail"])]


class Child:
    """One long-running process, restarted when it exits (after a pause that grows while it keeps
    failing: the shared worker schedule, up to 30 s; back to short once it has run a minute)."""

    RESTART = Backoff(base_s=1.0, cap_s=30.0, jitter=0.2)
    HEALTHY_AFTER_S = 60.0

    def __init__(self, name: str, command: list[str], env: dict[str, str]) -> None:
        self.name, self.command, self.env = name, command, env
        self.process: subprocess.Popen | None = None
        self.started_at = 0.0
        self.restarts = 0  # in a row, without a healthy minute between
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command, env=self.env)  # noqa: S603
        self.started_at = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Notice an exit and schedule the restart; restart when its time has come."""
        if self.process is None:
            return
        if self.restart_at is None and self.process.poll() is not None:
            if now - self.started_at >= self.HEALTHY_AFTER_S:
                self.restarts = 0
            self.restarts += 1
            delay = self.RESTART.delay(self.restarts)
            self.restart_at = now + delay
            print(
                f"==> {self.name} stopped (exit {self.process.returncode}); restarting in {delay:.1f} s "
                f"(restart {self.restarts})",
                file=sys.stderr,
                flush=True,
            )
        if self.restart_at is not None and now >= self.restart_at:
            print(f"==> restarting {self.name}", file=sys.stderr, flush=True)
            self.start()

    def terminate(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        if self.process is None:
            return
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def wait_ready(url: str, timeout_s: float = 180) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (local URL)
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.5)
    return False


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C and SIGTERM stop everything, even when SIGINT came ignored (``make run &`` from a script,
    # where Python would leave it ignored and only SIGKILL could stop the supervisor).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    env, stop_servers = ensure_servers(service_environment())  # ours, when none answers
    atexit.register(stop_servers)  # after the services, whichever way this ends
    children: list[Child] = []

    def stop() -> None:
        for signum in (signal.SIGINT, signal.SIGTERM):  # a second Ctrl-C must not cut the stopping short
            signal.signal(signum, signal.SIG_IGN)
        for child in children:
            child.terminate()
        for child in children:
            child.wait()

    try:
        for command in PREPARE:
            print(f"==> {' '.join(command)}", flush=True)
            subprocess.run(command, check=True, env=env)  # noqa: S603
        for name, command in local_mail_sink() + PROCESSES:
            print(f"==> starting {name}", flush=True)
            child = Child(name, command, env)
            child.start()
            children.append(child)
        gateway = URLS["gateway"]
        if not wait_ready(f"{gateway}/readyz"):
            print("the gateway did not become ready in time; see the logs above", file=sys.stderr)
            return 1
        print(
            f"\nFrance Services is up.\n"
            f"  public API (gateway): {gateway}/v1/...   docs: {gateway}/docs   widget demo: {gateway}/demo\n"
            f"  try: curl '{gateway}/v1/sites/nearest?q=23000&limit=3'\n"
            f"  services: locator {URLS['locator']}, booking {URLS['booking']}, notify {URLS['notify']}\n"
            f"Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            now = time.monotonic()
            for child in children:
                child.check(now)
            time.sleep(0.5)
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
