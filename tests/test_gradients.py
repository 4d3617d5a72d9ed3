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


@pytest.mark.parametrize("x", [3, tf.constant(3), tf.Variable(3)])
def test_integer_inputs_are_a_clear_error(x):
    with pytest.raises(TypeError, match=r"floating-point dtype.*Write 3.0, not 3.*dtype=int32"):
        gradient(tf.square, x)


def test_non_numeric_input_is_a_type_error():
    with pytest.raises(TypeError, match="Received: x of type object"):
        gradient(tf.square, object())


def test_fn_must_be_callable():
    with pytest.raises(TypeError, match="Expected `fn` to be callable. Received: fn of type int"):
        gradient(3, 1.0)
    with pytest.raises(TypeError, match="callable"):
        second_derivative(None, 1.0)


def test_second_derivative_is_not_the_square_of_the_gradient_and_rejects_integers():
    # d/dx x^3 = 3x^2 = 12 at 2; its square would be 144, the second derivative is 6x = 12.
    assert float(second_derivative(lambda t: t**3, 2.0)) == pytest.approx(12.0)
    assert float(second_derivative(lambda t: t**3, 1.0)) == pytest.approx(6.0)
    with pytest.raises(TypeError, match="dtype=int32"):
        second_derivative(tf.square, 2)


@pytest.mark.parametrize("t", [0.0, 1.0, 2.5])
def test_falling_object_speed_and_acceleration(t):
    motion = falling_object(t)
    assert motion.position == pytest.approx(4.9 * t * t, rel=1e-6)
    assert motion.speed == pytest.approx(9.8 * t, rel=1e-6)
    assert motion.acceleration == pytest.approx(9.8, rel=1e-6)


def test_falling_object_rejects_non_numbers():
    with pytest.raises(TypeError, match="Received: time='1'"):
        falling_object("1")
