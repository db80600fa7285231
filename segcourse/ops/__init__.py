"""Numpy references of the layers of Parts II–III, checked against TensorFlow in the tests.

Only numpy (and scipy) are imported here, never TensorFlow.
"""

from segcourse.ops.arithmetic import (
    RFRow,
    check_output_padding,
    conv_output_size,
    conv_transpose_output_size,
    effective_kernel_size,
    output_padding_for,
    receptive_field,
    receptive_field_footprint,
    receptive_field_table,
    same_padding,
    tf_transpose_output_range,
)
from segcourse.ops.bilinear import bilinear_kernel, bilinear_kernel_1d, bilinear_weights
from segcourse.ops.conv import (
    conv2d,
    conv2d_transpose,
    conv_matrix,
    conv_transpose_as_conv,
    conv_transpose_matrix,
    conv_transpose_stamps,
)
from segcourse.ops.pooling import (
    max_pool_with_argmax,
    max_unpool,
    unpool_bed_of_nails,
    unpool_nearest,
)

__all__ = [
    "RFRow",
    "bilinear_kernel",
    "bilinear_kernel_1d",
    "bilinear_weights",
    "check_output_padding",
    "conv2d",
    "conv2d_transpose",
    "conv_matrix",
    "conv_transpose_as_conv",
    "conv_output_size",
    "conv_transpose_matrix",
    "conv_transpose_output_size",
    "conv_transpose_stamps",
    "effective_kernel_size",
    "max_pool_with_argmax",
    "max_unpool",
    "output_padding_for",
    "receptive_field",
    "receptive_field_footprint",
    "receptive_field_table",
    "same_padding",
    "tf_transpose_output_range",
    "unpool_bed_of_nails",
    "unpool_nearest",
]
