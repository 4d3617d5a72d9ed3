"""Device selection, build information and reproducibility.

Taught in section 3-4 (設定深度學習工作站); every page of the book calls :func:`setup`
in its hidden set-up cell.

TensorFlow's C++ and absl log lines are silenced by ``TF_CPP_MIN_LOG_LEVEL``, which
only works when it is set *before* TensorFlow is imported. ``ch3lib/__init__.py`` sets
it (without overriding a value you chose) before importing anything from TensorFlow,
and the Makefile and ``conf.py`` export it for the book's kernels.
"""

from __future__ import annotations

import html
import os
import platform
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from ch3lib._checks import invalid, non_negative_int
from ch3lib._native_log import quiet_native_info_logs
from ch3lib.plotting import use_book_style

#: Set this environment variable to ``1`` to hide every GPU and run on the CPU.
FORCE_CPU_ENV = "CH3LIB_FORCE_CPU"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def force_cpu_requested(environ: dict[str, str] | None = None) -> bool:
    """Tell whether ``CH3LIB_FORCE_CPU`` asks for the CPU.

    Defined in section 3-4.

    Args:
        environ: The environment to read; ``os.environ`` when omitted.

    Returns:
        ``True`` for ``1``, ``true``, ``yes`` or ``on`` (any case); ``False`` when unset,
        empty, ``0``, ``false``, ``no`` or ``off``.

    Raises:
        ValueError: For any other value, so that a typo never silently uses the GPU.

    Example:
        >>> force_cpu_requested({"CH3LIB_FORCE_CPU": "1"})
        True
        >>> force_cpu_requested({})
        False
    """
    env = os.environ if environ is None else environ
    raw = env.get(FORCE_CPU_ENV, "")
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(invalid(FORCE_CPU_ENV, "one of 1/true/yes/on or 0/false/no/off", raw))


def select_device(
    force_cpu: bool | None = None,
    *,
    gpus: Iterable[Any] | None = None,
    set_memory_growth: Callable[[Any, bool], None] | None = None,
    hide_gpus: Callable[[], None] | None = None,
) -> str:
    """Use the GPU when there is one, with memory growth; otherwise the CPU.

    Defined in section 3-4. Call it before any tensor is created: TensorFlow fixes
    its devices at the first operation.

    Args:
        force_cpu: ``True`` hides every GPU; ``None`` (default) reads ``CH3LIB_FORCE_CPU``.
        gpus: The physical GPUs; by default ``tf.config.list_physical_devices("GPU")``.
        set_memory_growth: By default ``tf.config.experimental.set_memory_growth``.
        hide_gpus: By default ``tf.config.set_visible_devices([], "GPU")``.

    The last three exist so that the GPU branch can be tested on machines without a
    GPU: the test suite passes a simulated device list and records the calls. The
    real GPU path runs only when the book is built on a machine that has one.

    Returns:
        ``"GPU"`` or ``"CPU"``: the kind of device TensorFlow will place operations on.

    Raises:
        TypeError: If ``force_cpu`` is not ``None`` or a bool.
        RuntimeError: If TensorFlow was already initialised and a GPU can no longer be
            configured.

    Example:
        >>> select_device(gpus=[])
        'CPU'
    """
    if force_cpu is not None and not isinstance(force_cpu, bool):
        raise TypeError(invalid("force_cpu", "None, True or False", force_cpu))
    if force_cpu is None:
        force_cpu = force_cpu_requested()
    gpu_list = list(tf.config.list_physical_devices("GPU") if gpus is None else gpus)
    if not gpu_list:
        return "CPU"
    grow = set_memory_growth or tf.config.experimental.set_memory_growth
    hide = hide_gpus or (lambda: tf.config.set_visible_devices([], "GPU"))
    try:
        if force_cpu:
            hide()
            return "CPU"
        for gpu in gpu_list:
            grow(gpu, True)
    except RuntimeError as error:
        raise RuntimeError(
            "Expected to configure the GPUs before TensorFlow is initialised; call "
            "ch3lib.setup() (or select_device()) before creating any tensor. "
            f"Received from TensorFlow: {error}"
        ) from error
    return "GPU"


