"""Figures of the book: its plot style, point clouds, predictions, loss curves.

Taught in sections 3-5-4 and 3-6-6. Pages draw their lessons' plots with plain pyplot
(``plt.scatter``), in the style :func:`use_book_style` sets from the set-up cell; the
functions here draw the figures a lesson is not about. Every function returns a Matplotlib
``Figure`` (closed in pyplot, so that a notebook shows it exactly once, as the cell's
value). Figure text is ASCII on purpose: the Chinese goes into the caption, so no CJK font
is needed on the building machine and no glyph is ever missing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import LinearSegmentedColormap
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from ch3lib._checks import matrix, same_length

#: Colour-blind-safe colours of class 0 and class 1 (Okabe-Ito blue and orange).
CLASS_COLORS = ("#0072B2", "#E69F00")
_SIZE = (5.0, 4.0)
#: The default colour map of the book's figures: class 0's blue to class 1's orange, so that
#: ``plt.scatter(..., c=labels)`` colours the classes as the book's own figures do.
CLASS_CMAP = "ch3lib_classes"
#: What :func:`use_book_style` sets: a white background (legible in dark mode), one size.
STYLE = {
    "figure.figsize": _SIZE,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.constrained_layout.use": True,
    "image.cmap": CLASS_CMAP,
}


def use_book_style() -> None:
    """Give every figure, plain pyplot included, the book's size, background and colours.

    Defined in section 3-5-4; :func:`ch3lib.setup` calls it. Class 0 is blue and class 1
    orange (:data:`CLASS_COLORS`, colour-blind safe) wherever labels choose the colour.

    Example:
        >>> use_book_style()
        >>> matplotlib.rcParams["image.cmap"], tuple(matplotlib.rcParams["figure.figsize"])
        ('ch3lib_classes', (5.0, 4.0))
    """
    if CLASS_CMAP not in matplotlib.colormaps:
        # A list: matplotlib 3.8 reads a tuple of two colours as (colour, alpha).
        colors = list(CLASS_COLORS)
        matplotlib.colormaps.register(LinearSegmentedColormap.from_list(CLASS_CMAP, colors))
    matplotlib.rcParams.update(STYLE)


def _new_figure(title: str) -> tuple[Figure, Any]:
    fig, ax = plt.subplots(figsize=_SIZE, dpi=100, layout="constrained")
    plt.close(fig)
    fig.patch.set_facecolor("white")  # legible on the dark theme too
    ax.set_title(title)
    return fig, ax


def _scatter_classes(ax: Any, points: np.ndarray, labels: np.ndarray, names: Sequence[str]) -> None:
    for value, (color, name) in enumerate(zip(CLASS_COLORS, names, strict=True)):
        chosen = points[labels == value]
        ax.scatter(chosen[:, 0], chosen[:, 1], s=6, alpha=0.6, color=color, label=name)
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="lower left", markerscale=3)  # the corner between the two classes is empty


def _labels(name: str, values: Any, n: int) -> np.ndarray:
    array = matrix(name, values, 1)
    if len(array) != n:
        raise ValueError(
            f"Expected `{name}` to have one row per point ({n}). Received: len({name})={len(array)}"
        )
    return array[:, 0]


def plot_point_clouds(inputs: Any, targets: Any) -> Figure:
    """Scatter the points coloured by their true class.

    Defined in section 3-5-4.

    Args:
        inputs: Array of shape ``(n, 2)``.
        targets: Array of shape ``(n, 1)`` of 0s and 1s.

    Returns:
        The figure.

    Raises:
        ValueError: On other shapes or lengths.

    Example:
        >>> fig = plot_point_clouds([[0, 3], [3, 0]], [[0], [1]])
        >>> fig.axes[0].get_title()
        'Two classes of points'
    """
    points = matrix("inputs", inputs, 2)
    labels = _labels("targets", targets, len(points))
    fig, ax = _new_figure("Two classes of points")
    _scatter_classes(ax, points, labels, ("class 0", "class 1"))
    return fig


def plot_predictions(
    inputs: Any,
    predictions: Any,
    line: tuple[Any, Any] | None = None,
    threshold: float = 0.5,
) -> Figure:
    """Scatter the points coloured by predicted class (score > ``threshold``).

    Defined in section 3-5-4. With ``line=(xs, ys)`` the decision line is drawn in red.

    Args:
        inputs: Array of shape ``(n, 2)``.
        predictions: Scores of shape ``(n, 1)``.
        line: Optional points of the decision line.
        threshold: Score above which a point is predicted as class 1.

    Returns:
        The figure.

    Raises:
        ValueError: On other shapes or lengths.

    Example:
        >>> fig = plot_predictions([[0, 3], [3, 0]], [[0.1], [0.9]], line=([0, 3], [0, 3]))
        >>> len(fig.axes[0].lines)
        1
    """
    points = matrix("inputs", inputs, 2)
    scores = _labels("predictions", predictions, len(points))
    title = "Predicted classes" + (" and the decision line" if line is not None else "")
    fig, ax = _new_figure(title)
    predicted = (scores > threshold).astype(int)
    _scatter_classes(ax, points, predicted, ("predicted 0", "predicted 1"))
    if line is not None:
        xs, ys = np.asarray(line[0], dtype=float), np.asarray(line[1], dtype=float)
        same_length("line x", xs, "line y", ys)
        ax.plot(xs, ys, "-r", label=f"w1*x + w2*y + b = {threshold}")
        ax.legend(loc="lower left", markerscale=3)
    return fig


def plot_losses(losses: Sequence[float]) -> Figure:
    """Plot the loss of every training step.

    Defined in section 3-5-4.

    Args:
        losses: One loss per step (at least one).

    Returns:
        The figure.

    Raises:
        ValueError: If ``losses`` is empty or not one-dimensional.

    Example:
        >>> plot_losses([0.5, 0.2, 0.1]).axes[0].get_xlabel()
        'step'
    """
    values = np.asarray(losses, dtype=float)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"Expected `losses` to be a non-empty list of numbers. Received: shape={values.shape}"
        )
    fig, ax = _new_figure("Loss per training step")
    ax.plot(np.arange(values.size), values, marker="o", markersize=3, color=CLASS_COLORS[0])
    ax.set_xlabel("step")
    ax.set_ylabel("mean squared error")
    ax.grid(alpha=0.3)
    return fig


def plot_history(history: Any, metric: str = "loss") -> Figure:
    """Plot a metric on the training and the validation data, per epoch.

    Defined in section 3-6-6.

    Args:
        history: A ``keras.callbacks.History`` or its ``history`` dict, holding
            ``metric`` and ``"val_" + metric``.
        metric: The name of the metric, e.g. ``"loss"`` or ``"binary_accuracy"``.

    Returns:
        The figure.

    Raises:
        KeyError: If the history lacks ``metric`` or its validation counterpart.

    Example:
        >>> fig = plot_history({"loss": [0.5, 0.3], "val_loss": [0.6, 0.4]})
        >>> [line.get_label() for line in fig.axes[0].lines]
        ['training', 'validation']
    """
    data = getattr(history, "history", history)
    missing = [k for k in (metric, f"val_{metric}") if k not in data]
    if missing:
        raise KeyError(
            f"Expected the history to hold {metric!r} and 'val_{metric}'. "
            f"Received keys: {sorted(data)}"
        )
    epochs = np.arange(1, len(data[metric]) + 1)
    fig, ax = _new_figure(f"{metric}: training vs validation")
    ax.plot(epochs, data[metric], marker="o", markersize=3, color=CLASS_COLORS[0], label="training")
    ax.plot(
        epochs,
        data[f"val_{metric}"],
        marker="s",
        markersize=3,
        color=CLASS_COLORS[1],
        label="validation",
    )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(metric)
    ax.grid(alpha=0.3)
    ax.legend()
    return fig
