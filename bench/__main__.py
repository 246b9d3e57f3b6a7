import asyncio
import importlib
import inspect
import sys

# Module name → what it measures. Each module has ``main()``, a plain or an ``async`` function.
BENCHES = {
    "locator": "nearest search through the API vs the raw PostGIS query",
    "coverage": "national 30-minute coverage (KD-tree snapshot) vs a brute force over all pairs",
    "gateway": "GET /v1/sites/nearest through the gateway vs directly to the locator",
    "gateway_retries": "extra calls sent by the gateway's retries to a service failing half of its calls",
    "booking": "slot search (60 days) and booking throughput vs a bare INSERT of the same rows",
    "notify": "1,000 booking events to SMTP acceptance vs a bare aiosmtplib loop to the same server",
}


def run(names: list[str]) -> None:
    for name in names or list(BENCHES):
        if name not in BENCHES:
            sys.exit(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}")
        print(f"\n=== {name}: {BENCHES[name]} ===", flush=True)
        main = importlib.import_module(f"bench.{name}").main
        if inspect.iscoroutinefunction(main):
            asyncio.run(main())
        else:
            main()


if __name__ == "__main__":
    run(sys.argv[1:])
