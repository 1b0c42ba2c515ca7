"""Keras and TensorFlow, imported quietly, and the process environment genre_lab runs in, set up once.

Importing genre_lab changes nothing: :func:`setup_environment` is called by the
edges (the ``genre-lab`` command and ``setup_notebook``) and by :func:`keras_quietly`
before TensorFlow is first imported, so TensorFlow's C++ start-up lines are
silenced and Keras uses the TensorFlow backend unless the user chose another.

Notebook: 04_train_cnn.ipynb (where Keras first appears)
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import tempfile

__all__ = ["keras_quietly", "setup_environment"]

log = logging.getLogger(__name__)

#: What :func:`setup_environment` sets, unless the user set it already.
ENVIRONMENT_DEFAULTS = {"TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}


def setup_environment() -> None:
    """Quiet TensorFlow's C++ logging and choose the TensorFlow backend for Keras, unless already set.

    Called once at the edges (the command line, ``setup_notebook``) and before
    the first import of Keras; a value the user set is never overridden.

    Notebook: every notebook's first cell (through ``gl.setup_notebook``)
    """
    for name, value in ENVIRONMENT_DEFAULTS.items():
        os.environ.setdefault(name, value)


@contextlib.contextmanager
def _quiet_fd2():
    """Hold back the C++ start-up lines TensorFlow writes straight to file descriptor 2.

    They are captured, not discarded: if the block fails (a broken install,
    an unsupported CPU), what TensorFlow wrote is attached to the error.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real fd 2 (some embedded interpreters)
        yield
        return
    with tempfile.TemporaryFile(mode="w+b") as cap:
        try:
            os.dup2(cap.fileno(), 2)
            yield
        except Exception as err:  # noqa: BLE001 - kept on purpose (2 of 2): a failing TensorFlow import may raise
            # anything; it is re-raised with what TensorFlow wrote attached, never swallowed
            os.dup2(saved, 2)
            cap.seek(0)
            said = cap.read().decode(errors="replace").strip()
            if said:
                raise RuntimeError(f"importing TensorFlow/Keras failed ({type(err).__name__}: {err}); "
                                   f"TensorFlow said:\n{said[-4000:]}") from err
            raise
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def keras_quietly():
    """Import Keras (TensorFlow backend) with its start-up noise held back, and return it."""
    setup_environment()
    if "keras" not in sys.modules:
        with _quiet_fd2():
            import tensorflow  # noqa: F401  (its C++ logging starts here)
            import keras  # noqa: F401
    import keras

    import absl.logging

    absl.logging.set_verbosity(absl.logging.ERROR)
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    return keras
