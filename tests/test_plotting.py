import numpy as np
import pytest
from matplotlib.figure import Figure

from ch3lib import plot_history, plot_losses, plot_point_clouds, plot_predictions
from ch3lib.plotting import CLASS_COLORS


def _is_ascii(fig):
    texts = [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]
    return all(t.isascii() for t in texts)


def test_point_clouds_figure_colours_each_class():
    fig = plot_point_clouds([[0, 3], [1, 2], [3, 0]], [[0], [0], [1]])
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    sizes = [len(c.get_offsets()) for c in ax.collections]
    assert sizes == [2, 1]
    assert [c.get_label() for c in ax.collections] == ["class 0", "class 1"]
    assert _is_ascii(fig)


def test_predictions_are_coloured_by_threshold_and_a_decision_line_is_drawn_in_red():
    fig = plot_predictions([[0, 0], [1, 1], [2, 2]], [[0.2], [0.7], [0.51]])
    assert [len(c.get_offsets()) for c in fig.axes[0].collections] == [1, 2]
    assert len(fig.axes[0].lines) == 0
    fig = plot_predictions([[0, 0]], [[0.2]], line=(np.array([0, 1]), np.array([1, 0])))
    (line,) = fig.axes[0].lines
    assert line.get_color() in ("r", "red") and line.get_xdata().tolist() == [0, 1]
    assert _is_ascii(fig)


def test_losses_and_history_figures():
    assert len(plot_losses([0.3, 0.2, 0.1]).axes[0].lines) == 1
    fig = plot_history({"loss": [0.4, 0.2], "val_loss": [0.5, 0.3]})
    assert len(fig.axes[0].lines) == 2
    assert fig.axes[0].lines[0].get_color() == CLASS_COLORS[0]
    assert _is_ascii(fig)


def test_shape_errors_say_what_was_received():
    with pytest.raises(ValueError, match=r"Received: inputs.shape=\(2, 3\)"):
        plot_point_clouds(np.zeros((2, 3)), np.zeros((2, 1)))
    with pytest.raises(ValueError, match=r"one row per point \(2\). Received: len\(targets\)=1"):
        plot_point_clouds(np.zeros((2, 2)), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="non-empty"):
        plot_losses([])
    with pytest.raises(KeyError, match="Received keys: \\['loss'\\]"):
        plot_history({"loss": [1.0]})
    with pytest.raises(TypeError, match="2-D array of numbers"):
        plot_point_clouds([["a", "b"]], [[0]])
