"""A linear classifier written from scratch with ``tf.Variable`` and ``GradientTape``.

Taught in section 3-5-4 (端到端的範例：使用 TensorFlow 建立線性分類器), whose page shows
the source of :meth:`LinearClassifier.training_step` as it is here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from ch3lib._checks import matrix, non_negative_int, positive_float, positive_int, same_length


def square_loss(targets: Any, predictions: Any) -> tf.Tensor:
    """Mean of the squared differences between targets and predictions.

    Defined in section 3-5-4.

    Args:
        targets: Tensor of shape ``(n, k)``.
        predictions: Tensor of the same shape.

    Returns:
        A scalar float tensor.

    Raises:
        ValueError: If the shapes differ (broadcasting would hide a bug).

    Example:
        >>> round(float(square_loss([[0.0], [1.0]], [[0.5], [1.0]])), 3)
        0.125
    """
    targets = tf.convert_to_tensor(targets, dtype=tf.float32)
    predictions = tf.convert_to_tensor(predictions, dtype=tf.float32)
    if targets.shape != predictions.shape:
        raise ValueError(
            "Expected `targets` and `predictions` to have the same shape. "
            f"Received: targets.shape={tuple(targets.shape)}, "
            f"predictions.shape={tuple(predictions.shape)}"
        )
    per_sample_loss = tf.square(targets - predictions)
    return tf.reduce_mean(per_sample_loss)


class LinearClassifier:
    """The affine model ``prediction = inputs @ W + b``, trained on the squared error.

    Defined in section 3-5-4. ``W`` starts uniform in [0, 1) and ``b`` at zero, both
    ``tf.Variable``; each training step moves them against the gradient of the loss.

    Args:
        input_dim: Features per sample (2 for points in the plane).
        output_dim: Scores per sample (1 for two classes).
        seed: Seed of ``W``'s initial values; ``None`` draws from TensorFlow's global
            generator (seeded by :func:`ch3lib.set_seed`).

    Raises:
        TypeError, ValueError: If a dimension is not a positive integer or the seed is
            negative.

    Example:
        >>> clf = LinearClassifier(seed=0)
        >>> tuple(clf.W.shape), clf.b.numpy().tolist()
        ((2, 1), [0.0])
    """

    def __init__(self, input_dim: int = 2, output_dim: int = 1, *, seed: int | None = None):
        self.input_dim = positive_int("input_dim", input_dim)
        self.output_dim = positive_int("output_dim", output_dim)
        shape = (self.input_dim, self.output_dim)
        if seed is None:
            initial_w = tf.random.uniform(shape=shape)
        else:
            seed = non_negative_int("seed", seed)
            initial_w = tf.random.stateless_uniform(shape=shape, seed=(seed, 0))
        self.W = tf.Variable(initial_value=initial_w, name="W")
        self.b = tf.Variable(initial_value=tf.zeros(shape=(self.output_dim,)), name="b")

    def __repr__(self) -> str:
        return f"LinearClassifier(input_dim={self.input_dim}, output_dim={self.output_dim})"

    def _inputs(self, inputs: Any) -> tf.Tensor:
        return tf.constant(matrix("inputs", inputs, self.input_dim), dtype=tf.float32)

    def __call__(self, inputs: Any) -> tf.Tensor:
        """Return the scores ``inputs @ W + b``, of shape ``(n, output_dim)``."""
        return tf.matmul(self._inputs(inputs), self.W) + self.b

    def training_step(
        self, inputs: tf.Tensor, targets: tf.Tensor, learning_rate: float = 0.1
    ) -> tf.Tensor:
        """Run one step of full-batch gradient descent and return the loss before it."""
        with tf.GradientTape() as tape:
            predictions = tf.matmul(inputs, self.W) + self.b
            loss = square_loss(targets, predictions)
        grad_loss_w, grad_loss_b = tape.gradient(loss, [self.W, self.b])
        self.W.assign_sub(grad_loss_w * learning_rate)
        self.b.assign_sub(grad_loss_b * learning_rate)
        return loss

    def fit(
        self, inputs: Any, targets: Any, *, steps: int = 40, learning_rate: float = 0.1
    ) -> list[float]:
        """Train for ``steps`` full-batch steps.

        Args:
            inputs: Array of shape ``(n, input_dim)``.
            targets: Array of shape ``(n, output_dim)``.
            steps: Number of training steps, a positive integer.
            learning_rate: Step size, a positive number.

        Returns:
            The loss of every step, as Python floats (the loss *before* that step's update).

        Raises:
            TypeError, ValueError: On shapes, lengths or values other than documented.

        Example:
            >>> from ch3lib import make_point_clouds
            >>> inputs, targets = make_point_clouds(100)
            >>> losses = LinearClassifier(seed=0).fit(inputs, targets, steps=5)
            >>> len(losses), losses[-1] < losses[0]
            (5, True)
        """
        steps = positive_int("steps", steps)
        learning_rate = positive_float("learning_rate", learning_rate)
        x = matrix("inputs", inputs, self.input_dim)
        y = matrix("targets", targets, self.output_dim)
        same_length("inputs", x, "targets", y)
        x = tf.constant(x, dtype=tf.float32)
        y = tf.constant(y, dtype=tf.float32)
        return [float(self.training_step(x, y, learning_rate)) for _ in range(steps)]

    def decision_line(self, x: Any, threshold: float = 0.5) -> np.ndarray:
        """The line ``w1·x + w2·y + b = threshold`` solved for ``y``.

        Points on one side score above ``threshold`` (class 1), on the other below
        (class 0). Needs ``input_dim == 2`` and ``output_dim == 1``.

        Args:
            x: Abscissas, any array-like of numbers.
            threshold: The score that separates the two classes.

        Returns:
            The ordinates ``y = -w1/w2 · x + (threshold - b)/w2`` as a NumPy array.

        Raises:
            ValueError: If the classifier is not 2-D → 1 or ``w2`` is 0.

        Example:
            >>> clf = LinearClassifier()
            >>> _ = clf.W.assign([[1.0], [2.0]]), clf.b.assign([0.5])
            >>> clf.decision_line([0.0, 2.0]).tolist()
            [0.0, -1.0]
        """
        if (self.input_dim, self.output_dim) != (2, 1):
            raise ValueError(
                "Expected a classifier of points in the plane (input_dim=2, output_dim=1). "
                f"Received: input_dim={self.input_dim}, output_dim={self.output_dim}"
            )
        w1, w2 = (float(v) for v in self.W.numpy()[:, 0])
        b = float(self.b.numpy()[0])
        if w2 == 0:
            raise ValueError("Expected a non-zero weight w2: the decision line is vertical.")
        x = np.asarray(x, dtype=np.float64)
        return -w1 / w2 * x + (threshold - b) / w2
