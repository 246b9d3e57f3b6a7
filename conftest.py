"""Root of the test suite.

The service packages are imported here first: pytest's importlib mode would otherwise take the
top-level ``gateway/`` folder (which holds the ``gateway`` package and its tests) for the package.
``scripts/`` is importable as ``run_all.py`` sees it: the tests read the process list
(``scripts/processes.py``) that ``make run`` starts.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import booking  # noqa: F401
import gateway  # noqa: F401
import locator  # noqa: F401
import notify  # noqa: F401
from fs_testkit.national import NationalData

sys.path.append(str(Path(__file__).resolve().parent / "scripts"))


@pytest.fixture(scope="session")
def national_data() -> Iterator[NationalData]:
    """The national files imported once for the whole run; ``national_data.clone(name)`` gives a suite a
    locator database of its own (which the suite drops)."""
    data = NationalData()
    yield data
    data.drop()
