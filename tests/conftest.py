"""Shared test setup: quiet TensorFlow, live explorers, a fast default hypothesis profile."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before anything imports TensorFlow
os.environ["SEGCOURSE_STATIC"] = "0"  # tests exercise the live path unless they ask otherwise
os.environ.setdefault("MPLBACKEND", "Agg")

from hypothesis import HealthCheck, settings  # noqa: E402

# Few, deterministic examples: the suite runs on 2 cores inside CI's time budget.
settings.register_profile(
    "course", max_examples=40, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "course"))
