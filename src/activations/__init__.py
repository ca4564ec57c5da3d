"""Activation functions and their derivatives, accurate in the tails.

Each activation comes with its derivative computed from the input (``*_grad``)
and a backward pass computed from the output (``*_backward``), as
backpropagation uses it.  All functions take array-likes and behave like NumPy
ufuncs.
"""

from .hyperbolic import tanh, tanh_backward, tanh_grad
from .logistic import logit, sigmoid, sigmoid_backward, sigmoid_grad
from .categorical import (
    log_softmax,
    log_softmax_backward,
    softmax,
    softmax_backward,
    softmax_jacobian,
)
from . import backprop

__version__ = "0.1.0"

__all__ = [
    "sigmoid",
    "logit",
    "sigmoid_grad",
    "sigmoid_backward",
    "tanh",
    "tanh_grad",
    "tanh_backward",
    "softmax",
    "log_softmax",
    "softmax_jacobian",
    "softmax_backward",
    "log_softmax_backward",
]
