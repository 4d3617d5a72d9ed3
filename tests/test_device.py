import random

import numpy as np
import pytest
import tensorflow as tf

import ch3lib
from ch3lib import device


class Recorder:
    """Records the configuration calls that select_device makes on simulated GPUs."""

    def __init__(self, fail=False):
        self.grown, self.hidden, self.fail = [], 0, fail

    def grow(self, gpu, enabled):
        if self.fail:
            raise RuntimeError("Physical devices cannot be modified after being initialized")
        self.grown.append((gpu, enabled))

    def hide(self):
        self.hidden += 1


@pytest.mark.parametrize(
    ("force_cpu", "gpus", "kind", "grown", "hidden"),
    [
        (False, [], "CPU", [], 0),
        (False, ["gpu:0", "gpu:1"], "GPU", [("gpu:0", True), ("gpu:1", True)], 0),
        (True, ["gpu:0"], "CPU", [], 1),
        (None, ["gpu:0"], "CPU", [], 1),  # read from the environment: CH3LIB_FORCE_CPU=1
    ],
)
def test_simulated_gpus_get_memory_growth_unless_cpu_is_forced(
    monkeypatch, force_cpu, gpus, kind, grown, hidden
):
    monkeypatch.setenv(device.FORCE_CPU_ENV, "1")
    rec = Recorder()
    hooks = {"set_memory_growth": rec.grow, "hide_gpus": rec.hide}
    assert device.select_device(force_cpu=force_cpu, gpus=gpus, **hooks) == kind
    assert (rec.grown, rec.hidden) == (grown, hidden)


def test_late_gpu_configuration_error_explains_what_to_do():
    rec = Recorder(fail=True)
    with pytest.raises(RuntimeError, match=r"before TensorFlow is initialised.*Received from"):
        device.select_device(force_cpu=False, gpus=["gpu:0"], set_memory_growth=rec.grow)


def test_force_cpu_must_be_bool_and_the_environment_s_value_a_known_spelling():
    with pytest.raises(TypeError, match="expected None, True or False. Received: force_cpu='yes'"):
        device.select_device(force_cpu="yes", gpus=[])
    with pytest.raises(ValueError, match="Received: CH3LIB_FORCE_CPU='ture'"):
        device.force_cpu_requested({device.FORCE_CPU_ENV: "ture"})


@pytest.mark.parametrize(
    ("value", "requested"),
    [(v, True) for v in ("1", "TRUE", " yes ", "on")]
    + [(v, False) for v in ("", "0", "False", "no", "off")],
)
def test_force_cpu_true_and_false_spellings(value, requested):
    assert device.force_cpu_requested({device.FORCE_CPU_ENV: value}) is requested


def test_same_seed_gives_same_numbers_everywhere():
    def draw():
        return random.random(), np.random.rand(), float(tf.random.uniform(()))

    ch3lib.set_seed(123)
    first = draw()
    ch3lib.set_seed(123)
    assert draw() == first


@pytest.mark.parametrize(("seed", "error"), [(-1, ValueError), (1.5, TypeError), (True, TypeError)])
def test_bad_seed_is_rejected(seed, error):
    with pytest.raises(error, match="expected a non-negative integer"):
        ch3lib.set_seed(seed)


def test_build_info_reports_this_process():
    info = ch3lib.setup(seed=1)
    assert info.tensorflow == tf.__version__
    assert info.device == ("GPU" if tf.config.list_physical_devices("GPU") else "CPU")
    assert info.device_names and all(info.device_names)
    table = info.as_dict()
    assert list(table) == ["python", "tensorflow", "keras", "numpy", "device", "device_names"]
    assert "<table" in info._repr_html_() and info.tensorflow in str(info)
