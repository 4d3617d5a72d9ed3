import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ch3lib
from ch3lib import CompactLog, HistoryTable, make_binary_classifier, split_train_validation


def test_split_sizes_follow_int_fraction_and_keep_pairs_without_losing_any_and_it_is_seeded():
    x = np.arange(40).reshape(20, 2)
    y = np.arange(20).reshape(20, 1)
    assert [len(p) for p in split_train_validation(x, y, 0.3)] == [14, 14, 6, 6]
    s = split_train_validation(x, y, 0.25, seed=3)
    again = split_train_validation(x, y, 0.25, seed=3)
    assert all(np.array_equal(p, q) for p, q in zip(s, again, strict=True))
    for inputs, targets in [(s.train_inputs, s.train_targets), (s.val_inputs, s.val_targets)]:
        assert np.array_equal(inputs[:, 0], 2 * targets[:, 0])
    together = np.sort(np.concatenate([s.train_targets, s.val_targets])[:, 0])
    assert together.tolist() == list(range(20))


@pytest.mark.parametrize(
    ("fraction", "error"), [(0, ValueError), (1, ValueError), (1.5, ValueError), ("0.3", TypeError)]
)
def test_fraction_must_be_inside_zero_one(fraction, error):
    with pytest.raises(
        error, match=f"strictly between 0 and 1. Received: validation_fraction={fraction!r}"
    ):
        split_train_validation(np.zeros((10, 2)), np.zeros((10, 1)), fraction)


def test_split_errors_say_what_was_received():
    inputs = np.array([[1, 2], [3, 4], [5, 6]])  # the notes' example: no validation sample
    with pytest.raises(ValueError, match="gives 0 validation and 3 training samples"):
        split_train_validation(inputs, inputs, 0.3)
    with pytest.raises(ValueError, match=r"len\(inputs\)=4, len\(targets\)=3"):
        split_train_validation(np.zeros((4, 2)), np.zeros((3, 1)))
    with pytest.raises(ValueError, match="one row per sample"):
        split_train_validation(3.0, 1.0)


@settings(max_examples=50, deadline=None)
@given(
    n=st.integers(0, 30),
    m=st.integers(0, 30),
    fraction=st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1, 2)),
)
def test_property_split_never_loses_rows_or_raises_undocumented(n, m, fraction):
    x = np.arange(2 * n).reshape(n, 2)
    y = np.arange(m).reshape(m, 1)
    try:
        s = split_train_validation(x, y, fraction)
    except (TypeError, ValueError) as error:
        assert "Received" in str(error) or "Expected" in str(error)
    else:
        assert len(s.train_inputs) + len(s.val_inputs) == n == m
        assert len(s.train_inputs) > 0 and len(s.val_inputs) > 0


def test_binary_classifier_is_compiled_and_learns_the_clouds():
    ch3lib.set_seed(0)
    inputs, targets = ch3lib.make_point_clouds(200)
    model = make_binary_classifier(learning_rate=0.05)
    assert isinstance(model.optimizer, keras.optimizers.RMSprop)
    history = model.fit(inputs, targets, epochs=5, batch_size=32, verbose=0)
    assert history.history["binary_accuracy"][-1] > 0.9


def test_binary_classifier_hidden_layer_and_bad_arguments():
    model = make_binary_classifier(hidden_units=4)
    assert [tuple(w.shape) for w in model.weights] == [(2, 4), (4,), (4, 1), (1,)]
    with pytest.raises(ValueError, match="Received: learning_rate=-1"):
        make_binary_classifier(learning_rate=-1)
    with pytest.raises(ValueError, match="Received: hidden_units=-1"):
        make_binary_classifier(hidden_units=-1)


def test_compact_log_prints_plain_lines_and_rejects_bad_every(capsys):
    model = make_binary_classifier()
    x, y = ch3lib.make_point_clouds(20)
    model.fit(x, y, epochs=6, verbose=0, callbacks=[CompactLog(every=3)])
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert [line.split()[1] for line in lines] == ["1/6", "3/6", "6/6"]
    assert "\b" not in out and "\r" not in out and "━" not in out
    assert "loss" in lines[0] and "binary_accuracy" in lines[0]
    with pytest.raises(ValueError, match="Received: every=0"):
        CompactLog(every=0)


def test_history_table_text_html_and_errors():
    table = HistoryTable({"loss": [0.5, 0.25, 0.125], "val_loss": [0.6, 0.3, 0.2]}, rows=[1, 3])
    assert str(table).splitlines() == [
        "epoch    loss  val_loss",
        "    1  0.5000    0.6000",
        "    3  0.1250    0.2000",
    ]
    html = table._repr_html_()
    assert "<th>val_<wbr>loss</th>" in html and "<td>0.1250</td>" in html
    with pytest.raises(TypeError, match="Received: history of type list"):
        HistoryTable([1, 2])
    with pytest.raises(ValueError, match=r"Received lengths \[1, 2\]"):
        HistoryTable({"loss": [1.0], "val_loss": [1.0, 2.0]})
    with pytest.raises(ValueError, match="Received: rows=4"):
        HistoryTable({"loss": [1.0, 2.0]}, rows=[4])
