"""Part I — classical segmentation in numpy, scipy and scikit-image (never TensorFlow).

Each function is a pure function on arrays, tested against an independent reference
(scikit-image or scipy) in ``tests/test_classical_*.py``.

* :mod:`~segcourse.classical.threshold` — histograms, valley / midpoint / Otsu / multi-Otsu /
  local thresholds
* :mod:`~segcourse.classical.clustering` — k-means on pixel features
* :mod:`~segcourse.classical.regions` — flood fill, region growing, filling drawn outlines
* :mod:`~segcourse.classical.edges` — correlation, Sobel, Laplacian, LoG, DoG, zero crossings
* :mod:`~segcourse.classical.watershed` — distance-transform markers, priority-flood watershed
"""

from segcourse.classical.clustering import (
    KMeansState,
    assign,
    color_features,
    color_position_features,
    inertia,
    kmeans,
    kmeans_history,
    kmeans_plusplus,
    kmeans_step,
    update_centers,
)
from segcourse.classical.edges import (
    convolve2d,
    correlate1d,
    correlate2d,
    dog,
    gaussian,
    gaussian_kernel1d,
    gradient_direction,
    gradient_magnitude,
    laplacian,
    log,
    sobel,
    zero_crossings,
)
from segcourse.classical.regions import (
    fill_outline,
    flood_fill,
    flood_fill_bfs,
    flood_fill_order,
    neighbour_offsets,
    region_grow,
    tolerance_mask,
)
from segcourse.classical.threshold import (
    ClassStatistics,
    apply_thresholds,
    class_statistics,
    histogram,
    local_threshold,
    midpoint_threshold,
    multi_otsu,
    multi_otsu_objective,
    otsu_threshold,
    otsu_variance,
    two_peaks,
    valley_threshold,
)
from segcourse.classical.watershed import (
    distance_markers,
    minima_markers,
    watershed,
    watershed_flooding,
)

__all__ = [
    # threshold
    "histogram",
    "two_peaks",
    "valley_threshold",
    "midpoint_threshold",
    "otsu_variance",
    "otsu_threshold",
    "ClassStatistics",
    "class_statistics",
    "multi_otsu",
    "multi_otsu_objective",
    "local_threshold",
    "apply_thresholds",
    # clustering
    "KMeansState",
    "kmeans_plusplus",
    "assign",
    "update_centers",
    "kmeans_step",
    "kmeans_history",
    "kmeans",
    "inertia",
    "color_features",
    "color_position_features",
    # regions
    "neighbour_offsets",
    "tolerance_mask",
    "flood_fill",
    "flood_fill_bfs",
    "flood_fill_order",
    "region_grow",
    "fill_outline",
    # edges
    "correlate1d",
    "correlate2d",
    "convolve2d",
    "sobel",
    "gradient_magnitude",
    "gradient_direction",
    "laplacian",
    "gaussian_kernel1d",
    "gaussian",
    "log",
    "dog",
    "zero_crossings",
    # watershed
    "distance_markers",
    "minima_markers",
    "watershed",
    "watershed_flooding",
]
