"""The installable package: build the wheel, install it into a fresh virtual environment, and
ask a question from a directory that is not the checkout. Prompts and UI assets must come from
the installed package (importlib.resources), not from the source tree.

The fresh environment gets the heavy dependencies (torch, chromadb, llama-cpp-python ...) by a
path line pointing at this checkout's ``.venv`` site-packages (re-installing them would take
many minutes and network-sized downloads); the project itself is installed only from the wheel.
A path line in a .pth file adds the folder without running *its* .pth files, so the checkout's
editable install of ``rag`` stays invisible.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, env: dict | None = None, timeout: int = 900) -> str:
    out = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd}\n{out.stdout[-2000:]}\n{out.stderr[-3000:]}"
    return out.stdout


def test_wheel_installs_and_answers_from_any_directory(tmp_path):
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(dist), str(ROOT)],
        cwd=tmp_path)
    wheel = next(dist.glob("bilingual_news_rag-*.whl"))
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp_path)
    py = venv / "bin" / "python"
    purelib = Path(run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], cwd=tmp_path).strip())
    (purelib / "_checkout_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q", "--no-deps", "--no-index", str(wheel)],
        cwd=tmp_path)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    articles = elsewhere / "articles"
    articles.mkdir()  # the one seed that answers the question, and one other: less to embed
    for seed in ("001_d04a42b9380b6f99.txt", "004_3bdcf659b4924e5e.txt"):
        shutil.copy(ROOT / "seeds" / seed, articles / seed)
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": ""}
    where = run([str(py), "-c", "import rag, app.ui, app.server, rag.answer.prompts as p; print(rag.__file__); "
                 "print(p.PROMPTS_DIR); print(app.server.ASSETS.joinpath('assets.css').read_text()[:1] != '')"],
                cwd=elsewhere, env=env).split()
    assert where[0].startswith(str(purelib)) and where[1].startswith(str(purelib)) and where[2] == "True"
    assert (Path(where[1]) / "system.ar.txt").is_file()

    run([str(py), "-m", "rag", "ingest", "articles"], cwd=elsewhere, env=env)
    reply = json.loads(run([str(py), "-m", "rag", "ask", "ما المطار الذي ساهم جنود أذربيجان في تأمينه؟",
                            "--json", "--backend", "llamacpp"], cwd=elsewhere, env=env))
    assert reply["answered"] and "كابول" in reply["text"]
    assert reply["citations"] and all(c["quote"] for c in reply["citations"])
