"""``python -m rag.backends.llamacpp_probe --library LIB --model GGUF``: prove one CPU variant.

Run in a child process by llamacpp_runtime.py, never in the product's own process: it loads
exactly one llama.cpp CPU library, reads a real prompt of more than 512 tokens with the
project's model and generates a few tokens greedily. A variant whose instructions the machine
cannot run kills this child (SIGILL), not the caller; one that computes garbage fails the
answer check. It prints one JSON line: ``ok``, ``why``, the reply, and the measured prompt and
generation speeds (the benchmark's per-variant table comes from here too).

The prompt counts from 1 to 150 and the model must go on "151, 152": short prompts ("Hello")
never reach the batched matrix kernels (the AMX ones crash only on batches), the count is ~600
tokens, and its continuation is one that any working model produces and wrong arithmetic does
not. (A needle-in-a-list question was tried first: the 1.5B model missed it on good kernels.)

>>> text, expected = probe_prompt(3)
>>> text.splitlines()[1], expected
('1, 2, 3,', '4, 5')
"""

from __future__ import annotations

import argparse
import ctypes
import json
import sys
import time

GENERATE = 16  # tokens: the next numbers (one token per digit), and a generation speed


def probe_prompt(upto: int = 150) -> tuple[str, str]:
    """The prompt (a count to ``upto``) and how its continuation must start."""
    return "Count from 1 to 1000, separated by commas.\n" + ", ".join(map(str, range(1, upto + 1))) + ",", \
        f"{upto + 1}, {upto + 2}"


def run(library: str, model: str, threads: int, n_batch: int, generate: int = GENERATE) -> dict:
    import llama_cpp
    import llama_cpp.llama_cpp as lib

    load = lib._lib.ggml_backend_load
    load.argtypes, load.restype = [ctypes.c_char_p], ctypes.c_void_p
    if not load(library.encode()):
        return {"ok": False, "why": f"llama.cpp could not load {library}"}
    llm = llama_cpp.Llama(model_path=model, n_ctx=2048, n_threads=threads, n_batch=n_batch, verbose=False)
    text, expected = probe_prompt()
    tokens = llm.tokenize(text.encode(), add_bos=False)
    started = time.perf_counter()
    first, out = 0.0, list[int]()
    for token in llm.generate(tokens, temp=0.0):
        if not out:
            first = time.perf_counter()
        if token == llm.token_eos() or len(out) >= generate:
            break
        out.append(token)
    done = time.perf_counter()
    reply = llm.detokenize(out).decode("utf-8", errors="replace").strip()
    ok = " ".join(reply.split()).startswith(expected)
    return {"ok": ok, "why": "" if ok else f"wrong output: {reply[:60]!r} instead of {expected!r}",
            "reply": reply, "prompt_tokens": len(tokens),
            "prefill_tokens_per_s": round(len(tokens) / max(first - started, 1e-9), 1),
            "generate_tokens_per_s": round((len(out) - 1) / max(done - first, 1e-9), 1) if len(out) > 1 else 0.0}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m rag.backends.llamacpp_probe")
    p.add_argument("--library", required=True, help="one libggml-cpu-<variant>.so")
    p.add_argument("--model", required=True, help="the GGUF file")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--n-batch", type=int, default=64)
    p.add_argument("--generate", type=int, default=GENERATE, help="tokens to generate (more: a steadier speed)")
    args = p.parse_args(argv)
    result = run(args.library, args.model, args.threads, args.n_batch, args.generate)
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
