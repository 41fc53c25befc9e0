"""The README's Python examples run as written, so they cannot go stale.

Both ```python blocks are executed in order, in one fresh interpreter (as a reader pastes them)
over an empty data folder, with the real embedding model and the embedded LLM. What they print
is checked only for what the README promises: a retrieval result, an Arabic answer to the Arabic
question, streamed deltas then a final answer, and the llama-index objects' fields.
"""

from __future__ import annotations

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
    env = {**os.environ, "RAG_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "README_OK" in done.stdout
