"""Which public paths go to which service."""

# (path prefix, service name), most specific first.
ROUTES: list[tuple[str, str]] = [
    ("/v1/sites", "locator"),
    ("/v1/stops", "locator"),
    ("/v1/access-points", "locator"),
    ("/v1/geocode", "locator"),
]


def service_for(path: str) -> str | None:
    for prefix, service in ROUTES:
        if path == prefix or path.startswith(prefix + "/"):
            return service
    return None
