"""A worker's sign of life, for health checks that fit processes serving no HTTP.

Each turn of a worker loop calls :func:`beat`, which touches the file named by ``FS_HEARTBEAT_FILE``
(nothing when it is unset, as under ``make run``). A container's health check, or a Kubernetes exec
probe, runs ``python -m fs_common.heartbeat`` : exit 0 when the file was touched within
``FS_HEARTBEAT_MAX_AGE_S`` seconds (default 120, or ``--max-age``), 1 otherwise. A loop stuck on a hung
call stops beating, and the orchestrator restarts it.
"""

import argparse
import os
import sys
import time
from pathlib import Path

HEARTBEAT_FILE_ENV = "FS_HEARTBEAT_FILE"
DEFAULT_MAX_AGE_S = 120.0
# At most one touch a second: a busy loop pays nothing for it.
_MIN_INTERVAL_S = 1.0
_last_beat = 0.0


def heartbeat_file() -> Path | None:
    path = os.environ.get(HEARTBEAT_FILE_ENV)
    return Path(path) if path else None


def beat() -> None:
    """Touch the heartbeat file (created with its folder when missing); never raises."""
    global _last_beat
    path = heartbeat_file()
    now = time.monotonic()
    if path is None or now - _last_beat < _MIN_INTERVAL_S:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
        _last_beat = now
    except OSError:
        pass  # a full or read-only disk shows as a stale heartbeat, which is what the check reports


def is_fresh(path: Path, max_age_s: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime <= max_age_s
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Exit 0 when the worker's heartbeat is recent.")
    parser.add_argument("file", nargs="?", default=os.environ.get(HEARTBEAT_FILE_ENV))
    parser.add_argument(
        "--max-age", type=float, default=float(os.environ.get("FS_HEARTBEAT_MAX_AGE_S", DEFAULT_MAX_AGE_S))
    )
    args = parser.parse_args(argv)
    if not args.file:
        print(f"no heartbeat file: set {HEARTBEAT_FILE_ENV}", file=sys.stderr)
        return 2
    if is_fresh(Path(args.file), args.max_age):
        return 0
    print(f"heartbeat older than {args.max_age:.0f} s or missing: {args.file}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
