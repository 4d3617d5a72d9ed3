"""Gradients with ``tf.GradientTape``: first and second order.

Taught in section 3-5-3 (GradientTape API 的進一步說明).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import tensorflow as tf

TensorFn = Callable[[tf.Tensor], tf.Tensor]


def _float_input(x: Any) -> tf.Tensor | tf.Variable:
    """Return ``x`` as a floating-point tensor or variable, or raise ``TypeError``."""
    if isinstance(x, tf.Variable):
        tensor = x
    else:
        try:
            tensor = tf.convert_to_tensor(x)
        except (TypeError, ValueError):
            raise TypeError(
                "Expected `x` to be a float tensor, a tf.Variable or a Python float. "
                f"Received: x of type {type(x).__name__}"
            ) from None
    if not tensor.dtype.is_floating:
        raise TypeError(
            "Expected `x` to have a floating-point dtype: GradientTape does not "
            "differentiate integer tensors (it would return None). Write 3.0, not 3. "
            f"Received: x with dtype={tensor.dtype.name}"
        )
    return tensor


def _check_callable(fn: Any) -> None:
    if not callable(fn):
        raise TypeError(f"Expected `fn` to be callable. Received: fn of type {type(fn).__name__}")


def gradient(fn: TensorFn, x: Any) -> tf.Tensor:
    """Differentiate ``fn`` at ``x`` with a ``GradientTape``.

    Defined in section 3-5-3. A ``tf.Variable`` is watched by the tape automatically;
    a constant tensor (or a Python float) is watched with ``tape.watch``.

    Args:
        fn: A function of one tensor, built from TensorFlow operations.
        x: A float ``tf.Variable``, a float tensor or a Python float.

    Returns:
        ``d fn / d x``, with the shape of ``x``; zeros where ``fn`` does not depend on ``x``.

    Raises:
        TypeError: If ``fn`` is not callable or ``x`` is not floating point.

    Example:
        >>> float(gradient(tf.square, tf.Variable(3.0)))
        6.0
        >>> float(gradient(tf.square, tf.constant(3.0)))
        6.0
    """
    _check_callable(fn)
    x = _float_input(x)
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = fn(x)
    return tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)


def second_derivative(fn: TensorFn, x: Any) -> tf.Tensor:
    """Differentiate ``fn`` twice at ``x`` with two nested tapes.

    Defined in section 3-5-3. The inner tape gives the first derivative; the outer
    tape, which recorded the inner computation, differentiates it again. (A second-order
    gradient is the derivative of the derivative, not the square of the gradient.)

    Args:
        fn: A function of one scalar tensor.
        x: A float ``tf.Variable``, tensor or Python float.

    Returns:
        ``d² fn / d x²`` at ``x``.

    Raises:
        TypeError: If ``fn`` is not callable or ``x`` is not floating point.

    Example:
        >>> round(float(second_derivative(lambda t: t ** 3, 2.0)), 3)
        12.0
    """
    _check_callable(fn)
    x = _float_input(x)
    with tf.GradientTape() as outer_tape:
        outer_tape.watch(x)
        with tf.GradientTape() as inner_tape:
            inner_tape.watch(x)
            y = fn(x)
        first = inner_tape.gradient(y, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)
    return outer_tape.gradient(first, x, unconnected_gradients=tf.UnconnectedGradients.ZERO)


class Motion(NamedTuple):
    """Position, speed and acceleration of a falling object at one instant."""

    position: float
    speed: float
    acceleration: float


def falling_object(time: float) -> Motion:
    """Position 4.9·t², its speed and its acceleration at ``time`` seconds.

    Defined in section 3-5-3, the book's second-order example: the speed is the first
    derivative of the position (9.8·t) and the acceleration the second (9.8 m/s²).

    Args:
        time: Seconds since the object was dropped, a real number.

    Returns:
        A :class:`Motion` of Python floats.

    Raises:
        TypeError: If ``time`` is not a real number.

    Example:
        >>> m = falling_object(2.0)
        >>> round(m.position, 3), round(m.speed, 3), round(m.acceleration, 3)
        (19.6, 19.6, 9.8)
    """
    if isinstance(time, bool) or not isinstance(time, (int, float)):
        raise TypeError(f"Expected `time` to be a real number of seconds. Received: time={time!r}")
    t = tf.Variable(float(time))
    with tf.GradientTape() as outer_tape:
        with tf.GradientTape() as inner_tape:
            position = 4.9 * t**2
        speed = inner_tape.gradient(position, t)
    acceleration = outer_tape.gradient(speed, t)
    return Motion(float(position), float(speed), float(acceleration))
