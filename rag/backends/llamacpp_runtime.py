"""Which llama.cpp CPU kernels run: the best this CPU has, proven to work before it is trusted.

scripts/setup.sh builds llama-cpp-python with ``GGML_BACKEND_DL``: the wheel carries the CPU
backend once per x86-64 level (``libggml-cpu-x64.so`` for any x86-64, ``-haswell`` for AVX2,
``-icelake``/``-zen4`` for AVX-512, ``-sapphirerapids`` for AMX ...), each scoring itself
against the running CPU (``ggml_backend_score``). Scoring reads CPU flags only, and flags are
not proof: on an Intel Sapphire Rapids VM the AMX kernels trap (``tilezero``, illegal
instruction) as soon as a prompt is long enough to reach them. So:

1. ``RAG_LLAMA_CPU=<variant>`` pins a variant (an unknown or unsupported name is an error);
2. otherwise a verdict remembered for this machine (CPU flags + model + the libraries' hash,
   rag/machine.py) names the variant, and a start costs nothing;
3. otherwise each supported variant, best score first, is run in a child process on a real
   prompt of >512 tokens (llamacpp_probe.py); the first whose child lives and answers right
   is chosen, the others are recorded with the reason they were rejected;
4. if none passes, the portable ``x64`` variant (no SIMD, slow, but no instruction it could
   lack) is loaded, and the log and ``python -m rag doctor`` say so.

llama.cpp's backend registry is process-wide, so the loaded choice is too: the first
``load_backends(settings)`` of a process loads one variant, later calls return it. That is
the one piece of module state here, and it mirrors the C library's own.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import logging
import os
import signal
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import BackendError, SettingsError
from rag.machine import VerdictStore, cpu_flags, cpu_model, files_fingerprint, verdict_key
from rag.settings import Settings

log = logging.getLogger(__name__)

# The x86-64 variants llama.cpp can build (ggml/src/CMakeLists.txt), lowest level first.
VARIANTS = ("x64", "sse42", "sandybridge", "ivybridge", "piledriver", "haswell", "skylakex", "cannonlake",
            "cascadelake", "icelake", "cooperlake", "zen4", "alderlake", "sapphirerapids")
PORTABLE = "x64"
PROBE_TIMEOUT_S = 240.0  # a variant that cannot read 600 tokens in this long is not worth running
VERDICT = "llamacpp-cpu"
CPU_FAULTS = ("killed by", "wrong output", "no reply")  # how a Trial.why starts when the CPU is to blame


@dataclass
class Trial:
    variant: str
    ok: bool
    why: str = ""
    seconds: float = 0.0
    prompt_tokens: int = 0
    prefill_tokens_per_s: float = 0.0
    generate_tokens_per_s: float = 0.0


@dataclass
class KernelChoice:
    variant: str  # "zen4", "built-in" (a wheel with the CPU backend linked in)
    how: str  # "proven", "remembered", "pinned", "fallback", "built-in"
    library: str = ""
    cpu: str = ""
    tried: list[Trial] = field(default_factory=list)
    when: str = ""

    def describe(self) -> str:
        """One line for the log and ``doctor``."""
        head = {"proven": "proven on this machine just now", "remembered": f"proven on this machine {self.when}",
                "pinned": "pinned by RAG_LLAMA_CPU (not probed)", "built-in": "linked into the wheel",
                "fallback": "FALLBACK: no faster variant passed the probe"}[self.how]
        tried = "; ".join(f"{t.variant} {'ok' if t.ok else 'rejected: ' + t.why}" for t in self.tried)
        return f"{self.variant} ({head}{'; tried: ' + tried if tried else ''})"


def library_folder() -> Path | None:
    """Where the installed wheel keeps its libggml-cpu-*.so (None: CPU backend linked in)."""
    import llama_cpp

    package = Path(llama_cpp.__file__).parent
    # scikit-build puts the backend libraries in site-packages/bin, next to the package
    return next((d for d in (package / "lib", package.parent / "bin") if any(d.glob("libggml-cpu-*.so"))), None)


def variant_libraries(folder: Path) -> dict[str, Path]:
    return {p.name[len("libggml-cpu-"):-len(".so")]: p for p in sorted(folder.glob("libggml-cpu-*.so"))}


def score(library: Path) -> int:
    """The variant's own verdict from CPU flags (0: this CPU lacks its instructions). Calls only
    the library's scoring function, which reads cpuid; none of its kernels run."""
    import llama_cpp  # noqa: F401  (loads libggml-base, which the variant libraries link against)

    try:
        fn = ctypes.CDLL(str(library)).ggml_backend_score
    except (OSError, AttributeError):
        return 0
    fn.restype = ctypes.c_int
    return int(fn())


