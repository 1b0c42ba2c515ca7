"""The students' real client: every numbered notebook run through JupyterLab's UI in headless Chromium.

nbval (the notebooks' own tests) runs a kernel; students use JupyterLab in a
browser. This test starts JupyterLab from the project's environment on
127.0.0.1 with a random port and token, opens each numbered notebook (a copy:
the committed ones are never touched), runs Run -> Run All Cells, waits for
every cell to finish, and checks what a student would see: no error, every
figure the committed notebook has rendered as an image, audio players that
play, and the upload widgets of notebooks 07 and 11. A full-page screenshot of
each notebook goes to ``build/browser/``. One more test opens the student
version of notebook 01 (``genre-lab exercises``: solutions replaced by
placeholders), runs it all, and sees "not done yet" under every exercise and no
error.

Chromium comes from the Debian package ``chromium`` (``.ci/run`` installs it);
Playwright drives it through ``executable_path``, so Playwright's own browser
download is never needed. Without Chromium the test is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SHOTS = REPO / "build" / "browser"
CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
CELL_TIMEOUT_S = 900

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: install the Debian package `chromium` "
                                                        "(apt-get install chromium) to run the browser test")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on a copy of the notebooks; stopped whatever happens."""
    work = tmp_path_factory.mktemp("lab")
    for nb in NOTEBOOKS:
        shutil.copy(nb, work / nb.name)
    port, token = _free_port(), secrets.token_hex(16)
    settings = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "jupyter" / "overrides.json", settings / "overrides.json")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
           f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={work}", "--LabApp.news_url=", "--allow-root"]
    log = open(work / "jupyterlab.log", "w")
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(work / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(work / "ws")}
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("JupyterLab exited: " + (work / "jupyterlab.log").read_text()[-2000:])
                time.sleep(0.5)
        else:
            raise RuntimeError("JupyterLab did not start within 60 s")
        yield url, token, work
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                               args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                     "--disable-background-networking", "--disable-component-update",
                                     "--disable-sync", "--autoplay-policy=no-user-gesture-required"])
        try:
            yield b
        finally:
            b.close()


def _committed(nb_path: Path) -> dict:
    nb = nbformat.read(nb_path, as_version=4)
    images = audio = widgets = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            images += any(k.startswith("image/") for k in data)
            audio += "<audio" in str(data.get("text/html", ""))
            widgets += "application/vnd.jupyter.widget-view+json" in data and "FileUpload" in str(data.get("text/plain"))
    return {"images": images, "audio": audio, "uploads": widgets,
            "code_cells": sum(c.cell_type == "code" for c in nb.cells)}


@pytest.mark.parametrize("nb_path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_in_jupyterlab(lab, browser, nb_path):
    url, token, work = lab
    want = _committed(nb_path)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors_in_console = []
    page.on("pageerror", lambda err: errors_in_console.append(str(err)))
    try:
        panel = _run_all_cells(page, url, token, nb_path.name, want["code_cells"])
        images = panel.locator(".jp-RenderedImage img")
        assert images.count() == want["images"], f"{nb_path.name}: {images.count()} figures, committed {want['images']}"
        for i in range(images.count()):
            assert images.nth(i).evaluate("img => img.complete && img.naturalWidth > 0"), f"figure {i} not rendered"
        if want["audio"]:
            players = panel.locator("audio")
            assert players.count() >= want["audio"]
            states = []
            for _ in range(60):  # the players decode their (base64) audio in the background
                states = panel.locator("audio").evaluate_all(
                    "els => els.map(a => [a.readyState, a.duration, a.error ? a.error.code : null, a.networkState])")
                if all(st[0] >= 1 and st[1] and st[1] > 0 for st in states):
                    break
                time.sleep(1.0)
            assert all(st[0] >= 1 and st[1] and st[1] > 0 for st in states), f"audio players: {states}"
        if want["uploads"]:
            assert panel.locator("button.widget-upload, .widget-upload").count() >= 1, "the upload widget renders"
        height = page.evaluate("() => Math.max(...Array.from(document.querySelectorAll("
                               "'.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-inner, "
                               ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer'), "
                               "e => e.scrollHeight))") + 250
        # JupyterLab is a fixed-size app that scrolls the notebook inside it: a viewport as tall as the notebook
        # (capped below Chromium's texture limit) makes the full-page screenshot show the whole notebook
        page.set_viewport_size({"width": 1400, "height": int(min(max(height + 200, 1000), 12_000))})
        page.evaluate("() => document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) "
                      ".jp-WindowedPanel-outer').forEach(e => { e.scrollTop = 0; })")
        page.wait_for_timeout(1000)
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{nb_path.stem}.png"), full_page=True, timeout=120_000,
                        animations="disabled")
        assert not errors_in_console, errors_in_console
    finally:
        page.close()
        _shut_down_kernels(url, token)


