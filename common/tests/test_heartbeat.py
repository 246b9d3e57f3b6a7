"""Workers show they are alive by a heartbeat file, and the check command used by compose and Kubernetes
exec probes tells a live worker from a stuck or missing one."""

import asyncio
import os
import subprocess
import sys
import time

from fs_common import heartbeat
from fs_common.workers import keep_running


def check(path, max_age: float = 60) -> int:
    return subprocess.run(
        [sys.executable, "-m", "fs_common.heartbeat", str(path), "--max-age", str(max_age)], check=False
    ).returncode


async def test_a_worker_loop_beats_and_the_check_sees_it(tmp_path, monkeypatch):
    path = tmp_path / "run" / "heartbeat"
    monkeypatch.setenv(heartbeat.HEARTBEAT_FILE_ENV, str(path))
    monkeypatch.setattr(heartbeat, "_last_beat", 0.0)
    stop = asyncio.Event()
    turns = 0

    async def step() -> float:
        nonlocal turns
        turns += 1
        if turns == 2:
            stop.set()
        return 0

    assert check(path) == 1  # no heartbeat yet: not healthy
    await keep_running(step, stop, what="test loop")
    assert path.exists()
    assert check(path) == 0


def test_a_stale_heartbeat_fails_the_check(tmp_path):
    path = tmp_path / "heartbeat"
    path.touch()
    old = time.time() - 300
    os.utime(path, (old, old))
    assert check(path, max_age=120) == 1
    assert check(path, max_age=600) == 0


def test_the_check_refuses_to_guess_without_a_file(monkeypatch):
    env = {k: v for k, v in os.environ.items() if k != heartbeat.HEARTBEAT_FILE_ENV}
    result = subprocess.run([sys.executable, "-m", "fs_common.heartbeat"], env=env, check=False)
    assert result.returncode == 2


def test_without_a_heartbeat_file_nothing_is_written(tmp_path, monkeypatch):
    monkeypatch.delenv(heartbeat.HEARTBEAT_FILE_ENV, raising=False)
    monkeypatch.setattr(heartbeat, "_last_beat", 0.0)
    monkeypatch.chdir(tmp_path)
    heartbeat.beat()
    assert list(tmp_path.iterdir()) == []
