"""llama.cpp's CPU kernels are proven before they are trusted: a variant that crashes is rejected,
the next best runs, the verdict is remembered per machine, and ``doctor`` says what happened.

The fakes here are real shared libraries compiled by the test (gcc): each exports
``ggml_backend_score`` like a llama.cpp variant does, and the crashing one's
``ggml_backend_init`` executes ``ud2``, so the child process really dies of SIGILL, as the AMX
kernels did on a Sapphire Rapids VM.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rag.backends.llamacpp_runtime import PORTABLE, Trial, choose, library_folder, score, variant_libraries
from rag.errors import BackendError, SettingsError
from rag.machine import cpu_flags
from rag.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
AVX512 = {"skylakex", "cannonlake", "cascadelake", "cooperlake", "icelake", "sapphirerapids", "zen4"}
AVX2 = {"haswell", "alderlake"} | AVX512

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc compiles the fake variant libraries")


def fake_variant(folder: Path, name: str, score_: int, crash: bool = False) -> Path:
    """A library that looks like llama.cpp's libggml-cpu-<name>.so to the loader."""
    source = folder / f"{name}.c"
    init = "__builtin_trap(); return 0;" if crash else "return 0;"
    source.write_text(f"int ggml_backend_score(void) {{ return {score_}; }}\n"
                      f"void *ggml_backend_init(void) {{ {init} }}\n")
    library = folder / f"libggml-cpu-{name}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-o", str(library), str(source)], check=True)
    source.unlink()
    return library


def settings_for(tmp_path: Path, libs: Path, **kw) -> Settings:
    model = tmp_path / "model.gguf"
    if not model.exists():
        model.write_bytes(b"GGUF fake")
    return Settings(cache_dir=tmp_path / "cache", data_dir=tmp_path / "data", llama_lib_dir=str(libs),
                    llm_path=str(model), **kw)


@needs_gcc
def test_a_variant_that_fails_its_probe_is_rejected_and_the_next_best_is_remembered(tmp_path):
    libs = tmp_path / "libs"
    libs.mkdir()
    fake_variant(libs, "sapphirerapids", 300)
    fake_variant(libs, "zen4", 200)
    fake_variant(libs, "haswell", 0)  # this CPU lacks it: never probed
    fake_variant(libs, PORTABLE, 1)
    probed: list[str] = []

    def probe(library: Path, settings: Settings) -> Trial:
        name = library.name[len("libggml-cpu-"):-3]
        probed.append(name)
        if name == "sapphirerapids":
            return Trial(name, False, "killed by SIGILL (illegal instruction)", 0.4)
        return Trial(name, True, "", 9.0, 600, 90.0, 30.0)

    settings = settings_for(tmp_path, libs)
    first = choose(settings, probe_fn=probe)
    assert (first.variant, first.how, probed) == ("zen4", "proven", ["sapphirerapids", "zen4"])
    line = first.describe()
    assert "sapphirerapids rejected: killed by SIGILL" in line and line.startswith("zen4")

    def no_probe(library: Path, settings: Settings) -> Trial:
        raise AssertionError("a remembered verdict must not probe again")

    again = choose(settings, probe_fn=no_probe)
    assert (again.variant, again.how) == ("zen4", "remembered")
    assert [t.variant for t in again.tried] == ["sapphirerapids", "zen4"]
    saved = [json.loads(p.read_text()) for p in (tmp_path / "cache" / "machine").glob("llamacpp-cpu-*.json")]
    assert [s["variant"] for s in saved] == ["zen4"]

    # another wheel (the libraries changed) is another verdict: probed again
    fake_variant(libs, "zen4", 201)
    probed.clear()
    assert choose(settings, probe_fn=probe).how == "proven" and probed == ["sapphirerapids", "zen4"]


@needs_gcc
def test_when_no_variant_passes_the_portable_one_is_loaded_and_said(tmp_path, caplog):
    libs = tmp_path / "libs"
    libs.mkdir()
    fake_variant(libs, "icelake", 100)
    fake_variant(libs, PORTABLE, 1)
    settings = settings_for(tmp_path, libs)
    choice = choose(settings, probe_fn=lambda lib, s: Trial("icelake", False, "wrong output: '!!!!' instead of 'Tunis'"))
    assert (choice.variant, choice.how) == (PORTABLE, "fallback")
    assert "FALLBACK" in choice.describe() and "icelake rejected: wrong output" in choice.describe()
    assert any("portable x64" in r.getMessage() for r in caplog.records)


@needs_gcc
def test_pinning_a_variant(tmp_path):
    libs = tmp_path / "libs"
    libs.mkdir()
    fake_variant(libs, "zen4", 200)
    fake_variant(libs, "haswell", 0)
    fake_variant(libs, PORTABLE, 1)
    pinned = choose(settings_for(tmp_path, libs, llama_cpu="zen4"), probe_fn=None)
    assert (pinned.variant, pinned.how) == ("zen4", "pinned")
    with pytest.raises(BackendError, match="lacks instructions"):
        choose(settings_for(tmp_path, libs, llama_cpu="haswell"))
    with pytest.raises(BackendError, match="no such CPU variant; built: haswell, x64, zen4"):
        choose(settings_for(tmp_path, libs, llama_cpu="icelake"))
    with pytest.raises(SettingsError, match="unknown llama.cpp CPU variant 'zen9'; known: x64"):
        choose(settings_for(tmp_path, libs, llama_cpu="zen9"))


