"""The import layers of ``rag/``: a module imports only from its own package or from a lower
layer, lazy imports inside functions included (read from the source with ``ast``, so a cycle
hidden in a function body counts too). ``python tests/test_import_layers.py`` prints the map.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

LAYERS: list[list[str]] = [  # lowest first
    ["rag.errors"],
    ["rag.text", "rag.machine", "rag.write_lock", "rag.store_errors", "rag.heap_trim", "rag.settings"],
    ["rag.embed_dtype", "rag.model_files", "rag.store"],
    ["rag.embedder", "rag.backends", "rag.retrieval"],
    ["rag.ingest"],
    ["rag.answer"],
    ["rag.kinds", "rag.export"],  # question kinds beyond one fact; Markdown export of answers
    ["rag.engine"],
    ["rag", "rag.cli"],  # the package's public face and its command line
    ["rag.__main__"],
]


def unit(module: str) -> str:
    """The layered unit a module belongs to: its sub-package (``rag.answer``) or itself.

    >>> unit("rag.answer.checks"), unit("rag.settings"), unit("rag")
    ('rag.answer', 'rag.settings', 'rag')
    """
    return ".".join(module.split(".")[:2])


def imports() -> set[tuple[str, str]]:
    """(importing module, imported module) for every ``rag`` import in rag/, lazy ones too."""
    edges = set()
    for path in (ROOT / "rag").rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            edges |= {(module, name) for name in names if name == "rag" or name.startswith(("rag.", "app", "eval"))}
    return edges


def test_no_module_imports_from_a_higher_layer():
    level = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    units = {unit(a) for edge in imports() for a in edge if a.startswith("rag")}
    assert not units - set(level), f"put these in a layer: {sorted(units - set(level))}"
    upward = sorted((a, b) for a, b in imports() if unit(a) != unit(b)
                    and (not b.startswith("rag") or level[unit(b)] >= level[unit(a)]))
    assert not upward, upward


if __name__ == "__main__":
    level = {name: i for i, layer in enumerate(LAYERS) for name in layer}
    uses: dict[str, set[str]] = {}
    for a, b in imports():
        if unit(a) != unit(b):
            uses.setdefault(unit(a), set()).add(unit(b))
    for i, layer in enumerate(LAYERS):
        for name in layer:
            print(f"{i} {name:18} -> {', '.join(sorted(uses.get(name, set()), key=lambda u: level[u]))}")
