"""Root of the test suite.

The service packages are imported here first: pytest's importlib mode would otherwise take the
top-level ``gateway/`` folder (which holds the ``gateway`` package and its tests) for the package.
``scripts/`` is importable as ``run_all.py`` sees it: the tests read the process list
(``scripts/processes.py``) that ``make run`` starts.
"""

import sys
from pathlib import Path

import booking  # noqa: F401
import gateway  # noqa: F401
import locator  # noqa: F401
import notify  # noqa: F401

sys.path.append(str(Path(__file__).resolve().parent / "scripts"))
