"""Part I must start instantly: importing segcourse.classical never imports TensorFlow."""

from __future__ import annotations

import subprocess
import sys


def test_import_classical_does_not_import_tensorflow():
    code = (
        "import sys, segcourse.classical as c\n"
        "c.otsu_threshold(__import__('numpy').arange(16).reshape(4, 4))\n"
        "heavy = sorted(m for m in ('tensorflow', 'keras', 'tensorflow_datasets') if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == ""
