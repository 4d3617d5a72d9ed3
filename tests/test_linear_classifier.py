import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st

import ch3lib
from ch3lib import LinearClassifier, make_point_clouds, square_loss


def test_initial_weights_uniform_in_unit_interval_and_zero_bias():
    clf = LinearClassifier(seed=5)
    w = clf.W.numpy()
    assert w.shape == (2, 1) and np.all((w >= 0) & (w < 1))
    assert clf.b.numpy().tolist() == [0.0]
    assert isinstance(clf.W, tf.Variable) and isinstance(clf.b, tf.Variable)


def test_affine_model_with_known_weights():
    clf = LinearClassifier()
    clf.W.assign([[2.0], [-1.0]])
    clf.b.assign([0.5])
    np.testing.assert_allclose(clf([[1.0, 1.0], [0.0, 2.0]]).numpy(), [[1.5], [-1.5]])


def test_square_loss_by_hand_and_shape_check():
    assert float(square_loss([[1.0], [0.0]], [[0.0], [0.0]])) == 0.5
    with pytest.raises(ValueError, match=r"targets.shape=\(2, 1\), predictions.shape=\(2,\)"):
        square_loss([[1.0], [0.0]], [0.0, 0.0])


def test_one_training_step_matches_the_hand_computed_update():
    clf = LinearClassifier()
    clf.W.assign([[0.0], [0.0]])
    x = tf.constant([[1.0, 0.0]])
    y = tf.constant([[1.0]])
    loss = clf.training_step(x, y, learning_rate=0.5)
    # loss = (1 - 0)^2 = 1; dL/dW = -2 * x^T (y - p) = [[-2], [0]]; dL/db = -2
    assert float(loss) == 1.0
    np.testing.assert_allclose(clf.W.numpy(), [[1.0], [0.0]])
    np.testing.assert_allclose(clf.b.numpy(), [1.0])


def test_forty_steps_settle_where_the_notes_say():
    ch3lib.set_seed(42)
    inputs, targets = make_point_clouds()
    losses = LinearClassifier().fit(inputs, targets, steps=40, learning_rate=0.1)
    assert len(losses) == 40
    assert losses[39] == pytest.approx(0.03, abs=0.006)
    assert losses[39] < losses[0]


def test_decision_line_separates_the_trained_classes():
    inputs, targets = make_point_clouds(500, seed=2)
    clf = LinearClassifier(seed=0)
    clf.fit(inputs, targets, steps=40)
    line_y = clf.decision_line(inputs[:, 0])
    predicted_one = clf(inputs).numpy()[:, 0] > 0.5
    w2 = float(clf.W.numpy()[1, 0])
    below = inputs[:, 1] < line_y
    assert np.array_equal(predicted_one, below if w2 < 0 else ~below)
    assert (predicted_one == targets[:, 0].astype(bool)).mean() > 0.95


def test_decision_line_needs_a_2d_classifier_and_nonzero_w2():
    with pytest.raises(ValueError, match="Received: input_dim=3, output_dim=1"):
        LinearClassifier(input_dim=3).decision_line([0.0])
    clf = LinearClassifier()
    clf.W.assign([[1.0], [0.0]])
    with pytest.raises(ValueError, match="non-zero weight w2"):
        clf.decision_line([0.0])


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"input_dim": 0}, ValueError, "Received: input_dim=0"),
        ({"output_dim": "1"}, TypeError, "Received: output_dim='1'"),
        ({"seed": -2}, ValueError, "Received: seed=-2"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        LinearClassifier(**kwargs)


def test_fit_rejects_mismatched_lengths_and_shapes_and_leaves_the_weights_untouched():
    clf = LinearClassifier(seed=0)
    before = clf.W.numpy().copy()
    with pytest.raises(ValueError, match=r"len\(inputs\)=3, len\(targets\)=2"):
        clf.fit(np.zeros((3, 2)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"Expected `inputs` to have shape \(n, 2\)"):
        clf.fit(np.zeros((3, 3)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="Received: learning_rate=0"):
        clf.fit(np.zeros((3, 2)), np.zeros((3, 1)), learning_rate=0)
    with pytest.raises(ValueError, match="finite numbers"):
        clf.fit(np.full((3, 2), np.nan), np.zeros((3, 1)))
    assert np.array_equal(clf.W.numpy(), before)


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(0, 6),
    cols=st.integers(1, 3),
    steps=st.one_of(st.integers(-2, 3), st.floats(allow_nan=True)),
    lr=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1, 1)),
)
def test_property_fit_raises_only_documented_errors(n, cols, steps, lr):
    clf = LinearClassifier(seed=0)
    try:
        losses = clf.fit(np.ones((n, cols)), np.ones((n, 1)), steps=steps, learning_rate=lr)
    except (TypeError, ValueError) as error:
        assert "Received" in str(error) or "Expected" in str(error)
    else:
        assert len(losses) == steps
