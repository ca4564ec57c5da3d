"""Activation functions and their derivatives, accurate in the tails.

Each activation comes with its derivative computed from the input (``*_grad``)
and a backward pass computed from the output (``*_backward``), as
backpropagation uses it.  All functions take array-likes and behave like NumPy
ufuncs.

Large arrays are worked on in cache-sized blocks, shared out between threads,
one per CPU the process may use; the environment variable
``ACTIVATIONS_NUM_THREADS`` sets their number (``1``: only the calling thread).
The results do not depend on it.
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
from .rectifiers import (
    elu,
    elu_backward,
    elu_grad,
    leaky_relu,
    leaky_relu_backward,
    leaky_relu_grad,
    relu,
    relu_backward,
    relu_grad,
)
from .smooth import (
    gelu,
    gelu_backward,
    gelu_grad,
    silu,
    silu_backward,
    silu_grad,
    softplus,
    softplus_backward,
    softplus_grad,
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
    "relu",
    "relu_grad",
    "relu_backward",
    "leaky_relu",
    "leaky_relu_grad",
    "leaky_relu_backward",
    "elu",
    "elu_grad",
    "elu_backward",
    "softplus",
    "softplus_grad",
    "softplus_backward",
    "gelu",
    "gelu_grad",
    "gelu_backward",
    "silu",
    "silu_grad",
    "silu_backward",
]
