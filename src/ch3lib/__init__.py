"""ch3lib: the tested library behind the executable book of Chapter 3.

Every page of the book imports from here; each public name's docstring says which
section teaches it.
"""

import os as _os

# Must precede the first TensorFlow import to keep C++/absl log lines off the pages.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from ch3lib._native_log import quiet_native_info_logs as _quiet

with _quiet():  # TensorFlow 2.21 prints INFO lines at import whatever the level says
    import tensorflow as _tf  # noqa: F401

from ch3lib.answers import CheckResult, Exercise, Part
from ch3lib.device import (
    FORCE_CPU_ENV,
    BuildInfo,
    build_info,
    force_cpu_requested,
    select_device,
    set_seed,
    setup,
)
from ch3lib.gradients import Motion, falling_object, gradient, second_derivative
from ch3lib.layers import SimpleDense
from ch3lib.linear_classifier import LinearClassifier, square_loss
from ch3lib.plotting import (
    plot_history,
    plot_losses,
    plot_point_clouds,
    plot_predictions,
    use_book_style,
)
from ch3lib.point_clouds import make_point_clouds
from ch3lib.training import (
    CompactLog,
    HistoryTable,
    Split,
    make_binary_classifier,
    split_train_validation,
)

__version__ = "0.1.0"

__all__ = [
    "FORCE_CPU_ENV",
    "BuildInfo",
    "CheckResult",
    "CompactLog",
    "Exercise",
    "HistoryTable",
    "LinearClassifier",
    "Motion",
    "Part",
    "SimpleDense",
    "Split",
    "build_info",
    "falling_object",
    "force_cpu_requested",
    "gradient",
    "make_binary_classifier",
    "make_point_clouds",
    "plot_history",
    "plot_losses",
    "plot_point_clouds",
    "plot_predictions",
    "second_derivative",
    "select_device",
    "set_seed",
    "setup",
    "split_train_validation",
    "square_loss",
    "use_book_style",
]
