"""The claims a notebook makes about its own results, checked in code so that a wrong result fails the test run.

Every claim has a bound for each mode, chosen with :func:`helpers.pick`: the full-mode bound is what the
text says, the quick-mode bound is what a few seconds of work on a small subset reliably shows with the
course's fixed seeds (loss falls, accuracy well above chance, the same ordering). A quick bound that
could never fail (0, or ``True``) is not allowed: the test run uses quick mode only.

>>> at_least("test accuracy", 0.93, 0.9)
>>> at_least("test accuracy", 0.85, 0.9)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
AssertionError: claim failed: test accuracy is 0.85, expected at least 0.9...
"""

from __future__ import annotations

import math
from numbers import Real

from .env import mode_name


def _number(what: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{what}: a claim compares finite numbers, got {value!r}")
    return float(value)


def _fail(message: str) -> None:
    raise AssertionError(f"claim failed: {message}" + (" (quick mode)" if mode_name() == "quick" else ""))


def at_least(what: str, value: float, bound: float) -> None:
    """``value`` is at least ``bound`` (e.g. an accuracy the text promises)."""
    if _number(what, value) < _number(what, bound):
        _fail(f"{what} is {value:.4g}, expected at least {bound:.4g}")


def at_most(what: str, value: float, bound: float) -> None:
    """``value`` is at most ``bound`` (e.g. a loss, an error, a run time)."""
    if _number(what, value) > _number(what, bound):
        _fail(f"{what} is {value:.4g}, expected at most {bound:.4g}")


def smaller(what: str, smaller_value: float, larger_value: float, margin: float = 0.0) -> None:
    """``smaller_value + margin <= larger_value``: an ordering the text states (this run beats that one)."""
    if _number(what, smaller_value) + _number(what, margin) > _number(what, larger_value):
        _fail(f"{what}: {smaller_value:.4g} + {margin:.4g} should not exceed {larger_value:.4g}")


def falls(what: str, values: list[float], factor: float = 1.0) -> None:
    """The last of ``values`` is below the first divided by ``factor`` (a loss that falls, by at least that much)."""
    if len(values) < 2:
        raise ValueError(f"{what}: need at least two values to see a fall, got {len(values)}")
    first, last = _number(what, values[0]), _number(what, values[-1])
    if not last < first / _number(what, factor):
        _fail(f"{what} went from {first:.4g} to {last:.4g}, expected a fall by more than {factor:g}x")