def _run_all_cells(page, url: str, token: str, name: str, code_cells: int):
    """Open notebook ``name`` (a path under the lab's root), clear its outputs, Run All, wait, and assert that no
    cell shows an error and every cell ran. Returns the open notebook's panel."""
    # ?reset: a fresh workspace, so only this notebook is open
    page.goto(f"{url}/lab/tree/{name}?reset&token={token}", wait_until="domcontentloaded")
    page.wait_for_selector(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell", timeout=120_000)
    page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=120_000)
    assert not page.get_by_text("official Jupyter news").is_visible(), "the news pop-up should be disabled"
    # the kernel must be up (status bar: "... | Idle") before the menus act on it, or a click can be lost
    page.locator(".jp-StatusBar-Widget", has_text=re.compile(r"\|\s*Idle")).first.wait_for(timeout=180_000)
    outputs = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output")
    for _attempt in range(3):  # clear the committed outputs, so that every output checked comes from this run
        page.get_by_role("menuitem", name="Edit", exact=True).click()
        page.get_by_role("menuitem", name="Clear Outputs of All Cells", exact=True).click()
        for _ in range(40):
            if outputs.count() == 0:
                break
            time.sleep(0.5)
        if outputs.count() == 0:
            break
    assert outputs.count() == 0, f"{name}: the committed outputs could not be cleared"
    prompts = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell .jp-InputPrompt")
    for _attempt in range(3):  # a click while the kernel is still starting can be lost: try again
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():  # e.g. "Select Kernel": take the default (python3)
            dialog.first.click()
        page.get_by_role("menuitem", name="Run", exact=True).click()
        page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        started = False
        for _ in range(60):
            if any(re.search(r"\[(\*|\d+)\]", t) for t in prompts.all_inner_texts()):
                started = True
                break
            time.sleep(0.5)
        if started:
            break
    idle = page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']")
    deadline, idle_since, texts, resumed = time.time() + CELL_TIMEOUT_S * 2, None, [], 0
    while time.time() < deadline:
        texts = prompts.all_inner_texts()
        done = [t for t in texts if re.search(r"\[\d+\]", t)]
        if len(texts) == code_cells and len(done) == len(texts) and idle.count():
            break
        # Run All stops at a cell that raises: the kernel goes idle with cells left unrun
        idle_since = (idle_since or time.time()) if idle.count() and "[*]" not in "".join(texts) else None
        if idle_since and time.time() - idle_since > 10:
            if resumed < 1 and not panel_errors(page).count():  # no error: the queue was lost, not stopped
                first = next(i for i, t in enumerate(texts) if not re.search(r"\[\d+\]", t))
                page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").nth(first).click()
                page.get_by_role("menuitem", name="Run", exact=True).click()
                page.get_by_role("menuitem", name="Run Selected Cell and All Below", exact=True).click()
                resumed, idle_since = resumed + 1, None
                time.sleep(2.0)
                continue
            break
        time.sleep(1.0)
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    tracebacks = panel_errors(page)
    assert tracebacks.count() == 0, f"{name}: a cell shows an error: {tracebacks.first.inner_text()[:800]}"
    unrun = [t for t in texts if not re.search(r"\[\d+\]", t)]
    assert not unrun and len(texts) == code_cells, f"{name}: cells not run: {texts}"
    return panel


def test_student_version_gives_feedback(lab, browser):
    """A student opens the student version of notebook 01 and runs it all: every check says "not done yet", and no
    cell shows an error (an untouched placeholder is not a traceback)."""
    import genre_lab as gl

    url, token, work = lab
    summaries = {s["notebook"]: s for s in gl.build_exercises(out=work)}
    name = NOTEBOOKS[0].name
    student = nbformat.read(work / "student" / name, as_version=4)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        panel = _run_all_cells(page, url, token, f"student/{name}", sum(c.cell_type == "code" for c in student.cells))
        feedback = panel.locator(".jp-OutputArea-output", has_text="not done yet")
        assert feedback.count() == summaries[name]["exercises"], f"{feedback.count()} checks say 'not done yet'"
        assert panel.locator(".jp-OutputArea-output", has_text=re.compile(r"Exercise \d\d\.\d: correct")).count() == 0
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"student_{NOTEBOOKS[0].stem}.png"), timeout=120_000)
    finally:
        page.close()
        _shut_down_kernels(url, token)


def panel_errors(page):
    """Outputs of the open notebook that show a traceback."""
    return page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-OutputArea-output"
                        "[data-mime-type='application/vnd.jupyter.stderr']", has_text=re.compile(r"Traceback|Error\b"))


def _shut_down_kernels(url: str, token: str) -> None:
    """Stop this notebook's kernel (TensorFlow holds about 1 GB) before the next one starts."""
    headers = {"Authorization": f"token {token}"}
    try:
        with urllib.request.urlopen(urllib.request.Request(f"{url}/api/sessions", headers=headers), timeout=10) as r:
            sessions = json.loads(r.read())
        for sess in sessions:
            req = urllib.request.Request(f"{url}/api/sessions/{sess['id']}", headers=headers, method="DELETE")
            urllib.request.urlopen(req, timeout=30).close()
    except OSError:
        pass
