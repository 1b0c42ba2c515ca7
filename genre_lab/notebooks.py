"""The main job: execute every numbered notebook, headless, into ``build/`` with an HTML copy.

``python3 tasks.py run`` (or ``genre-lab run-notebooks``) builds the demo
dataset if needed, then runs ``notebooks/01_*.ipynb`` ... in order, each in a
fresh ``python3`` kernel started in the notebooks folder, exactly as a student
would run them. The executed notebooks and their HTML exports go to
``build/``; the committed notebooks in ``notebooks/`` are not touched.

Notebook: all of them
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from .config import display_path, repo_dir

__all__ = ["notebook_paths", "run_notebooks", "setup_notebook"]

log = logging.getLogger(__name__)


def notebook_paths(folder=None) -> list[Path]:
    """The numbered teaching notebooks (``NN_name.ipynb``), in order."""
    folder = Path(folder) if folder is not None else _repo() / "notebooks"
    paths = sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise FileNotFoundError(f"no numbered notebooks (NN_name.ipynb) in {display_path(folder)}")
    return paths


def _repo() -> Path:
    repo = repo_dir()
    if repo is None:
        raise FileNotFoundError("the notebooks live in the genre_lab source checkout; run this from a git clone")
    return repo


def run_notebooks(folder=None, out=None, *, timeout: int = 1800, kernel_name: str = "python3",
                  echo=print) -> list[dict]:
    """Execute every numbered notebook in order and write it, with an HTML export, to ``out``.

    Parameters
    ----------
    folder : str or Path or None
        Folder of the notebooks (default: ``notebooks/`` of the checkout).
    out : str or Path or None
        Output folder (default: ``build/`` of the checkout, git-ignored).
    timeout : int
        Seconds allowed per cell.
    kernel_name : str
        Jupyter kernel; ``python3`` is the environment running this function.
    echo : callable
        Receives one line per notebook (default :func:`print`).

    Returns
    -------
    list of dict
        Per notebook: ``notebook``, ``ok``, ``seconds``, ``executed``, ``html``
        and ``error`` (the failing cell's error, or None). A failing notebook
        is still written, up to and including the failing cell, so its error
        can be read in the HTML.

    Notebook: all of them (this is ``python3 tasks.py run``)
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbconvert import HTMLExporter

    from .datasets import describe_data
    from .demo import ensure_dataset

    paths = notebook_paths(folder)
    out = Path(out) if out is not None else _repo() / "build"
    out.mkdir(parents=True, exist_ok=True)
    ensure_dataset()
    echo(describe_data())
    echo(f"executing {len(paths)} notebooks into {display_path(out)}/ ...")
    logging.getLogger("traitlets").setLevel(logging.ERROR)  # nbconvert's accessibility notes about figure alt text
    exporter = HTMLExporter()
    results = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(nb, timeout=timeout, kernel_name=kernel_name,
                                resources={"metadata": {"path": str(path.parent)}})
        t0 = time.perf_counter()
        error = None
        kernel_log = out / f"{path.stem}.kernel.log"
        try:
            # The kernel's own stderr (start-up chatter, but also a fatal crash) goes to a log file, not the screen
            with open(kernel_log, "w") as log_fh:
                client.execute(stderr=log_fh)
        except (CellExecutionError, CellTimeoutError, DeadKernelError, RuntimeError) as err:
            # an error in a cell, a cell over the time limit, a crashed kernel: record it, go on with the next
            lines = [ln for ln in str(err).strip().splitlines() if ln.strip("- ")]
            if isinstance(err, CellExecutionError):  # the last line names the exception raised in the cell
                error = lines[-1] if lines else type(err).__name__
            else:  # timeouts and dead kernels say what happened first
                error = f"{type(err).__name__}: {lines[0] if lines else ''}".rstrip(": ")
            said = kernel_log.read_text(errors="replace").strip().splitlines() if kernel_log.is_file() else []
            if said and isinstance(err, DeadKernelError):
                error += f" (kernel's last words: {said[-1][:200]}; see {display_path(kernel_log)})"
        seconds = time.perf_counter() - t0
        executed = out / path.name
        nbformat.write(nb, executed)
        html = executed.with_suffix(".html")
        body, _ = exporter.from_notebook_node(nb)
        html.write_text(body, encoding="utf-8")
        res = {"notebook": path.name, "ok": error is None, "seconds": round(seconds, 1),
               "executed": display_path(executed), "html": display_path(html), "error": error}
        results.append(res)
        status = "ok    " if error is None else "FAILED"
        echo(f"{status} {path.name:<28} {seconds:6.1f} s  -> {res['html']}" + (f"  ({error})" if error else ""))
    n_ok = sum(r["ok"] for r in results)
    echo(f"{n_ok}/{len(results)} notebooks ran; open the HTML files in {display_path(out)}/ in a browser")
    return results


def setup_notebook(*, figure_format: str = "jpeg"):
    """Prepare a teaching notebook: small figures, quiet libraries, and the data (generated on first use).

    Figures are embedded as JPEG (spectrograms are pictures of fine detail:
    PNG would make each notebook megabytes larger), TensorFlow's start-up
    messages are silenced, and the data root is resolved once: the demo
    dataset is generated if the default root is empty.

    Returns
    -------
    Dataset
        The data root and its kind (a path: ``root / "genres"``, ``gl.find_tracks(root)``).

    Notebook: every notebook's first cell
    """
    from .backend import setup_environment

    setup_environment()
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats

        if get_ipython() is not None:
            set_matplotlib_formats(figure_format)
    except ImportError:  # plain Python: nothing to configure
        pass
    from .demo import ensure_dataset

    return ensure_dataset()
