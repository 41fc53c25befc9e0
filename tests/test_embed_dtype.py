"""The embedding dtype: bfloat16 only where the CPU has it natively and it was shown, on this
machine, to give float32's scores; the verdict is remembered."""

from __future__ import annotations

import pytest

from rag import embed_dtype
from rag.embed_dtype import SCORE_TOLERANCE, remembered, verified_dtype
from rag.machine import cpu_flags
from rag.settings import Settings

BF16 = {"avx512f", "avx512_bf16"}


def test_explicit_settings_and_cpus_without_bf16_never_probe(tmp_path, monkeypatch):
    monkeypatch.setattr(embed_dtype, "_probe", lambda *a: pytest.fail("no probe expected"))
    assert verified_dtype("float32", "m", tmp_path, flags=BF16) == "float32"
    assert verified_dtype("bfloat16", "m", tmp_path, flags=set()) == "bfloat16"
    assert verified_dtype("auto", "m", tmp_path, flags={"avx2"}) == "float32"


def test_a_rejected_bf16_check_means_float32_and_is_remembered(tmp_path, monkeypatch):
    calls = []

    def failing(model_path, timeout_s):
        calls.append(model_path)
        return {"ok": False, "why": "the check died (exit -4): Illegal instruction"}

    monkeypatch.setattr(embed_dtype, "_probe", failing)
    assert verified_dtype("auto", str(tmp_path / "model"), tmp_path, flags=BF16) == "float32"
    assert verified_dtype("auto", str(tmp_path / "model"), tmp_path, flags=BF16) == "float32"
    assert len(calls) == 1  # the second start read the verdict


def test_a_passed_check_means_bfloat16(tmp_path, monkeypatch):
    monkeypatch.setattr(embed_dtype, "_probe", lambda *a: {"ok": True, "gap": 0.001})
    assert verified_dtype("auto", str(tmp_path / "model"), tmp_path, flags=BF16) == "bfloat16"


@pytest.mark.slow
@pytest.mark.skipif(not cpu_flags() & {"avx512_bf16", "amx_bf16"}, reason="this CPU has no native bf16")
def test_bf16_scores_match_float32_on_this_cpu(tmp_path):
    """The real check, in a child process, on this machine's CPU (a Sapphire Rapids VM where the
    issue was found, or any CPU with native bf16)."""
    model = Settings().embed_model_path
    assert verified_dtype("auto", model, tmp_path) == "bfloat16"
    verdict = remembered(model, tmp_path)
    assert verdict is not None and verdict["ok"] and 0 <= verdict["gap"] <= SCORE_TOLERANCE, verdict
