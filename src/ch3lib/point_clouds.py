"""Two Gaussian point clouds in the plane, the data of the linear classifier.

Taught in section 3-5-4 (端到端的範例：使用 TensorFlow 建立線性分類器).
"""

from __future__ import annotations

import numpy as np

from ch3lib._checks import non_negative_int, positive_int

#: Centre of class 0 (upper left) and of class 1 (lower right).
MEANS = ((0.0, 3.0), (3.0, 0.0))
#: Shared covariance: an ellipse from lower left to upper right.
COVARIANCE = ((1.0, 0.5), (0.5, 1.0))


def make_point_clouds(
    num_samples_per_class: int = 1000, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Draw two 2-D Gaussian classes with the same covariance and different means.

    Defined in section 3-5-4. Class 0 is centred at (0, 3), class 1 at (3, 0); both
    use the covariance ``[[1, .5], [.5, 1]]``. The first ``num_samples_per_class`` rows
    are class 0.

    Args:
        num_samples_per_class: Points per class, a positive integer.
        seed: Seed of the NumPy generator; the same seed gives identical arrays.

    Returns:
        ``(inputs, targets)``: float32 arrays of shapes ``(2n, 2)`` and ``(2n, 1)``,
        targets 0 for the first class and 1 for the second.

    Raises:
        TypeError: If an argument is not an integer.
        ValueError: If ``num_samples_per_class`` < 1 or ``seed`` < 0.

    Example:
        >>> inputs, targets = make_point_clouds(5)
        >>> inputs.shape, targets.shape, inputs.dtype.name
        ((10, 2), (10, 1), 'float32')
        >>> targets[:, 0].tolist()
        [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0]
    """
    n = positive_int("num_samples_per_class", num_samples_per_class)
    rng = np.random.default_rng(non_negative_int("seed", seed))
    negative = rng.multivariate_normal(mean=MEANS[0], cov=COVARIANCE, size=n)
    positive = rng.multivariate_normal(mean=MEANS[1], cov=COVARIANCE, size=n)
    inputs = np.vstack((negative, positive)).astype(np.float32)
    targets = np.vstack((np.zeros((n, 1), dtype=np.float32), np.ones((n, 1), dtype=np.float32)))
    return inputs, targets
