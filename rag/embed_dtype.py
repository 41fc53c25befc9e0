"""The embedding model's dtype: bfloat16 only where the CPU computes it natively AND it was shown
to give float32's scores on this machine.

``RAG_EMBED_DTYPE=auto`` picks bfloat16 on a CPU with ``avx512_bf16`` or ``amx_bf16`` (1.6x
faster encoding where measured) and float32 elsewhere (emulated bf16 was 4x slower). Flags are
not proof (the AMX kernels of llama.cpp crash on a Sapphire Rapids VM; torch's might too, or
round differently), so the first ``auto`` start on a machine encodes the same bilingual
question/passage pairs in both dtypes in a child process and keeps bfloat16 only if every
question-passage cosine is within ``SCORE_TOLERANCE`` of float32's and the child lived. The
verdict is remembered per machine (CPU flags + torch version + model, rag/machine.py).

>>> pick_dtype("auto", {"avx2", "avx512_bf16"}), pick_dtype("auto", {"avx2"}), pick_dtype("float32", {"amx_bf16"})
('bfloat16', 'float32', 'float32')
"""

from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from pathlib import Path

from rag.machine import VerdictStore, cpu_flags, cpu_model, verdict_key

log = logging.getLogger(__name__)

SCORE_TOLERANCE = 0.005  # largest |cosine(bf16) - cosine(float32)| accepted on the probe pairs
VERDICT = "embed-bf16"
QUESTIONS = ["Who is Azerbaijan's defence minister?", "كم يوما تستغرق الزيارة؟",
             "When did the metro open?", "ما هي عاصمة المغرب؟"]
PASSAGES = ["التقى وزير الدفاع الأذربيجاني ذاكر حسنوف بالأمين العام لحلف الناتو في باكو.",
            "The visit lasts three days and ends in Yerevan.", "تستغرق الزيارة ثلاثة أيام وتنتهي في يريفان.",
            "The Riyadh metro opened to passengers in December 2024 with six lines.",
            "الرباط هي عاصمة المملكة المغربية وتقع على ساحل المحيط الأطلسي.",
            "Heavy rain flooded the streets of Dubai on Tuesday."]


def pick_dtype(setting: str, flags: set[str]) -> str:
    """The dtype the setting and the CPU flags ask for (before any proof)."""
    if setting != "auto":
        return setting
    return "bfloat16" if flags & {"avx512_bf16", "amx_bf16"} else "float32"


def score_gap(model_path: str) -> float:
    """Largest question-passage cosine difference between bfloat16 and float32 (runs the model)."""
    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer

    scores = []
    for dtype in (torch.float32, torch.bfloat16):
        model = SentenceTransformer(model_path, device="cpu", model_kwargs={"torch_dtype": dtype})
        prompts = dict(getattr(model, "prompts", {}) or {})
        q = model.encode(QUESTIONS, prompt=prompts.get("query", ""), normalize_embeddings=True, convert_to_numpy=True)
        d = model.encode([prompts.get("document", "") + p for p in PASSAGES], normalize_embeddings=True,
                         convert_to_numpy=True)
        scores.append(q.astype(np.float32) @ d.astype(np.float32).T)
    return float(np.abs(scores[0] - scores[1]).max())


def verified_dtype(setting: str, model_path: str, cache_dir: Path, timeout_s: float = 300.0,
                   flags: set[str] | None = None) -> str:
    """The dtype to load: float32 or bfloat16 as set; for ``auto``, bfloat16 only once proven here."""
    wanted = pick_dtype(setting, cpu_flags() if flags is None else flags)
    if setting != "auto" or wanted == "float32":
        return wanted
    key = _key(model_path)
    store = VerdictStore(cache_dir / "machine")
    with store.locked(VERDICT):
        known = store.read(VERDICT, key)
        if known is None:
            known = _probe(model_path, timeout_s)
            store.write(VERDICT, key, known)
    if not known.get("ok"):
        log.warning("embedding in float32: bfloat16 was rejected on this machine (%s)", known.get("why"))
        return "float32"
    return "bfloat16"


def _probe(model_path: str, timeout_s: float) -> dict:
    when = dt.datetime.now().isoformat(timespec="seconds")
    log.info("checking bfloat16 embeddings against float32 on this machine (once)")
    try:
        done = subprocess.run([sys.executable, "-m", "rag.embed_dtype", model_path], capture_output=True,
                              text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"ok": False, "why": f"no result in {timeout_s:.0f} s", "when": when, "cpu": cpu_model()}
    if done.returncode != 0:
        tail = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        return {"ok": False, "why": f"the check died (exit {done.returncode}): {tail[:160]}", "when": when,
                "cpu": cpu_model()}
    gap = float(done.stdout.strip().splitlines()[-1])
    ok = gap <= SCORE_TOLERANCE
    return {"ok": ok, "gap": round(gap, 5), "tolerance": SCORE_TOLERANCE, "when": when, "cpu": cpu_model(),
            "why": "" if ok else f"scores differ by {gap:.4f} > {SCORE_TOLERANCE}"}


def remembered(model_path: str, cache_dir: Path) -> dict | None:
    """The verdict on this machine, if the check has run (for ``doctor``)."""
    return VerdictStore(cache_dir / "machine").read(VERDICT, _key(model_path))


def _key(model_path: str) -> str:
    """CPU flags and model name, torch's version, the model's name and size."""
    import torch

    model = Path(model_path)
    size = (model / "model.safetensors").stat().st_size if (model / "model.safetensors").is_file() else 0
    return verdict_key(cpu_flags(), cpu_model(), f"torch {torch.__version__}|{model.name}|{size}")


if __name__ == "__main__":
    print(score_gap(sys.argv[1]))
