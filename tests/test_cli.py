"""The ``segcourse`` command."""

import subprocess
import sys
from pathlib import Path

from segcourse.cli import SUBCOMMANDS


def run(*args):
    return subprocess.run([sys.executable, "-m", "segcourse.cli", *args], capture_output=True, text=True,
                          timeout=120, cwd=Path(__file__).resolve().parents[1])


def test_help_lists_every_subcommand():
    out = run("--help")
    assert out.returncode == 0
    for name in SUBCOMMANDS:
        assert name in out.stdout


def test_unknown_command_is_a_clear_error():
    out = run("frobnicate")
    assert out.returncode == 2 and "unknown command 'frobnicate'" in out.stdout


def test_help_does_not_import_tensorflow():
    out = subprocess.run([sys.executable, "-c", "import sys; from segcourse.cli import main; main(['--help']); "
                          "print('tensorflow' in sys.modules)"], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip().endswith("False")


def test_exercises_check_passes_on_the_committed_notebooks():
    out = run("exercises", "check")
    assert out.returncode == 0, out.stdout
