"""The real Oxford-IIIT Pet data set through tensorflow-datasets, with a fast offline failure.

``load(split, size)`` returns a ``tf.data.Dataset`` of ``(image, mask)`` pairs: images float32
in [0, 1] resized bilinearly to ``size x size``, masks int32 ``size x size`` resized with
**nearest neighbour** (a bilinear resize invents labels such as 1.5 along every outline).
The trimap labels 1 (pet), 2 (background), 3 (not classified, the outline band) are shifted to
0, 1, 2 — the same labels as :func:`segcourse.data.synthetic.make("pets", ...)`.

The data (about 800 MB) must be on disk, or downloadable. tensorflow-datasets retries an
unreachable host for several minutes before giving up, so :func:`load` checks first and, when
the data is neither prepared nor manually supplied nor reachable, raises
:class:`DataUnavailableError` within a few seconds, saying how to supply the files by hand.

Examples
--------
>>> ds = load("train", size=128, data_dir="~/tensorflow_datasets")  # doctest: +SKIP
>>> image, mask = next(iter(ds))                                     # doctest: +SKIP
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

__all__ = ["load", "preprocess", "check_available", "manual_dir", "DataUnavailableError", "URLS", "NAME"]

NAME = "oxford_iiit_pet"
HOST = "thor.robots.ox.ac.uk"
URLS = {
    "images.tar.gz": "https://thor.robots.ox.ac.uk/~vgg/data/pets/images.tar.gz",
    "annotations.tar.gz": "https://thor.robots.ox.ac.uk/~vgg/data/pets/annotations.tar.gz",
}
CLASS_NAMES = ("pet", "background", "border")


class DataUnavailableError(RuntimeError):
    """The data set is not on disk and cannot be downloaded from here."""


def _default_data_dir() -> Path:
    return Path(os.environ.get("TFDS_DATA_DIR", "~/tensorflow_datasets")).expanduser()


def manual_dir(data_dir: str | os.PathLike | None = None) -> Path:
    """Where tensorflow-datasets looks for manually downloaded archives: ``<data_dir>/downloads/manual``.

    Examples
    --------
    >>> manual_dir("/data").as_posix()
    '/data/downloads/manual'
    """
    root = _default_data_dir() if data_dir is None else Path(data_dir).expanduser()
    return root / "downloads" / "manual"


def _reachable(host: str, port: int = 443, timeout: float = 3.0) -> bool:
    """Can we open a TCP connection to ``host`` within ``timeout`` seconds (DNS included)?

    Name resolution can block far longer than a socket timeout when there is no network, so
    the whole attempt runs in a daemon thread that we stop waiting for.
    """
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(timeout)
    return bool(result and result[0])


def _instructions(data_dir: Path) -> str:
    manual = manual_dir(data_dir)
    lines = [
        f"The Oxford-IIIT Pet data set is not in {data_dir} and {HOST} cannot be reached from here.",
        "Supply it by hand (about 800 MB), then call load() again:",
        "  1. On a machine with a network, download the two archives:",
        *(f"       {url}" for url in URLS.values()),
        f"  2. Copy them, unchanged and without unpacking, into {manual}/",
        f"     (so that {manual / 'images.tar.gz'} exists);",
        "     tensorflow-datasets verifies their checksums and prepares the data from them.",
        "  Or run `tfds build oxford_iiit_pet --data_dir DIR` on a networked machine and copy DIR",
        "  here, passing data_dir=DIR.",
        "Everything else in segcourse works offline: segcourse.data.synthetic.make('pets', ...)",
        "generates data in the same label format.",
    ]
    return "\n".join(lines)


def check_available(data_dir: str | os.PathLike | None = None, timeout: float = 3.0) -> str:
    """Say how the data will be obtained: ``"prepared"``, ``"manual"`` or ``"download"``.

    Raises :class:`DataUnavailableError` (with instructions) within about ``timeout`` seconds
    when none of them is possible. Does not import TensorFlow.

    Examples
    --------
    >>> check_available("/nonexistent", timeout=0.1)  # doctest: +SKIP
    Traceback (most recent call last):
    DataUnavailableError: The Oxford-IIIT Pet data set is not in /nonexistent ...
    """
    root = _default_data_dir() if data_dir is None else Path(data_dir).expanduser()
    prepared = root / NAME
    if prepared.is_dir() and any(prepared.glob("*/dataset_info.json")):
        return "prepared"
    manual = manual_dir(root)
    if all((manual / name).is_file() for name in URLS):
        return "manual"
    if _reachable(HOST, timeout=timeout):
        return "download"
    raise DataUnavailableError(_instructions(root))


def preprocess(example: dict, size: int = 128):
    """Map one tfds example to ``(image float32 [0,1] (size, size, 3), mask int32 (size, size))``.

    Image: bilinear resize (antialiased when shrinking). Mask: nearest-neighbour resize, then
    labels 1, 2, 3 become 0, 1, 2.
    """
    import tensorflow as tf

    image = tf.image.resize(tf.cast(example["image"], tf.float32) / 255.0, (size, size),
                            method="bilinear", antialias=True)
    image = tf.clip_by_value(image, 0.0, 1.0)
    mask = tf.image.resize(example["segmentation_mask"], (size, size), method="nearest")
    mask = tf.cast(mask[..., 0], tf.int32) - 1
    return image, mask


def load(split: str = "train", size: int = 128, data_dir: str | os.PathLike | None = None,
         download: bool = True, timeout: float = 3.0, shuffle_files: bool = False):
    """Oxford-IIIT Pet as ``tf.data.Dataset`` of ``(image, mask)`` (see the module docstring).

    Parameters
    ----------
    split : str
        A tfds split: ``"train"`` (3680 images), ``"test"`` (3669), or a slice like ``"train[:10%]"``.
    size : int
        Output height and width.
    data_dir : path, optional
        tfds data directory (default ``$TFDS_DATA_DIR`` or ``~/tensorflow_datasets``).
    download : bool
        ``False``: only read data that is already prepared (no checks, no network).
    timeout : float
        Seconds allowed for the reachability check.
    """
    if not isinstance(size, int) or isinstance(size, bool) or size < 8:
        raise ValueError(f"size: expected an int >= 8, got {size!r}")
    root = _default_data_dir() if data_dir is None else Path(data_dir).expanduser()
    if download:
        check_available(root, timeout=timeout)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import tensorflow as tf
    import tensorflow_datasets as tfds

    ds = tfds.load(NAME, split=split, data_dir=str(root), download=download, shuffle_files=shuffle_files)
    return ds.map(lambda ex: preprocess(ex, size), num_parallel_calls=tf.data.AUTOTUNE)
