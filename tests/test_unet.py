"""segcourse.models (registry) and the U-Net: size arithmetic vs Keras, parameters, round trip, tiling."""

import numpy as np
import pytest

import keras

import segcourse.layers  # noqa: F401  (registers the custom layers for load_model)
from segcourse import models
from segcourse.models import unet


def test_paper_network_has_31_million_parameters_and_maps_572_to_388():
    model = models.build("unet", (572, 572, 1), 2, padding="valid", depth=4, base_filters=64)
    assert model.count_params() == 31_030_658
    assert model.output_shape == (None, 388, 388, 2)
    # the skip crops, read off the built graph: encoder map minus upsampled map, per side
    crops = []
    for i in reversed(range(1, 5)):
        concat = model.get_layer(f"dec{i}_concat")
        up, skip = (t.shape for t in concat.input)
        crops.append((skip[1] - up[1]) // 2)
    assert crops == [4, 16, 40, 88] == unet.crop_per_side(572)


def test_valid_sizes_are_16m_plus_124_and_output_is_n_minus_184():
    sizes = unet.valid_input_sizes(1, 1200)
    assert sizes == [16 * m + 124 for m in range(4, 68)]
    assert all(unet.output_size(n) == n - 184 for n in sizes)
    assert unet.level_sizes(572)["encoder"] == [568, 280, 136, 64]


@pytest.mark.parametrize("depth, n", [(1, 20), (2, 44), (2, 60), (3, 92), (4, 188)])
def test_size_arithmetic_matches_keras(depth, n):
    model = unet.build_unet((n, n, 1), 2, padding="valid", depth=depth, base_filters=2)
    assert model.output_shape[1:3] == (unet.output_size(n, depth),) * 2


def test_invalid_valid_size_names_the_nearest_sizes():
    with pytest.raises(ValueError, match=r"570 .*556 or 572"):
        models.build("unet", (570, 570, 1), 2, padding="valid")
    assert unet.nearest_valid_sizes(290) == (284, 300) and unet.nearest_valid_sizes(300) == (300, 300)


def test_same_padding_keeps_size_and_checks_divisibility():
    model = models.build("unet", (48, 64, 3), 4, depth=3, base_filters=4)
    assert model.output_shape == (None, 48, 64, 4)
    with pytest.raises(ValueError, match=r"divisible by 16.*96 or 112"):
        models.build("unet", (100, 100, 3), 2)


def test_fully_convolutional_with_unknown_size():
    model = models.build("unet", (None, None, 1), 2, padding="valid", depth=2, base_filters=2)
    out = model(np.zeros((1, 60, 60, 1), np.float32))
    assert out.shape == (1, unet.output_size(60, 2), unet.output_size(60, 2), 2)


def test_no_lambda_layers_and_logits_are_linear_float32():
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    try:
        model = models.build("unet", (32, 32, 3), 3, depth=2, base_filters=4, batch_norm=True)
    finally:
        keras.mixed_precision.set_dtype_policy("float32")
    assert not any(isinstance(layer, keras.layers.Lambda) for layer in model.layers)
    logits = model.get_layer("logits")
    assert logits.activation is keras.activations.linear and logits.compute_dtype == "float32"
    assert model.output.dtype == "float32"
    assert model.get_layer("enc1_conv1").compute_dtype == "bfloat16"
    assert all(layer.momentum == 0.9 for layer in model.layers if isinstance(layer, keras.layers.BatchNormalization))


@pytest.mark.parametrize("padding, size", [("same", 32), ("valid", 44)])
def test_keras_round_trip(tmp_path, padding, size):
    model = models.build("unet", (size, size, 2), 3, padding=padding, depth=2, base_filters=4, batch_norm=True)
    x = np.random.default_rng(0).random((2, size, size, 2)).astype(np.float32)
    path = tmp_path / "unet.keras"
    model.save(path)
    again = keras.saving.load_model(path, safe_mode=True)
    assert np.array_equal(np.asarray(model(x)), np.asarray(again(x)))


def test_overlap_tile_prediction_equals_one_pass_over_the_mirrored_image():
    # depth 2: 44 -> 4, and 4 is a multiple of 2**2, so the tiles keep the pooling grid and the
    # stitched tiles must equal one pass over the whole mirror-padded image
    tile = models.build("unet", (44, 44, 1), 2, padding="valid", depth=2, base_filters=2)
    whole = models.build("unet", (None, None, 1), 2, padding="valid", depth=2, base_filters=2)
    whole.set_weights(tile.get_weights())
    image = np.random.default_rng(1).random((18, 13, 1)).astype(np.float32)
    tiled = unet.overlap_tile_predict(tile, image, batch_size=7)
    (t, b), (left, r), ty, tx = unet.tile_padding(18, 13, 44, 4)
    assert (ty, tx) == (5, 4) and t == left == 20 and (b, r) == (22, 23)
    padded = np.pad(image, ((t, b), (left, r), (0, 0)), mode="reflect")
    direct = np.asarray(whole(padded[None]))[0, :18, :13]
    assert tiled.shape == (18, 13, 2)
    np.testing.assert_allclose(tiled, direct, rtol=1e-5, atol=1e-5)


def test_depth4_tiles_are_not_pooling_aligned():
    # output sizes of the paper's network are 4 (mod 16): consecutive tiles shift the 2x2 pooling
    # grids by a non-multiple of 16, so tiling is not the same as one pass (a fact, not a bug)
    assert {unet.output_size(n) % 16 for n in unet.valid_input_sizes(1, 1200)} == {4}


def test_registry():
    assert "unet" in models.available()
    with pytest.raises(ValueError, match="name: expected one of"):
        models.build("unet3000", (32, 32, 3), 2)
    with pytest.raises(ValueError, match="already registered"):
        models.register("unet")(lambda input_shape, num_classes: None)
    with pytest.raises(ValueError, match="num_classes"):
        models.build("unet", (32, 32, 3), 0)
    with pytest.raises(ValueError, match="input_shape"):
        models.build("unet", (32, 32), 2)
    with pytest.raises(ValueError, match="padding"):
        models.build("unet", (32, 32, 3), 2, padding="reflect")
