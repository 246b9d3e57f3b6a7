"""``make bench``: each module measures one service next to a baseline taken in the same run.

Run all with ``python -m bench``, or some with ``python -m bench locator booking``. Figures are printed,
never asserted: timing targets live here, not in tests.
"""
