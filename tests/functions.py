"""The public functions of :mod:`activations`, sorted by how they are called."""

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
