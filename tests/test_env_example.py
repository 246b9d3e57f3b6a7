"""`.env.example` lists every setting the platform reads from the environment, so that a new engineer
finds them all: each service's settings (its prefix) and the ``FS_`` variables that ``make run``, its
embedded servers and the workers' heartbeat read from the process's environment."""

import ast
import re
from pathlib import Path

import pytest
from processes import APIS

from booking.config import BookingSettings
from gateway.config import GatewaySettings
from locator.config import LocatorSettings
from notify.config import NotifySettings

ROOT = Path(__file__).parent.parent
ENV_EXAMPLE = (ROOT / ".env.example").read_text(encoding="utf-8")
LISTED = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))
SETTINGS = (LocatorSettings, BookingSettings, NotifySettings, GatewaySettings)
# The code that ships or starts the platform (not the tests, their kit nor the benchmarks).
SHIPPED = [ROOT / "common" / "fs_common", ROOT / "scripts", ROOT / "gateway" / "gateway"] + [
    path / path.name for path in (ROOT / "services").iterdir() if (path / path.name).is_dir()
]


def fs_variables() -> set[str]:
    """Every ``FS_…`` name the shipped code spells out (``os.environ.get("FS_HOST")``,
    ``HEARTBEAT_FILE_ENV = "FS_HEARTBEAT_FILE"``), and the API ports ``make run`` reads by name
    (``scripts/run_all.py``: ``FS_<NAME>_PORT``)."""
    names = {f"FS_{api.name.upper()}_PORT" for api in APIS}
    for folder in SHIPPED:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    if re.fullmatch(r"FS_[A-Z0-9_]+", node.value):
                        names.add(node.value)
    return names


@pytest.mark.parametrize("settings", SETTINGS)
def test_every_setting_is_listed(settings):
    prefix = settings.model_config["env_prefix"]
    expected = {f"{prefix}{name.upper()}" for name in settings.model_fields}
    assert expected - LISTED == set()


def test_every_environment_variable_of_make_run_and_the_workers_is_listed():
    found = fs_variables()
    assert {"FS_HEARTBEAT_FILE", "FS_EMBEDDED_POSTGRES_PORT", "FS_GATEWAY_PORT"} <= found  # the scan works
    assert found - LISTED == set()


def test_nothing_listed_is_unknown():
    known = {
        f"{s.model_config['env_prefix']}{name.upper()}" for s in SETTINGS for name in s.model_fields
    } | fs_variables()
    assert LISTED - known == set()