def probe(library: Path, settings: Settings, timeout_s: float = PROBE_TIMEOUT_S, generate: int = 0) -> Trial:
    """Run llamacpp_probe.py on one variant in a child process; what became of it. ``generate``
    > 0 generates that many tokens (the benchmark, for a steadier generation speed)."""
    from rag.backends.llamacpp import N_BATCH

    variant = library.name[len("libggml-cpu-"):-len(".so")]
    command = [sys.executable, "-m", "rag.backends.llamacpp_probe", "--library", str(library),
               "--model", str(settings.llm_model_path), "--threads", str(settings.llm_threads or os.cpu_count() or 2),
               "--n-batch", str(N_BATCH)] + (["--generate", str(generate)] if generate else [])
    started = dt.datetime.now()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return Trial(variant, False, f"no reply in {timeout_s:.0f} s", timeout_s)
    seconds = round((dt.datetime.now() - started).total_seconds(), 1)
    if done.returncode < 0:
        name = signal.Signals(-done.returncode).name
        what = {"SIGILL": " (illegal instruction)", "SIGSEGV": " (segmentation fault)"}.get(name, "")
        return Trial(variant, False, f"killed by {name}{what}", seconds)
    try:
        import json

        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Trial(variant, False, f"exit {done.returncode}: {tail[:160]}", seconds)
    return Trial(variant, bool(result.get("ok")), result.get("why", ""), seconds, result.get("prompt_tokens", 0),
                 result.get("prefill_tokens_per_s", 0.0), result.get("generate_tokens_per_s", 0.0))


def _folder(settings: Settings) -> Path | None:
    return Path(settings.llama_lib_dir) if settings.llama_lib_dir else library_folder()


def choose(settings: Settings, *, probe_fn=probe) -> KernelChoice:
    """Pick the variant to load (see the module docstring); probes only when nothing is known."""
    if settings.llama_cpu and settings.llama_cpu not in VARIANTS:
        raise SettingsError(f"RAG_LLAMA_CPU: unknown llama.cpp CPU variant {settings.llama_cpu!r}; "
                            f"known: {', '.join(VARIANTS)}")
    folder = _folder(settings)
    if folder is None:
        return KernelChoice("built-in", "built-in", cpu=cpu_model())
    libraries = variant_libraries(folder)
    if not libraries:
        raise BackendError(f"no llama.cpp CPU libraries (libggml-cpu-*.so) in {folder}")
    scores = {name: score(path) for name, path in libraries.items()}
    if settings.llama_cpu:
        pin = settings.llama_cpu
        if pin not in libraries:
            raise BackendError(f"RAG_LLAMA_CPU={pin}: this llama.cpp build has no such CPU variant; "
                               f"built: {', '.join(sorted(libraries))}")
        if scores[pin] <= 0:
            raise BackendError(f"RAG_LLAMA_CPU={pin}: this CPU lacks instructions that variant needs; "
                               f"supported here: {', '.join(n for n in sorted(scores) if scores[n] > 0)}")
        return KernelChoice(pin, "pinned", str(libraries[pin]), cpu_model())
    model = Path(settings.llm_model_path)
    if not model.is_file():  # nothing to prove the kernels with (the backend names the problem)
        raise BackendError(f"GGUF model not found: {model} (run `python -m rag fetch-models`)")
    size = model.stat().st_size
    key = verdict_key(cpu_flags(), cpu_model(), f"{files_fingerprint(list(libraries.values()))}|{model.name}|{size}")
    store = VerdictStore(settings.cache_dir / "machine")
    with store.locked(VERDICT):
        known = store.read(VERDICT, key)
        if known and known.get("variant") in libraries:
            how = "fallback" if known.get("how") == "fallback" else "remembered"
            return KernelChoice(known["variant"], how, str(libraries[known["variant"]]), known.get("cpu", ""),
                                [Trial(**t) for t in known.get("tried", [])], known.get("when", ""))
        ranked = sorted((n for n in libraries if scores[n] > 0 and n != PORTABLE), key=lambda n: -scores[n])
        tried: list[Trial] = []
        chosen, how = PORTABLE, "fallback"
        for name in ranked:
            log.info("proving llama.cpp CPU variant %s on this machine (a child process reads a long prompt)", name)
            trial = probe_fn(libraries[name], settings)
            tried.append(trial)
            if trial.ok:
                chosen, how = name, "proven"
                break
            log.warning("llama.cpp CPU variant %s rejected: %s", name, trial.why)
        if PORTABLE not in libraries and how == "fallback":
            raise BackendError(f"no llama.cpp CPU variant runs on this machine: {'; '.join(t.why for t in tried)}")
        choice = KernelChoice(chosen, how, str(libraries[chosen]), cpu_model(), tried,
                              dt.datetime.now().isoformat(timespec="seconds"))
        # a fallback is remembered only when the CPU is to blame (a crash, garbage, a hang), not
        # when every child failed for another reason (a broken model file): that one is retried
        if how == "proven" or all(t.why.startswith(CPU_FAULTS) for t in tried):
            store.write(VERDICT, key, asdict(choice))
    if how == "fallback":
        log.error("no fast llama.cpp CPU variant passed its probe on this machine; using the portable x64 "
                  "kernels (slow). %s", choice.describe())
    return choice


_loaded: KernelChoice | None = None
_loading = threading.Lock()


def load_backends(settings: Settings) -> KernelChoice:
    """Load the chosen CPU variant into this process (once; llama.cpp's registry is
    process-wide) and return the choice. Call before any ``llama_cpp.Llama`` is made."""
    global _loaded
    with _loading:
        if _loaded is not None:
            return _loaded
        choice = choose(settings)
        if choice.library:
            import llama_cpp.llama_cpp as lib

            load = lib._lib.ggml_backend_load
            load.argtypes, load.restype = [ctypes.c_char_p], ctypes.c_void_p
            if not load(choice.library.encode()):
                raise BackendError(f"llama.cpp could not load its CPU library {choice.library}")
        log.info("llama.cpp CPU kernels: %s", choice.describe())
        _loaded = choice
        return choice
