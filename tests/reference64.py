"""Each function of the package, in float64, by formulas that share no code with it.

The float16 and float32 sweeps need reference values at millions of points,
too many for mpmath.  These formulas, evaluated in float64 on float16 or
float32 inputs, are accurate to far better than an ULP of either:
``test_accuracy.py`` checks them against the mpmath values of
``reference/values.npz``.  They use SciPy's special functions and NumPy's
ufuncs directly, never the package.
"""

from __future__ import annotations

import numpy as np
import scipy.special as sc

_INV_SQRT_2PI = 0.3989422804014327


def sigmoid(z):
    return sc.expit(z)


def sigmoid_grad(z):
    return sc.expit(z) * sc.expit(-z)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    with np.errstate(over="ignore"):
        return 1.0 / np.cosh(z) ** 2


def logit(p):
    with np.errstate(divide="ignore"):
        return np.log(p) - np.log1p(-p)


def softplus(z):
    return np.logaddexp(0.0, z)


softplus_grad = sigmoid


def gelu(z):
    return z * sc.ndtr(z)


def gelu_grad(z):
    with np.errstate(under="ignore"):
        return sc.ndtr(z) + z * np.exp(-0.5 * z * z) * _INV_SQRT_2PI


def silu(z):
    return z * sc.expit(z)


def silu_grad(z):
    return sc.expit(z) * (1.0 + z * sc.expit(-z))


def relu(z):
    return np.maximum(z, 0.0)


def relu_grad(z):
    return (z > 0).astype(np.float64)


def leaky_relu(z, negative_slope=0.01):
    return np.where(z > 0, z, negative_slope * z)


def leaky_relu_grad(z, negative_slope=0.01):
    return np.where(z > 0, 1.0, negative_slope)


def elu(z, alpha=1.0):
    return np.where(z > 0, z, alpha * np.expm1(np.minimum(z, 0.0)))


def elu_grad(z, alpha=1.0):
    with np.errstate(under="ignore"):
        return np.where(z > 0, 1.0, alpha * np.exp(np.minimum(z, 0.0)))


# The derivative of each activation from its output y, as its backward pass
# multiplies it with the incoming gradient.
FROM_OUTPUT = {
    "sigmoid_backward": lambda y: y * (1.0 - y),
    "tanh_backward": lambda y: 1.0 - y * y,
    "relu_backward": lambda y: (y > 0).astype(np.float64),
    "leaky_relu_backward": lambda y, negative_slope=0.01: np.where(y > 0, 1.0, negative_slope),
    "elu_backward": lambda y, alpha=1.0: np.where(y > 0, 1.0, y + alpha),
    "softplus_backward": lambda y: -np.expm1(-y),
}
# GELU and SiLU take the input z instead.
FROM_INPUT = {"gelu_backward": gelu_grad, "silu_backward": silu_grad}
