"""The public functions of :mod:`activations`, sorted by how they are called."""

import importlib
import pkgutil

import numpy as np

import activations

ELEMENTWISE = [
    "sigmoid", "sigmoid_grad", "tanh", "tanh_grad",
    "relu", "relu_grad", "leaky_relu", "leaky_relu_grad", "elu", "elu_grad",
    "softplus", "softplus_grad", "gelu", "gelu_grad", "silu", "silu_grad",
]
# Backward functions of elementwise activations, then those along an axis.
ELEMENTWISE_BACKWARD = [
    "sigmoid_backward", "tanh_backward", "relu_backward", "leaky_relu_backward",
    "elu_backward", "softplus_backward", "gelu_backward", "silu_backward",
]
AXIS_BACKWARD = ["softmax_backward", "log_softmax_backward"]
BACKWARD = ELEMENTWISE_BACKWARD + AXIS_BACKWARD
# GELU and SiLU cannot be inverted from their output: their backward passes
# take the input z as their second argument.
SECOND_ARGUMENT = {"gelu_backward": "z", "silu_backward": "z"}
ALONG_AXIS = ["softmax", "log_softmax", "softmax_jacobian"]

# Each elementwise function's limits at -inf and +inf, from its formula.
LIMITS = {
    "sigmoid": (0.0, 1.0), "sigmoid_grad": (0.0, 0.0),
    "tanh": (-1.0, 1.0), "tanh_grad": (0.0, 0.0),
    "relu": (0.0, np.inf), "relu_grad": (0.0, 1.0),
    "leaky_relu": (-np.inf, np.inf), "leaky_relu_grad": (0.01, 1.0),
    "elu": (-1.0, np.inf), "elu_grad": (0.0, 1.0),
    "softplus": (0.0, np.inf), "softplus_grad": (0.0, 1.0),
    "gelu": (0.0, np.inf), "gelu_grad": (0.0, 1.0),
    "silu": (0.0, np.inf), "silu_grad": (0.0, 1.0),
}
# Each elementwise backward pass, at the output its forward gives at -inf and
# +inf, with a gradient of 1: the limit of its derivative there.
BACKWARD_LIMITS = {
    "sigmoid_backward": (0.0, 0.0), "tanh_backward": (0.0, 0.0),
    "relu_backward": (0.0, 1.0), "leaky_relu_backward": (0.01, 1.0),
    "elu_backward": (0.0, 1.0), "softplus_backward": (0.0, 1.0),
    "gelu_backward": (0.0, 1.0), "silu_backward": (0.0, 1.0),
}


def public_modules() -> list:
    """:mod:`activations` and its public modules, whose names do not start with ``_``."""
    return [activations] + [
        importlib.import_module(f"activations.{info.name}")
        for info in pkgutil.iter_modules(activations.__path__)
        if not info.name.startswith("_")
    ]