def test_unknown_variant_is_a_clear_cli_error(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "rag", "doctor"], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "RAG_LLAMA_CPU": "zen9", "RAG_DATA_DIR": str(tmp_path)}, timeout=120)
    assert proc.returncode == 1 and "llama.cpp CPU kernels: PROBLEM: RAG_LLAMA_CPU: unknown llama.cpp CPU " \
        "variant 'zen9'" in proc.stdout
    assert "Traceback" not in proc.stderr


# --- the real libraries, the real model --------------------------------------------------


def real_libraries() -> dict[str, Path]:
    folder = library_folder()
    if folder is None:
        pytest.skip("this llama-cpp-python has its CPU backend linked in: nothing to choose")
    return variant_libraries(folder)


def test_the_wheel_scores_its_variants_against_this_cpu():
    scores = {name: score(path) for name, path in real_libraries().items()}
    flags = cpu_flags()
    assert scores[PORTABLE] > 0
    best = max(scores, key=scores.get)
    if {"avx512f", "avx512bw"} <= flags:
        assert best in AVX512, scores
    elif "avx2" in flags:
        assert best in AVX2, scores


@pytest.mark.slow
@needs_gcc
def test_a_crashing_best_variant_falls_back_on_a_cold_start_and_answers_a_long_prompt(tmp_path):
    """The real thing: the wheel's libraries plus a fake best variant that dies of SIGILL. A cold
    start (empty cache) proves the variants in child processes, loads the first that lives, and
    a 600-token prompt is answered; ``doctor`` names the variant and the rejected one; a second
    start reads the verdict."""
    libs = tmp_path / "libs"
    libs.mkdir()
    real = real_libraries()
    for item in next(iter(real.values())).parent.iterdir():
        (libs / item.name).symlink_to(item)
    best = max(real, key=lambda n: score(real[n]))
    (libs / f"libggml-cpu-{best}.so").unlink()
    fake_variant(libs, best, 1 << 30, crash=True)
    defaults = Settings()
    env = {**os.environ, "RAG_LLAMA_LIB_DIR": str(libs), "RAG_CACHE_DIR": str(tmp_path / "cache"),
           "RAG_LLM_PATH": str(defaults.llm_model_path), "RAG_EMBED_MODEL": defaults.embed_model_path,
           "RAG_DATA_DIR": str(tmp_path / "data")}
    program = ("import logging, sys; logging.basicConfig(level=logging.INFO)\n"
               "from rag.settings import Settings\nfrom rag.backends.llamacpp import LlamaCppBackend\n"
               "article = open('seeds/000_50e16cd6024442b7.txt', encoding='utf-8').read()\n"
               "question = article + '\\n\\nفي أي مدينة عقدت جولة الحوار الأمني الرابعة بين الاتحاد الأوروبي وأذربيجان؟ '"
               "'أجب باسم المدينة فقط.'\n"
               "llm = LlamaCppBackend(Settings())\n"
               "reply = ''.join(llm.stream_chat([{'role': 'user', 'content': question}], 12, 0.0))\n"
               "print(llm.last_prompt_tokens, repr(reply))\n")
    done = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    tokens, reply = done.stdout.split(" ", 1)
    assert int(tokens) >= 512 and "بروكسل" in reply, done.stdout
    assert f"{best} rejected: killed by SIGILL (illegal instruction)" in done.stderr
    saved = json.loads(next((tmp_path / "cache" / "machine").glob("llamacpp-cpu-*.json")).read_text())
    assert saved["variant"] != best and saved["tried"][0]["variant"] == best
    doctor = subprocess.run([sys.executable, "-m", "rag", "doctor"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=300)
    line = next(x for x in doctor.stdout.splitlines() if x.startswith("llama.cpp CPU kernels:"))
    assert line.startswith(f"llama.cpp CPU kernels: {saved['variant']} (proven on this machine 20")
    assert f"{best} rejected: killed by SIGILL" in line


@pytest.mark.slow
def test_the_variant_loaded_by_default_is_a_fast_one_that_was_proven(tmp_path):
    done = subprocess.run([sys.executable, "-c", "from rag.backends.llamacpp_runtime import load_backends; "
                           "from rag.settings import Settings; c = load_backends(Settings()); print(c.variant, c.how)"],
                          cwd=ROOT, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-2000:]
    variant, how = done.stdout.split()[-2:]
    flags = cpu_flags()
    assert how in ("proven", "remembered"), done.stdout
    if {"avx512f", "avx512bw"} <= flags:
        assert variant in AVX512, variant
    elif "avx2" in flags:
        assert variant in AVX2, variant
