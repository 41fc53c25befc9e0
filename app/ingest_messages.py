"""What happened to the reader's files and links, in plain words (pure: no gradio).

``IngestReport.summary()`` counts for the command line ("added 1, updated 0, ..."); a reader
who added one file wants to know what became of *that* file: "added: <title>", "already there:
<title>", "could not read <name>: <why>".

>>> from rag import IngestReport
>>> r = IngestReport(added=["a"], unchanged=["b"], skipped=[("x.png", "unsupported file type .png")])
>>> print(ingest_message(r, {"a": "Metro opens", "b": "Nile"}))
added: Metro opens
already there: Nile
could not read x.png: unsupported file type .png
"""

from __future__ import annotations

from pathlib import Path

from rag import IngestReport


def _name(path: str) -> str:
    return path if "://" in path else Path(path).name


def ingest_message(report: IngestReport, titles: dict[str, str]) -> str:
    """One line per article or failure; ``titles`` maps article ids to titles."""
    lines = [f"added: {titles.get(a) or a}" for a in report.added]
    lines += [f"updated: {titles.get(a) or a}" for a in report.updated]
    lines += [f"already there: {titles.get(a) or a}" for a in report.unchanged]
    for path, why in report.skipped:
        if why.startswith("same text as "):
            twin = why.removeprefix("same text as ")
            lines.append(f"already there: {_name(path)} (the same text as {titles.get(twin) or twin})")
        else:
            lines.append(f"could not read {_name(path)}: {why}")
    return "\n".join(lines) or "nothing new to add"
