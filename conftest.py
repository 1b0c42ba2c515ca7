"""pytest set-up shared by unit tests and nbval.

stderr is not compared in notebooks: TensorFlow and tqdm write there, and
what they write depends on the machine (nbval issue #88).
"""

import os

# Unit tests and notebooks must never train on multiple threads differently by accident.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")


def pytest_collectstart(collector):
    path = getattr(collector, "path", None)
    if path is not None and path.suffix == ".ipynb":
        collector.skip_compare += ("stderr",)
