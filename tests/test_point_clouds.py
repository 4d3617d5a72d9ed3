import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ch3lib import make_point_clouds


def test_default_shapes_dtypes_and_labels():
    inputs, targets = make_point_clouds()
    assert inputs.shape == (2000, 2) and targets.shape == (2000, 1)
    assert inputs.dtype == np.float32 and targets.dtype == np.float32
    assert targets[:1000].sum() == 0 and targets[1000:].sum() == 1000


def test_class_statistics_match_the_book():
    inputs, _ = make_point_clouds(5000, seed=1)
    neg, pos = inputs[:5000], inputs[5000:]
    np.testing.assert_allclose(neg.mean(axis=0), [0, 3], atol=0.05)
    np.testing.assert_allclose(pos.mean(axis=0), [3, 0], atol=0.05)
    np.testing.assert_allclose(np.cov(neg.T), [[1, 0.5], [0.5, 1]], atol=0.06)


def test_same_seed_gives_identical_arrays_and_other_seed_differs():
    a, _ = make_point_clouds(50, seed=3)
    b, _ = make_point_clouds(50, seed=3)
    c, _ = make_point_clouds(50, seed=4)
    assert np.array_equal(a, b) and not np.array_equal(a, c)


@pytest.mark.parametrize(
    ("n", "seed", "error", "message"),
    [
        (0, None, ValueError, "Received: num_samples_per_class=0"),
        (-3, None, ValueError, "Received: num_samples_per_class=-3"),
        (2.0, None, TypeError, "Received: num_samples_per_class=2.0"),
        (True, None, TypeError, "expected a positive integer"),
        (3, -1, ValueError, "Received: seed=-1"),
    ],
)
def test_bad_counts_and_seeds_are_rejected(n, seed, error, message):
    with pytest.raises(error, match=message):
        make_point_clouds(n, seed=seed)


@settings(max_examples=40, deadline=None)
@given(
    n=st.one_of(st.integers(-5, 60), st.floats(), st.none(), st.text(max_size=2)),
    seed=st.one_of(st.integers(-3, 2**32), st.none()),
)
def test_property_only_documented_errors(n, seed):
    try:
        inputs, targets = make_point_clouds(n, seed=seed)
    except (TypeError, ValueError) as error:
        assert "Received" in str(error)
    else:
        assert inputs.shape == (2 * n, 2) and targets.shape == (2 * n, 1)
