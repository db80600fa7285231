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

# Each module declares its public names once, in its own __all__; the package re-exports them.
from segcourse.classical import clustering as _clustering
from segcourse.classical import edges as _edges
from segcourse.classical import regions as _regions
from segcourse.classical import threshold as _threshold
from segcourse.classical import watershed as _watershed
from segcourse.classical.clustering import *  # noqa: F401,F403
from segcourse.classical.edges import *  # noqa: F401,F403
from segcourse.classical.regions import *  # noqa: F401,F403
from segcourse.classical.threshold import *  # noqa: F401,F403
from segcourse.classical.watershed import *  # noqa: F401,F403

__all__ = [*_threshold.__all__, *_clustering.__all__, *_regions.__all__, *_edges.__all__, *_watershed.__all__]
