import pytest
import tensorflow as tf

from ch3lib import falling_object, gradient, second_derivative


@pytest.mark.parametrize("x", [tf.Variable(3.0), tf.constant(3.0)], ids=["variable", "constant"])
def test_gradient_of_square_at_three_on_a_variable_or_a_watched_constant(x):
    assert float(gradient(tf.square, x)) == 6.0


def test_gradient_accepts_python_floats_and_keeps_shape():
    grad = gradient(lambda x: tf.reduce_sum(x**2), [[1.0, 2.0], [3.0, 4.0]])
    assert grad.numpy().tolist() == [[2.0, 4.0], [6.0, 8.0]]


def test_gradient_of_a_constant_function_is_zero_not_none():
    assert float(gradient(lambda x: tf.constant(1.0), 3.0)) == 0.0


INTEGER = r"floating-point dtype.*Write 3.0, not 3.*dtype=int32"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: gradient(tf.square, 3), INTEGER),
        (lambda: gradient(tf.square, tf.constant(3)), INTEGER),
        (lambda: gradient(tf.square, tf.Variable(3)), INTEGER),
        (lambda: second_derivative(tf.square, 2), "dtype=int32"),
        (lambda: gradient(tf.square, object()), "Received: x of type object"),
        (lambda: gradient(3, 1.0), "Expected `fn` to be callable. Received: fn of type int"),
        (lambda: second_derivative(None, 1.0), "callable"),
        (lambda: falling_object("1"), "Received: time='1'"),
    ],
)
def test_integers_non_numbers_and_non_functions_are_type_errors_saying_so(call, message):
    with pytest.raises(TypeError, match=message):
        call()


def test_second_derivative_is_not_the_square_of_the_gradient():
    # d/dx x^3 = 3x^2 = 12 at 2; its square would be 144, the second derivative is 6x = 12.
    assert float(second_derivative(lambda t: t**3, 2.0)) == pytest.approx(12.0)
    assert float(second_derivative(lambda t: t**3, 1.0)) == pytest.approx(6.0)


@pytest.mark.parametrize("t", [0.0, 1.0, 2.5])
def test_falling_object_speed_and_acceleration(t):
    motion = falling_object(t)
    assert motion.position == pytest.approx(4.9 * t * t, rel=1e-6)
    assert motion.speed == pytest.approx(9.8 * t, rel=1e-6)
    assert motion.acceleration == pytest.approx(9.8, rel=1e-6)
