"""``SimpleDense``: a dense layer written the way Keras writes its own.

Taught in section 3-6-1 (Layer：深度學習的基石).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import keras

from ch3lib._checks import invalid, positive_int


def _activation(identifier: Any) -> Callable[[Any], Any] | None:
    """Resolve ``None``, a Keras activation name or a callable, with a clear error."""
    if identifier is None:
        return None
    if callable(identifier):
        return identifier
    if isinstance(identifier, str):
        try:
            return keras.activations.get(identifier)
        except ValueError:
            pass
    raise ValueError(
        invalid(
            "activation", "None, a Keras activation name such as 'relu', or a callable", identifier
        )
    )


@keras.saving.register_keras_serializable(package="ch3lib")
class SimpleDense(keras.layers.Layer):
    """A densely connected layer: ``activation(inputs @ W + b)``.

    Defined in section 3-6-1. The weights are created in :meth:`build`, when the layer
    first sees an input and so knows its last dimension; this is what lets
    ``keras.Sequential`` infer every shape from the first batch.

    Args:
        units: Output features, a positive integer.
        activation: ``None`` (no activation), a name such as ``"relu"``, or a callable.
        **kwargs: Passed to ``keras.layers.Layer`` (``name``, ``dtype``, …).

    Raises:
        TypeError: If ``units`` is not an integer.
        ValueError: If ``units`` < 1 or ``activation`` is an unknown name.

    Example:
        >>> layer = SimpleDense(units=32, activation="relu")
        >>> tuple(layer(keras.ops.ones((2, 784))).shape)
        (2, 32)
    """

    def __init__(self, units: int, activation: Any = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.units = positive_int("units", units)
        self.activation = _activation(activation)

    def build(self, input_shape: tuple[int | None, ...]) -> None:
        """Create the kernel ``W`` (random normal) and the bias ``b`` (zeros)."""
        input_dim = input_shape[-1]
        if input_dim is None:
            raise ValueError(
                "Expected the last dimension of the input to be known. "
                f"Received: input_shape={tuple(input_shape)}"
            )
        self.W = self.add_weight(
            name="kernel", shape=(input_dim, self.units), initializer="random_normal"
        )
        self.b = self.add_weight(name="bias", shape=(self.units,), initializer="zeros")

    def call(self, inputs: Any) -> Any:
        """Return ``activation(inputs @ W + b)``."""
        y = keras.ops.matmul(inputs, self.W) + self.b
        if self.activation is not None:
            y = self.activation(y)
        return y

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        """Return ``input_shape`` with its last dimension replaced by ``units``."""
        return (*tuple(input_shape)[:-1], self.units)

    def get_config(self) -> dict[str, Any]:
        """Return the arguments that recreate this layer (``from_config`` inverts it)."""
        activation = (
            None if self.activation is None else keras.activations.serialize(self.activation)
        )
        return {**super().get_config(), "units": self.units, "activation": activation}
