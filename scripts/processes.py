"""Every process of the platform, described once.

``make run`` starts them from here (``run_all.py``), the scale-out test starts two of each from here
(``tests/test_scale_out.py``), and ``tests/test_processes.py`` fails when ``docker-compose.yml`` or
``deploy/base`` say otherwise (same names, same commands).

- An **API** serves HTTP on its port; its preparation (migrations, the locator's data) runs once before
  it: a step of ``make run``, the start of its container under compose, a Job on Kubernetes.
- A **worker** loops forever; several replicas share the work.
- A **periodic task** runs every ``every_s`` seconds: a loop (``--every``) under ``make run`` and compose,
  a CronJob on ``schedule`` on Kubernetes.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    name: str  # the service: compose service, Deployment and Service
    port: int  # its default port (make run: ``FS_<NAME>_PORT``)
    prepare: tuple[str, ...]

    @property
    def image(self) -> str:
        return self.name

    @property
    def job(self) -> str:
        """The Kubernetes Job that runs ``prepare``: ``booking-migrate``, ``locator-bootstrap``…"""
        return "-".join(self.prepare)

    def command(self, host: str, port: int | None = None) -> list[str]:
        app = f"{self.name}.main:create_app"
        return ["uvicorn", app, "--factory", "--host", host, "--port", str(port or self.port)]


@dataclass(frozen=True)
class Worker:
    name: str
    command: tuple[str, ...]

    @property
    def image(self) -> str:
        return self.command[0]

    def run_command(self) -> list[str]:
        return list(self.command)


@dataclass(frozen=True)
class Periodic:
    name: str
    command: tuple[str, ...]
    every_s: int
    schedule: str  # the CronJob's, the same period as ``every_s``

    @property
    def image(self) -> str:
        return self.command[0]

    def run_command(self) -> list[str]:
        return [*self.command, "--every", str(self.every_s)]


# In start order: the locator first (booking's agendas follow it), the gateway last.
APIS = (
    Api("locator", 8001, ("locator", "bootstrap")),
    Api("booking", 8002, ("booking", "migrate")),
    Api("notify", 8003, ("notify", "migrate")),
    Api("gateway", 8000, ("gateway", "migrate")),
)
WORKERS = (
    Worker("booking-relay", ("booking", "relay")),  # the outbox to the booking.events stream
    Worker("notify-consumer", ("notify", "consume")),  # booking.events to the delivery log
    Worker("notify-dispatcher", ("notify", "dispatch")),  # mails, SMS, webhooks, reminders, retention
)
PERIODIC = (
    Periodic("booking-sync-agendas", ("booking", "sync-agendas"), 3600, "17 * * * *"),
    Periodic("booking-retention", ("booking", "anonymise"), 86400, "30 3 * * *"),
)


def wiring(urls: dict[str, str], *, smtp_port: int) -> dict[str, str]:
    """The settings by which the services find each other, from each API's base URL (``urls[name]``)."""
    jwks = f"{urls['gateway']}/.well-known/jwks.json"
    return {
        "GATEWAY_LOCATOR_URL": urls["locator"],
        "GATEWAY_BOOKING_URL": urls["booking"],
        "GATEWAY_NOTIFY_URL": urls["notify"],
        "GATEWAY_PUBLIC_URL": urls["gateway"],
        "BOOKING_LOCATOR_URL": urls["locator"],
        "BOOKING_AGENT_JWKS_URL": jwks,
        "LOCATOR_AGENT_JWKS_URL": jwks,
        "BOOKING_MANAGE_URL_TEMPLATE": urls["gateway"] + "/rendez-vous#{token}",
        "NOTIFY_AGENT_JWKS_URL": jwks,
        "NOTIFY_SMTP_PORT": str(smtp_port),
    }