def set_seed(seed: int = 42) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic.

    Defined in section 3-4. Rebuilding the book gives the same numbers because every
    page calls this (through :func:`setup`) before it draws a random number.

    Args:
        seed: A non-negative integer.

    Raises:
        TypeError: If ``seed`` is not an integer.
        ValueError: If ``seed`` is negative.

    Example:
        >>> set_seed(7); a = np.random.rand()
        >>> set_seed(7); a == np.random.rand()
        True
    """
    seed = non_negative_int("seed", seed)
    keras.utils.set_random_seed(seed)  # Python's random, NumPy and the TF backend
    tf.config.experimental.enable_op_determinism()


@dataclass(frozen=True)
class BuildInfo:
    """What a build ran on: versions and devices, as data a page can show.

    Defined in section 3-4. Displays as a two-column table in a notebook.

    Attributes:
        python: Python's version, e.g. ``"3.11.7"``.
        tensorflow: TensorFlow's version.
        keras: Keras' version.
        numpy: NumPy's version.
        device: ``"GPU"`` or ``"CPU"``.
        device_names: Human-readable names of the devices used.
    """

    python: str
    tensorflow: str
    keras: str
    numpy: str
    device: str
    device_names: tuple[str, ...]

    def as_dict(self) -> dict[str, str]:
        """Return the fields as strings, device names joined by ``"; "``."""
        data = asdict(self)
        data["device_names"] = "; ".join(self.device_names)
        return data

    def __str__(self) -> str:
        rows = self.as_dict()
        width = max(map(len, rows))
        return "\n".join(f"{key:<{width}}  {value}" for key, value in rows.items())

    def _repr_html_(self) -> str:
        body = "".join(
            f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
            for k, v in self.as_dict().items()
        )
        return f'<table class="ch3lib-build-info">{body}</table>'


def _cpu_name() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def build_info() -> BuildInfo:
    """Report the versions and the device this process computes on.

    Defined in section 3-4, where the book shows the table from its own build.

    Returns:
        A :class:`BuildInfo`.

    Example:
        >>> info = build_info()
        >>> info.device in {"CPU", "GPU"}, info.tensorflow == tf.__version__
        (True, True)
    """
    gpus = tf.config.get_visible_devices("GPU")
    if gpus:
        names = tuple(
            tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
            for gpu in gpus
        )
        device = "GPU"
    else:
        names = (f"{_cpu_name()} ({os.cpu_count()} cores)",)
        device = "CPU"
    return BuildInfo(
        python=platform.python_version(),
        tensorflow=tf.__version__,
        keras=keras.__version__,
        numpy=np.__version__,
        device=device,
        device_names=names,
    )


def setup(seed: int = 42) -> BuildInfo:
    """Prepare a page: choose the device, seed everything, report the build.

    Defined in section 3-4; the one call in every page's hidden set-up cell. It also
    lowers TensorFlow's Python logger to errors, makes NumPy print 4 decimals and gives
    Matplotlib the book's figure style (:func:`ch3lib.plotting.use_book_style`).

    Args:
        seed: Passed to :func:`set_seed`.

    Returns:
        The :class:`BuildInfo` of this process.

    Example:
        >>> setup(seed=0).device in {"CPU", "GPU"}
        True
    """
    with quiet_native_info_logs():  # the runtime's start-up INFO lines (CPU features, …)
        select_device()
        set_seed(seed)
        tf.zeros(())  # start the runtime now, not in the reader's first cell
    tf.get_logger().setLevel("ERROR")  # TensorFlow's Python-side warnings stay off the page
    np.set_printoptions(precision=4, suppress=True)
    use_book_style()
    return build_info()
