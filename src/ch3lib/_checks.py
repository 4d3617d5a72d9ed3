"""Argument checks shared by the public functions.

Every message follows Keras' wording: what was expected, then what was received.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np


def invalid(name: str, expected: str, received: Any) -> str:
    """Return the error text for an argument ``name`` that is not ``expected``."""
    return (
        f"Received an invalid value for `{name}`, expected {expected}. "
        f"Received: {name}={received!r}"
    )


def positive_int(name: str, value: Any) -> int:
    """Return ``value`` if it is an integer > 0 (``bool`` excluded), else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(invalid(name, "a positive integer", value))
    if value <= 0:
        raise ValueError(invalid(name, "a positive integer", value))
    return int(value)


def non_negative_int(name: str, value: Any) -> int:
    """Return ``value`` if it is an integer >= 0 (``bool`` excluded), else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(invalid(name, "a non-negative integer", value))
    if value < 0:
        raise ValueError(invalid(name, "a non-negative integer", value))
    return int(value)


def positive_float(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number > 0, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(invalid(name, "a positive number", value))
    if not (np.isfinite(value) and value > 0):
        raise ValueError(invalid(name, "a positive number", value))
    return float(value)


def open_fraction(name: str, value: Any) -> float:
    """Return ``value`` as a float if it lies strictly between 0 and 1, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(invalid(name, "a number strictly between 0 and 1", value))
    if not 0 < value < 1:
        raise ValueError(invalid(name, "a number strictly between 0 and 1", value))
    return float(value)


def matrix(name: str, value: Any, columns: int | None = None) -> np.ndarray:
    """Return ``value`` as a 2-D float array (with ``columns`` columns if given), else raise."""
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"Expected `{name}` to be a 2-D array of numbers. "
            f"Received: {name} of type {type(value).__name__}"
        ) from None
    wanted = f"(n, {columns})" if columns is not None else "(n, k)"
    if array.ndim != 2 or (columns is not None and array.shape[1] != columns):
        raise ValueError(
            f"Expected `{name}` to have shape {wanted}. Received: {name}.shape={array.shape}"
        )
    if array.shape[0] == 0:
        raise ValueError(
            f"Expected `{name}` to hold at least one row. Received: {name}.shape={array.shape}"
        )
    if not np.all(np.isfinite(array)):
        raise ValueError(f"Expected `{name}` to hold finite numbers. Received NaN or infinity.")
    return array


def same_length(first: str, a: np.ndarray, second: str, b: np.ndarray) -> None:
    """Raise if ``a`` and ``b`` do not have the same number of rows."""
    if len(a) != len(b):
        raise ValueError(
            f"Expected `{first}` and `{second}` to have the same number of rows. "
            f"Received: len({first})={len(a)}, len({second})={len(b)}"
        )
