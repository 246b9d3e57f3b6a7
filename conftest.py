"""Root of the test suite.

The service packages are imported here first: pytest's importlib mode would otherwise take the
top-level ``gateway/`` folder (which holds the ``gateway`` package and its tests) for the package.
"""

import booking  # noqa: F401
import gateway  # noqa: F401
import locator  # noqa: F401
import notify  # noqa: F401
