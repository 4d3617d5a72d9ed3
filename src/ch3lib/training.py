"""Training the Keras way: validation split, a compiled classifier, readable logs.

Taught in sections 3-6-3 to 3-6-7 (compile, fit, validation, evaluate, predict).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import keras
import numpy as np

from ch3lib._checks import (
    invalid,
    non_negative_int,
    open_fraction,
    positive_float,
    positive_int,
    same_length,
)


class Split(NamedTuple):
    """Training and validation parts of a data set."""

    train_inputs: np.ndarray
    train_targets: np.ndarray
    val_inputs: np.ndarray
    val_targets: np.ndarray


def split_train_validation(
    inputs: Any, targets: Any, validation_fraction: float = 0.3, *, seed: int = 0
) -> Split:
    """Shuffle, then hold out the first ``validation_fraction`` of the rows.

    Defined in section 3-6-6. The inputs and targets are shuffled with the *same*
    permutation, so every input keeps its target; ``int(fraction · n)`` rows become the
    validation set, as in the book.

    Args:
        inputs: Array with one sample per row.
        targets: Array with one target row per sample.
        validation_fraction: A number strictly between 0 and 1.
        seed: Seed of the permutation.

    Returns:
        A :class:`Split`; the arrays keep the dtype of the inputs and targets.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If the lengths differ, the fraction is outside (0, 1), or one part
            would be empty.

    Example:
        >>> x = np.arange(20, dtype="float32").reshape(10, 2)
        >>> y = np.arange(10, dtype="float32").reshape(10, 1)
        >>> split = split_train_validation(x, y, 0.3)
        >>> [len(part) for part in split]
        [7, 7, 3, 3]
        >>> bool(np.all(split.val_inputs[:, 0] == 2 * split.val_targets[:, 0]))
        True
    """
    fraction = open_fraction("validation_fraction", validation_fraction)
    x = np.asarray(inputs)
    y = np.asarray(targets)
    if x.ndim == 0 or y.ndim == 0:
        raise ValueError(
            "Expected `inputs` and `targets` to be arrays with one row per sample. "
            f"Received: inputs.shape={x.shape}, targets.shape={y.shape}"
        )
    same_length("inputs", x, "targets", y)
    n = len(x)
    num_val = int(fraction * n)
    if not 0 < num_val < n:
        raise ValueError(
            f"Expected both parts to be non-empty, but validation_fraction={fraction} of "
            f"{n} samples gives {num_val} validation and {n - num_val} training samples."
        )
    order = np.random.default_rng(non_negative_int("seed", seed)).permutation(n)
    x, y = x[order], y[order]
    return Split(x[num_val:], y[num_val:], x[:num_val], y[:num_val])


def make_binary_classifier(
    input_dim: int = 2, *, hidden_units: int = 0, learning_rate: float = 0.01
) -> keras.Model:
    """Build and compile a small binary classifier, the Keras way.

    Defined in section 3-6-3. ``Dense(1, sigmoid)`` (after an optional ReLU hidden
    layer), RMSprop, binary crossentropy and binary accuracy: the combination the book
    recommends for two classes.

    Args:
        input_dim: Features per sample.
        hidden_units: Units of a hidden ReLU layer; 0 (default) for none.
        learning_rate: RMSprop's learning rate.

    Returns:
        A compiled ``keras.Sequential``.

    Raises:
        TypeError, ValueError: If an argument is not as documented.

    Example:
        >>> model = make_binary_classifier()
        >>> model.loss.name, [tuple(w.shape) for w in model.weights]
        ('binary_crossentropy', [(2, 1), (1,)])
    """
    input_dim = positive_int("input_dim", input_dim)
    hidden_units = non_negative_int("hidden_units", hidden_units)
    learning_rate = positive_float("learning_rate", learning_rate)
    layers: list[keras.layers.Layer] = [keras.Input(shape=(input_dim,))]
    if hidden_units:
        layers.append(keras.layers.Dense(hidden_units, activation="relu"))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers, name="binary_classifier")
    model.compile(
        optimizer=keras.optimizers.RMSprop(learning_rate=learning_rate),
        loss=keras.losses.BinaryCrossentropy(),
        metrics=[keras.metrics.BinaryAccuracy()],
    )
    return model


class CompactLog(keras.callbacks.Callback):
    r"""Print one plain line per logged epoch: no progress bar, no ``\\b`` characters.

    Defined in section 3-6-5. Use it with ``fit(..., verbose=0, callbacks=[CompactLog()])``.

    Args:
        every: Print every ``every``-th epoch, plus the first and the last.
        digits: Decimals of each number.

    Example:
        >>> CompactLog(every=5).every
        5
    """

    def __init__(self, every: int = 1, digits: int = 4):
        super().__init__()
        self.every = positive_int("every", every)
        self.digits = positive_int("digits", digits)

    def on_epoch_end(self, epoch: int, logs: Mapping[str, float] | None = None) -> None:
        """Print ``epoch k/N  name value …`` when the epoch is one to log."""
        total = self.params.get("epochs", epoch + 1)
        number = epoch + 1
        if number == 1 or number == total or number % self.every == 0:
            items = "  ".join(f"{k} {v:.{self.digits}f}" for k, v in (logs or {}).items())
            print(f"epoch {number:>{len(str(total))}}/{total}  {items}")


class HistoryTable:
    """A ``History`` (or its dict) as a table: one row per epoch.

    Defined in section 3-6-5. Shows as an HTML table in a notebook and as aligned text
    elsewhere.

    Args:
        history: A ``keras.callbacks.History`` or its ``history`` dict.
        digits: Decimals of each number.
        rows: Show only these epochs (1-based); all when ``None``.

    Raises:
        TypeError: If ``history`` is neither.
        ValueError: If the metrics have different lengths, or a row does not exist.

    Example:
        >>> print(HistoryTable({"loss": [0.5, 0.25], "val_loss": [0.6, 0.3]}))
        epoch    loss  val_loss
            1  0.5000    0.6000
            2  0.2500    0.3000
    """

    def __init__(self, history: Any, digits: int = 4, rows: Sequence[int] | None = None) -> None:
        data = getattr(history, "history", history)
        if not isinstance(data, Mapping) or not data:
            raise TypeError(
                "Expected a keras History or a non-empty dict of metric lists. "
                f"Received: history of type {type(history).__name__}"
            )
        lengths = {len(v) for v in data.values()}
        if len(lengths) != 1:
            raise ValueError(
                "Expected every metric to have one value per epoch. "
                f"Received lengths {sorted(lengths)}"
            )
        self.columns = list(data)
        self.values = {k: [float(v) for v in data[k]] for k in self.columns}
        self.epochs = lengths.pop()
        self.digits = positive_int("digits", digits)
        self.rows = list(range(1, self.epochs + 1)) if rows is None else list(rows)
        for row in self.rows:
            if isinstance(row, bool) or not isinstance(row, int) or not 1 <= row <= self.epochs:
                raise ValueError(invalid("rows", f"epochs between 1 and {self.epochs}", row))

    def _cells(self) -> list[list[str]]:
        return [
            [str(row)] + [f"{self.values[k][row - 1]:.{self.digits}f}" for k in self.columns]
            for row in self.rows
        ]

    def __str__(self) -> str:
        header = ["epoch", *self.columns]
        cells = self._cells()
        widths = [max(len(r[i]) for r in [header, *cells]) for i in range(len(header))]
        lines = [
            "  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *cells]
        ]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        # A long metric name may break after an underscore (val_binary_accuracy on a phone).
        head = "".join(
            f"<th>{html.escape(c).replace('_', '_<wbr>')}</th>" for c in ["epoch", *self.columns]
        )
        body = "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in self._cells()
        )
        return (
            f'<table class="ch3lib-history"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )
