"""Which articles a question may read: chosen article ids and/or a publication-date range.

A ``Scope`` is resolved once, against the store's manifest, into the set of article ids it
allows (``allowed``); dense search (Chroma ``where`` on ``article_id``), the lexical index (a
mask over its chunk ids) and the evidence selector then filter by that one set, so the two
retrievers can never disagree about the scope and an answer can never cite outside it.

The trade-off: resolving dates to ids in Python (instead of a Chroma ``where`` on the date)
needs no numeric date field in the index, so indexes built before scoping keep working, at the
cost of one manifest read per scoped question (one row per article). An article without a date
is outside any date range: the error message says how many were left out for that reason.

>>> from rag.store import ArticleState
>>> arts = {"a": ArticleState("a", "h", "", "A", "2024-03-01", 1, 1, True),
...         "b": ArticleState("b", "h", "", "B", "2024-05-20", 1, 1, True)}
>>> sorted(Scope(since="2024-04-01").allowed(arts))
['b']
>>> Scope().allowed(arts) is None
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from rag.errors import ScopeError
from rag.store import ArticleState


def parse_day(value: str | dt.date | None, name: str) -> str | None:
    """A day, month or year in ISO form (``2024-05-31``, ``2024-05``, ``2024``), kept at the
    precision given: ``until="2024-05"`` includes all of May. ScopeError says what was wrong."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()
    for form in ("%Y-%m-%d", "%Y-%m", "%Y"):
        try:
            parsed = dt.datetime.strptime(text, form)
        except ValueError:
            continue
        return parsed.strftime(form)
    raise ScopeError(f"{name} must be a date like 2024-05-31 (or 2024-05, 2024), got {text!r}")


def _day_of(date: str) -> str:
    """The sortable day of an article's stored date ("" when it has none)."""
    date = (date or "").strip()[:10]
    return date if len(date) >= 4 and date[:4].isdigit() else ""


@dataclass(frozen=True)
class Scope:
    articles: tuple[str, ...] = field(default_factory=tuple)
    since: str | None = None
    until: str | None = None

    @classmethod
    def of(cls, articles=None, since=None, until=None) -> Scope:
        """Validated: ids de-duplicated in order, dates parsed, ``since`` not after ``until``."""
        ids = tuple(dict.fromkeys(str(a).strip() for a in (articles or []) if str(a).strip()))
        start, end = parse_day(since, "since"), parse_day(until, "until")
        if start and end and start > end:
            raise ScopeError(f"since ({start}) is after until ({end})")
        return cls(ids, start, end)

    @property
    def is_whole(self) -> bool:
        return not self.articles and not self.since and not self.until

    def describe(self) -> str:
        parts = []
        if self.articles:
            parts.append("articles " + ", ".join(self.articles))
        if self.since or self.until:
            parts.append(f"dated {self.since or '…'} to {self.until or '…'}")
        return "; ".join(parts) or "all articles"

    def allowed(self, articles: Mapping[str, ArticleState]) -> frozenset[str] | None:
        """The article ids in scope (None: no restriction), or ScopeError when ids are unknown
        or nothing is left (the message says why, so the user can widen it)."""
        if self.is_whole:
            return None
        unknown = [a for a in self.articles if a not in articles]
        if unknown:
            raise ScopeError("no article with id " + ", ".join(repr(a) for a in unknown)
                             + " (see `python -m rag articles`)")
        chosen = [articles[a] for a in self.articles] if self.articles else list(articles.values())
        kept = [s for s in chosen if self._in_dates(_day_of(s.date))]
        if not kept:
            undated = sum(1 for s in chosen if not _day_of(s.date))
            why = f" ({undated} of them have no date)" if undated and (self.since or self.until) else ""
            raise ScopeError(f"no article is in the scope {self.describe()}: {len(chosen)} considered{why}")
        return frozenset(s.article_id for s in kept)

    def _in_dates(self, day: str) -> bool:
        if not (self.since or self.until):
            return True
        if not day:
            return False
        if self.since and day < self.since:
            return False
        return not (self.until and day[: len(self.until)] > self.until)


def article_of_chunk(chunk_id: str) -> str:
    """``<article id>:<content hash>:c<n>`` -> the article id (ids may hold ':')."""
    return chunk_id.rsplit(":", 2)[0]


_SCOPE_KEYS = {("article_id", "=="): "articles", ("article_id", "in"): "articles",
               ("date", ">="): "since", ("date", "<="): "until"}


def scope_from_filters(filters) -> Scope:
    """llama-index ``MetadataFilters`` -> Scope: ``article_id`` with ``==``/``in`` and ``date``
    with ``>=``/``<=``, joined by AND. Anything else is a ScopeError, never silently ignored.

    >>> from llama_index.core.vector_stores import MetadataFilter, MetadataFilters
    >>> scope_from_filters(MetadataFilters(filters=[MetadataFilter(key="date", value="2024-01", operator=">=")]))
    Scope(articles=(), since='2024-01', until=None)
    """
    if filters is None:
        return Scope()
    if str(getattr(filters.condition, "value", filters.condition)).lower() != "and":
        raise ScopeError("only AND-joined filters are supported")
    found: dict[str, object] = {}
    for item in filters.filters:
        key = _SCOPE_KEYS.get((str(getattr(item, "key", "")), str(getattr(item.operator, "value", item.operator))))
        if key is None:
            raise ScopeError("supported filters: article_id == / in, date >= / <=; got "
                             f"{getattr(item, 'key', item)!r} {getattr(item, 'operator', '')!s}")
        value = item.value
        found[key] = list(value) if key == "articles" and isinstance(value, list | tuple) else (
            [value] if key == "articles" else value)
    return Scope.of(**found)
