"""`.env.example` lists every setting of every service, so that a new engineer finds them all."""

import re
from pathlib import Path

import pytest

from booking.config import BookingSettings
from gateway.config import GatewaySettings
from locator.config import LocatorSettings
from notify.config import NotifySettings

ENV_EXAMPLE = (Path(__file__).parent.parent / ".env.example").read_text(encoding="utf-8")
LISTED = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", ENV_EXAMPLE, flags=re.MULTILINE))


@pytest.mark.parametrize("settings", [LocatorSettings, BookingSettings, NotifySettings, GatewaySettings])
def test_every_setting_is_listed(settings):
    prefix = settings.model_config["env_prefix"]
    expected = {f"{prefix}{name.upper()}" for name in settings.model_fields}
    assert expected - LISTED == set()


def test_nothing_listed_is_unknown():
    known = {
        f"{s.model_config['env_prefix']}{name.upper()}"
        for s in (LocatorSettings, BookingSettings, NotifySettings, GatewaySettings)
        for name in s.model_fields
    }
    assert LISTED - known == set()
