"""segcourse.env: quiet, seeded, deterministic, and the precision choice."""

import subprocess
import sys

import numpy as np
import pytest

from segcourse import env


def run_python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})


def test_import_segcourse_and_classical_do_not_import_tensorflow():
    out = run_python("import sys, segcourse, segcourse.classical, segcourse.grading, segcourse.widgets; "
                     "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_setup_with_tensorflow_is_silent_and_keeps_onednn():
    # A fresh process, with none of the variables set beforehand: setup() alone must silence TF.
    out = run_python(
        "from segcourse import env; r = env.setup(seed=3, precision='float32', verbose=False)\n"
        "import os, keras, numpy as np\n"
        "m = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(2, 3)])\n"
        "m.predict(np.zeros((1, 8, 8, 3)), verbose=0)\n"
        "from tensorflow.python.util import _pywrap_util_port as port\n"
        "print(os.environ.get('TF_ENABLE_ONEDNN_OPTS'), port.IsMklEnabled(), r.precision)"
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == "", f"TensorFlow wrote to stderr: {out.stderr[:500]}"
    assert out.stdout.split() == ["None", "True", "float32"]


def test_two_runs_print_the_same_numbers():
    code = ("from segcourse import env; env.setup(seed=7, verbose=False)\n"
            "import keras, numpy as np\n"
            "m = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])\n"
            "m.compile('sgd', 'mse'); h = m.fit(np.random.rand(32, 4), np.random.rand(32, 3), epochs=2, verbose=0)\n"
            "print(np.random.rand(), h.history['loss'])")
    first, second = run_python(code), run_python(code)
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout


def test_setup_seeds_numpy_global_generator():
    env.setup(seed=11, tensorflow=False, verbose=False)
    a = np.random.rand(3)
    env.setup(seed=11, tensorflow=False, verbose=False)
    assert np.array_equal(a, np.random.rand(3))


@pytest.mark.parametrize(
    ("request_", "flags", "expected"),
    [
        ("auto", {"avx512_bf16"}, "mixed_bfloat16"),
        ("auto", {"amx_bf16", "avx2"}, "mixed_bfloat16"),
        ("auto", {"avx2", "avx512f"}, "float32"),
        ("float32", {"avx512_bf16"}, "float32"),
        ("mixed_bfloat16", set(), "mixed_bfloat16"),
    ],
)
def test_choose_precision(request_, flags, expected):
    assert env.choose_precision(request_, flags=flags)[0] == expected


def test_cpu_flags_reads_the_flags_line(tmp_path):
    info = tmp_path / "cpuinfo"
    info.write_text("processor : 0\nflags : fpu sse2 avx512_bf16\n\nprocessor : 1\nflags : other\n")
    assert env.cpu_flags(info) == {"fpu", "sse2", "avx512_bf16"}
    assert env.cpu_flags(tmp_path / "missing") == set()


@pytest.mark.parametrize(("kwargs", "name"), [({"precision": "half"}, "precision"), ({"seed": -1}, "seed"),
                                             ({"seed": 1.5}, "seed")])
def test_bad_arguments_name_the_argument(kwargs, name):
    with pytest.raises(ValueError, match=name):
        env.setup(tensorflow="precision" in kwargs, verbose=False, **kwargs)
