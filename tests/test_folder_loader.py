"""segcourse.data.folder: the three naming layouts, value fidelity, and errors that name the file."""

import numpy as np
import pytest
from PIL import Image

from segcourse.data import folder
from segcourse.data.folder import FolderError


def rgb(seed, h=12, w=10):
    return np.random.default_rng(seed).integers(0, 256, (h, w, 3), dtype=np.uint8)


def labels(seed, h=12, w=10, k=3):
    return np.random.default_rng(seed + 100).integers(0, k, (h, w), dtype=np.uint8)


def write(path, array, mode=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    im = Image.fromarray(array) if mode is None else Image.fromarray(array).convert(mode)
    im.save(path)
    return path


def test_same_stems_png(tmp_path):
    for i in range(3):
        write(tmp_path / "images" / f"img{i}.png", rgb(i))
        write(tmp_path / "masks" / f"img{i}.png", labels(i))
    x, y = folder.load_folder(tmp_path, num_classes=3)
    assert x.shape == (3, 12, 10, 3) and y.shape == (3, 12, 10)
    assert np.array_equal(x[1], rgb(1) / np.float32(255)) and np.array_equal(y[2], labels(2))


def test_carvana_jpg_with_gif_masks(tmp_path):
    (tmp_path / "train_masks").mkdir()
    for name in ("0cdf5b5d0ce1_01", "0cdf5b5d0ce1_02"):
        write(tmp_path / "train" / f"{name}.jpg", rgb(1))
        mask = Image.fromarray(labels(1, k=2)).convert("P")  # a palette GIF holding 0/1, like Carvana's
        mask.save(tmp_path / "train_masks" / f"{name}_mask.gif")
    pairs = folder.find_pairs(tmp_path, images="train", masks="train_masks")
    assert [(a.name, b.name) for a, b in pairs] == [("0cdf5b5d0ce1_01.jpg", "0cdf5b5d0ce1_01_mask.gif"),
                                                     ("0cdf5b5d0ce1_02.jpg", "0cdf5b5d0ce1_02_mask.gif")]
    _, y = folder.load_folder(tmp_path, images="train", masks="train_masks", num_classes=2)
    assert np.array_equal(y[0], labels(1, k=2))


def test_kaggle_nerve_tif_pairs_in_one_folder_with_0_255_masks(tmp_path):
    grey = np.random.default_rng(0).integers(0, 256, (12, 10), dtype=np.uint8)
    write(tmp_path / "1_1.tif", grey)
    write(tmp_path / "1_1_mask.tif", (labels(0, k=2) * 255).astype(np.uint8))
    write(tmp_path / "1_2.tif", grey)
    write(tmp_path / "1_2_mask.tif", np.zeros((12, 10), np.uint8))
    x, y = folder.load_folder(tmp_path, num_classes=2)
    assert x.shape == (2, 12, 10, 1)
    assert np.array_equal(y[0], labels(0, k=2)) and not y[1].any()


def test_resize_is_bilinear_for_images_and_nearest_for_masks(tmp_path):
    write(tmp_path / "images" / "a.png", rgb(3, 40, 30))
    write(tmp_path / "masks" / "a.png", labels(3, 40, 30, k=4))
    x, y = folder.load_folder(tmp_path, size=(20, 16), num_classes=4)
    assert x.shape == (1, 20, 16, 3) and y.shape == (1, 20, 16)
    assert set(np.unique(y).tolist()) <= set(range(4))
    ref = np.asarray(Image.fromarray(labels(3, 40, 30, k=4)).resize((16, 20), Image.NEAREST))
    assert np.array_equal(y[0], ref)


def test_missing_mask_names_the_image(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0))
    write(tmp_path / "images" / "dog.png", rgb(1))
    write(tmp_path / "masks" / "cat.png", labels(0))
    with pytest.raises(FolderError, match=r"dog\.png: no mask found"):
        folder.find_pairs(tmp_path)


def test_orphan_mask_names_the_mask(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0))
    write(tmp_path / "masks" / "cat.png", labels(0))
    write(tmp_path / "masks" / "cow_mask.png", labels(0))
    with pytest.raises(FolderError, match=r"cow_mask\.png: mask without an image"):
        folder.find_pairs(tmp_path)


def test_two_candidate_masks(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0))
    write(tmp_path / "masks" / "cat.png", labels(0))
    write(tmp_path / "masks" / "cat_mask.png", labels(0))
    with pytest.raises(FolderError, match=r"cat\.png: more than one mask"):
        folder.find_pairs(tmp_path)


def test_size_mismatch_names_both_files(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0, 12, 10))
    write(tmp_path / "masks" / "cat_mask.png", labels(0, 12, 11))
    with pytest.raises(FolderError, match=r"cat_mask\.png: size 11x12 .* cat\.png of size 10x12"):
        folder.load_folder(tmp_path)


def test_label_out_of_range_names_file_and_values(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0))
    write(tmp_path / "masks" / "cat.png", labels(0, k=5))
    with pytest.raises(FolderError, match=r"cat\.png: label value\(s\) 3, 4 outside 0\.\.2"):
        folder.load_folder(tmp_path, num_classes=3)


def test_colour_masks_are_rejected(tmp_path):
    write(tmp_path / "images" / "cat.png", rgb(0))
    write(tmp_path / "masks" / "cat.png", rgb(1))
    with pytest.raises(FolderError, match=r"cat\.png: expected a single-channel label mask"):
        folder.load_folder(tmp_path)


def test_mixed_sizes_need_size(tmp_path):
    write(tmp_path / "images" / "a.png", rgb(0, 12, 10))
    write(tmp_path / "masks" / "a.png", labels(0, 12, 10))
    write(tmp_path / "images" / "b.png", rgb(1, 14, 10))
    write(tmp_path / "masks" / "b.png", labels(1, 14, 10))
    with pytest.raises(FolderError, match=r"b\.png: shape .* pass size="):
        folder.load_folder(tmp_path)
    x, _ = folder.load_folder(tmp_path, size=8)
    assert x.shape == (2, 8, 8, 3)


def test_unreadable_and_missing(tmp_path):
    with pytest.raises(FolderError, match="does not exist"):
        folder.find_pairs(tmp_path / "nope")
    (tmp_path / "images").mkdir()
    (tmp_path / "masks").mkdir()
    (tmp_path / "images" / "a.png").write_bytes(b"not a png")
    write(tmp_path / "masks" / "a.png", labels(0))
    with pytest.raises(FolderError, match=r"a\.png: cannot be read"):
        folder.load_folder(tmp_path)
