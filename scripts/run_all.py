"""``make run``: prepare the databases and data, start every service and the gateway, stop all on Ctrl-C.

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

HOST = os.environ.get("FS_HOST", "127.0.0.1")
PORTS = {
    "gateway": int(os.environ.get("FS_GATEWAY_PORT", "8000")),
    "locator": int(os.environ.get("FS_LOCATOR_PORT", "8001")),
    "booking": int(os.environ.get("FS_BOOKING_PORT", "8002")),
    "notify": int(os.environ.get("FS_NOTIFY_PORT", "8003")),
    "smtp": int(os.environ.get("FS_SMTP_PORT", "1025")),
}
URLS = {name: f"http://{HOST}:{port}" for name, port in PORTS.items()}

# Preparation commands, in order.
PREPARE: list[list[str]] = [
    ["locator", "bootstrap"],
    ["booking", "migrate"],
    ["notify", "migrate"],
    ["gateway", "migrate"],
]


def uvicorn(app: str, port: int) -> list[str]:
    return ["uvicorn", app, "--factory", "--host", HOST, "--port", str(port)]


# Long-running processes: (name, command).
PROCESSES: list[tuple[str, list[str]]] = [
    ("locator", uvicorn("locator.main:create_app", PORTS["locator"])),
    ("booking", uvicorn("booking.main:create_app", PORTS["booking"])),
    ("booking-relay", ["booking", "relay"]),
    ("booking-retention", ["booking", "anonymise", "--every", "86400"]),
    ("booking-sync", ["booking", "sync-agendas", "--every", "3600"]),
    ("notify", uvicorn("notify.main:create_app", PORTS["notify"])),
    ("notify-consumer", ["notify", "consume"]),
    ("notify-dispatcher", ["notify", "dispatch"]),
    ("gateway", uvicorn("gateway.main:create_app", PORTS["gateway"])),
]


def service_environment() -> dict[str, str]:
    """How the services find each other; any variable already set wins."""
    jwks = f"{URLS['gateway']}/.well-known/jwks.json"
    wiring = {
        "GATEWAY_LOCATOR_URL": URLS["locator"],
        "GATEWAY_BOOKING_URL": URLS["booking"],
        "GATEWAY_NOTIFY_URL": URLS["notify"],
        "GATEWAY_PUBLIC_URL": URLS["gateway"],
        "BOOKING_LOCATOR_URL": URLS["locator"],
        "BOOKING_AGENT_JWKS_URL": jwks,
        "LOCATOR_AGENT_JWKS_URL": jwks,
        "BOOKING_MANAGE_URL_TEMPLATE": URLS["gateway"] + "/rendez-vous#{token}",
        "NOTIFY_AGENT_JWKS_URL": jwks,
        "NOTIFY_SMTP_PORT": str(PORTS["smtp"]),
    }
    return wiring | dict(os.environ)


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


def wait_ready(url: str, timeout_s: float = 90) -> bool:
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


def main() -> int:
    env, stop_servers = ensure_servers(service_environment())  # ours, when none answers
    atexit.register(stop_servers)  # after the services, whichever way this ends
    for command in PREPARE:
        print(f"==> {' '.join(command)}", flush=True)
        subprocess.run(command, check=True, env=env)  # noqa: S603
    children: list[tuple[str, subprocess.Popen]] = []

    def stop() -> None:
        for _, child in children:
            if child.poll() is None:
                child.terminate()
        for _, child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        for name, command in local_mail_sink() + PROCESSES:
            print(f"==> starting {name}", flush=True)
            children.append((name, subprocess.Popen(command, env=env)))  # noqa: S603
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
            for name, child in children:
                if child.poll() is not None:
                    print(f"{name} stopped (exit {child.returncode}); stopping everything", file=sys.stderr)
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        return 0
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main())
