import re
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf

from ch3lib import SimpleDense


def test_output_shape_on_ones():
    assert tuple(SimpleDense(units=32, activation="relu")(tf.ones((2, 784))).shape) == (2, 32)


def test_known_weights_give_hand_computed_outputs():
    layer = SimpleDense(units=2, activation="relu")
    layer.build((None, 3))
    layer.W.assign([[1.0, -1.0], [2.0, 0.0], [0.0, 1.0]])
    layer.b.assign([0.5, -3.0])
    x = np.array([[1.0, 1.0, 1.0], [0.0, -1.0, 2.0]], dtype="float32")
    # x @ W + b = [[3.5, -3], [-1.5, -1]] -> relu -> [[3.5, 0], [0, 0]]
    np.testing.assert_allclose(layer(x).numpy(), [[3.5, 0.0], [0.0, 0.0]])


def test_no_activation_is_affine_and_callable_activation_is_used():
    layer = SimpleDense(1)
    layer.build((None, 1))
    layer.W.assign([[-2.0]])
    assert layer(np.array([[1.0]], dtype="float32")).numpy().tolist() == [[-2.0]]
    doubling = SimpleDense(1, activation=lambda t: 2 * t)
    doubling.build((None, 1))
    doubling.W.assign([[-2.0]])
    assert doubling(np.array([[1.0]], dtype="float32")).numpy().tolist() == [[-4.0]]


def test_weights_are_named_and_created_in_build():
    layer = SimpleDense(4)
    assert layer.weights == []
    layer(tf.ones((1, 3)))
    assert [w.name for w in layer.weights] == ["kernel", "bias"]
    assert [tuple(w.shape) for w in layer.weights] == [(3, 4), (4,)]


def test_sequential_infers_shapes_on_first_call():
    model = keras.Sequential([SimpleDense(32, activation="relu"), SimpleDense(10)])
    assert model.weights == []
    assert tuple(model(tf.ones((5, 7))).shape) == (5, 10)
    assert [tuple(w.shape) for w in model.weights] == [(7, 32), (32,), (32, 10), (10,)]


def test_get_config_round_trips():
    layer = SimpleDense(8, activation="tanh", name="hidden")
    clone = SimpleDense.from_config(layer.get_config())
    assert (clone.units, clone.name) == (8, "hidden")
    assert clone.get_config()["activation"] == layer.get_config()["activation"]
    assert SimpleDense.from_config(SimpleDense(3).get_config()).activation is None


def test_saved_model_reloads_with_same_predictions(tmp_path):
    model = keras.Sequential([keras.Input((3,)), SimpleDense(2, activation="relu")])
    path = tmp_path / "m.keras"
    model.save(path)
    x = np.ones((1, 3), dtype="float32")
    np.testing.assert_allclose(keras.models.load_model(path)(x), model(x))


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: SimpleDense(0), ValueError, "Received: units=0"),
        (lambda: SimpleDense(-1), ValueError, "Received: units=-1"),
        (lambda: SimpleDense(2.5), TypeError, "Received: units=2.5"),
        (lambda: SimpleDense("8"), TypeError, "Received: units='8'"),
        (lambda: SimpleDense(2, activation="relux"), ValueError, "Received: activation='relux'"),
        (lambda: SimpleDense(2, activation=3), ValueError, "Received: activation=3"),
        (lambda: SimpleDense(2).build((None, None)), ValueError, r"input_shape=\(None, None\)"),
    ],
)
def test_bad_units_activations_and_input_shapes_say_what_was_received(call, error, message):
    with pytest.raises(error, match=message):
        call()


def teaching_simple_dense() -> type:
    """The short SimpleDense that page 3-6-1 defines and executes (its tagged cell)."""
    page = Path(__file__).resolve().parents[1] / "book" / "3-6-keras-api.md"
    cell = re.search(
        r"```\{code-cell\} ipython3\n:tags: \[teaching-simple-dense\]\n(.*?)```",
        page.read_text(encoding="utf-8"),
        re.DOTALL,
    )
    assert cell is not None, "page 3-6-1 has no cell tagged teaching-simple-dense"
    namespace: dict = {}
    exec(cell.group(1), namespace)
    return namespace["SimpleDense"]


@pytest.mark.parametrize("activation", [None, "relu", "tanh"])
def test_the_teaching_version_on_page_3_6_1_computes_what_the_library_layer_computes(activation):
    teaching = teaching_simple_dense()(units=5, activation=activation)
    library = SimpleDense(units=5, activation=activation)
    inputs = np.random.default_rng(0).normal(size=(4, 3)).astype("float32")
    weights = [
        np.arange(15, dtype="float32").reshape(3, 5) / 10 - 0.7,
        np.linspace(-1, 1, 5, dtype="float32"),
    ]
    for layer in (teaching, library):
        layer.build((None, 3))
        layer.set_weights(weights)
    np.testing.assert_allclose(teaching(inputs), library(inputs), rtol=1e-6)
