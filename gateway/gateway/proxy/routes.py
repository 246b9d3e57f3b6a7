"""Which public paths go to which service (first match wins)."""

import re


def _under(prefix: str) -> re.Pattern[str]:
    """The path itself and everything below it."""
    return re.compile(f"^{prefix}(/.*)?$")


# Slots of a site or a stop belong to booking; everything else about places to the locator.
ROUTES: list[tuple[re.Pattern[str], str]] = [
    (_under(r"/v1/(sites|stops)/[^/]+/slots"), "booking"),
    (_under("/v1/sites"), "locator"),
    (_under("/v1/stops"), "locator"),
    (_under("/v1/access-points"), "locator"),
    (_under("/v1/geocode"), "locator"),
    (_under("/v1/coverage"), "locator"),
    (_under("/v1/admin/sites"), "locator"),  # itineraries of mobile services
    (_under("/v1/demarches"), "booking"),
    (_under("/v1/bookings"), "booking"),
    (_under("/v1/agent"), "booking"),
    (_under("/v1/notifications"), "notify"),
    (_under("/v1/webhooks"), "notify"),
]

SERVICES = ("locator", "booking", "notify")


def service_for(path: str) -> str | None:
    for pattern, service in ROUTES:
        if pattern.match(path):
            return service
    return None
