"""The README's Python examples run as written, so they cannot go stale.

Both ```python blocks are executed in order, in one fresh interpreter (as a reader pastes them)
over an empty data folder, with the real embedding model and the embedded LLM. What they print
is checked only for what the README promises: a retrieval result, an Arabic answer to the Arabic
question, streamed deltas then a final answer, and the llama-index objects' fields.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(markdown: str) -> list[str]:
    """The fenced ```python blocks of a Markdown text, in order.

    >>> python_blocks("x\\n```python\\nprint(1)\\n```\\n```bash\\nls\\n```\\n")
    ['print(1)\\n']
    """
    return re.findall(r"^```python\n(.*?)^```", markdown, flags=re.S | re.M)


CHECKS = """
assert rag.retrieve("Who is Azerbaijan's defence minister?", k=5), "retrieve found nothing"
assert answer.language == "ar" and (not answer.answered or answer.citations)
assert nodes and all(n.node.metadata.get("article_id") for n in nodes)
assert response.metadata["answered"] in (True, False) and isinstance(response.response, str)
print("README_OK")
"""


@pytest.mark.slow
def test_the_readme_python_examples_run(tmp_path):
    blocks = python_blocks((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(blocks) >= 2, "the README lost its Python examples"
    script = "\n".join(blocks) + CHECKS
    # answers capped at 64 tokens: this test proves the examples run as written (what they return
    # is checked by the answer tests); full-length answers made it the slowest test (179 s)
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data"), "RAG_MAX_NEW_TOKENS": "64"}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "README_OK" in done.stdout


def test_the_check_order_in_the_docs_is_the_code_order():
    """README's picture and docs/how-it-works.md's table list the checks in ``CHECK_ORDER``."""
    from rag.answer.checks import CHECK_NAMES

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    before = re.search(r"check before the model: (.*)", readme)
    after = re.search(r"checks after the model: (.*)", readme)
    assert before and after, "README lost its pipeline picture"
    pictured = [re.sub(r"\s*\(.*\)", "", name).strip() for name in (before[1] + " ─ " + after[1]).split("─")]
    assert pictured == list(CHECK_NAMES)
    table = re.findall(r"^\| `(\w+)` \|", (ROOT / "docs/how-it-works.md").read_text(encoding="utf-8"), flags=re.M)
    assert table == list(CHECK_NAMES)


PARSE_ALL = """
import argparse, json, runpy, sys
depth = [0]
class Parsed(BaseException):  # not an Exception: no program's own error handling catches it
    pass
def wrap(original):
    def parse(self, *args, **kwargs):
        depth[0] += 1
        try:
            result = original(self, *args, **kwargs)
        finally:
            depth[0] -= 1
        if depth[0] == 0:  # the program's own parse finished without an error: stop before any work
            raise Parsed()
        return result
    return parse
argparse.ArgumentParser.parse_args = wrap(argparse.ArgumentParser.parse_args)
argparse.ArgumentParser.parse_known_args = wrap(argparse.ArgumentParser.parse_known_args)
for i, argv in enumerate(json.loads(sys.argv[1])):
    sys.argv = list(argv)
    try:
        runpy.run_module(argv[0], run_name="__main__", alter_sys=True)
        print(f"RAN-WITHOUT-PARSING {i}")
    except Parsed:
        print(f"PARSED {i}")
    except SystemExit as exc:
        print(f"EXIT {i} {exc.code}")
"""
FILLERS = {"…": "Who met Stoltenberg?", "PATH": "seeds", "ID": "some-article", "FILE": "eval/gold.jsonl",
           "DIR": "seeds", "N": "3", "K": "3", "NAME": "readme"}


def readme_commands(markdown: str) -> list[list[str]]:
    """Every ``python -m …`` command quoted in the README, as an argv with its placeholders filled:
    optional ``[…]`` parts kept (so every flag is tried), ``a|b`` alternatives as their first.

    >>> readme_commands('`python -m rag ask "…" [--backend auto\\\\|ollama]`, `python -m rag ingest [PATH ...]`')
    [['rag', 'ask', 'Who met Stoltenberg?', '--backend', 'auto'], ['rag', 'ingest', 'seeds']]
    """
    commands = []
    for quoted in re.findall(r"`python -m ([^`]+)`", markdown):
        words = re.findall(r'"[^"]*"|\S+', quoted.replace("\\|", "|").replace("[", " ").replace("]", " "))
        argv = [FILLERS.get(w.strip('"'), w.strip('"')).split("|")[0] for w in words if w != "..."]
        commands.append(argv)
    return commands


def test_every_readme_command_parses():
    """Each command the README quotes is accepted, flags and all, by the program's own parser
    (parsed in one child interpreter that stops each right after parsing; the commands themselves run
    in test_cli.py, test_eval*.py and the CI gates)."""
    commands = readme_commands((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(commands) >= 10, commands
    done = subprocess.run([sys.executable, "-c", PARSE_ALL, json.dumps(commands)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)  # one interpreter: the imports are paid once
    verdicts = dict(line.split(" ", 1)[::-1] for line in done.stdout.splitlines() if line.split(" ")[0].isupper())
    failed = [(argv, verdicts.get(str(i), "no verdict")) for i, argv in enumerate(commands)
              if verdicts.get(str(i)) != "PARSED"]
    assert not failed, (failed, done.stderr[-1500:])
