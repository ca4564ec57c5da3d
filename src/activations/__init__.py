"""Activation functions and their derivatives, accurate in the tails.

Each activation comes with its derivative computed from the input (``*_grad``)
and a backward pass computed from the output (``*_backward``), as
backpropagation uses it.  All functions take array-likes and behave like NumPy
ufuncs:

* float16, float32 and float64 results keep their dtype; integers and bools
  give float64; Python scalars are weak, as in NumPy 2 (NEP 50).  Extended
  precision (``np.longdouble``) and masked arrays are refused with a
  ``TypeError`` naming the function: the accuracy is proved for the three
  IEEE formats only, and a masked array's hidden values would be computed on.
* ``out=`` takes an array or a tuple of one array, in any memory layout.
* Every elementwise function and derivative is within 8 ULP of the exact
  value wherever that is a normal float.
* Finite input never gives a warning, NaN or overflow: the package's own
  harmless underflows and overflows are silenced, whatever ``np.errstate``
  the caller set.  The caller's errstate still governs results that are
  genuinely invalid, such as ``inf * 0`` in a backward pass.

Large arrays are worked on in cache-sized blocks, shared out between threads,
one per CPU the process may use.  :func:`set_num_threads` and the context
manager :func:`num_threads` change their number (``1``: only the calling
thread), and :func:`get_num_threads` reads it; the environment variable
``ACTIVATIONS_NUM_THREADS``, read once when the package is imported, sets the
starting value (anything but a positive integer is an error at import).  The
results do not depend on it.
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
from ._blocks import get_num_threads, num_threads, set_num_threads
from . import backprop

__version__ = "0.1.0"

# The activation functions.  The thread controls above and the backprop module
# are imported by name.
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
