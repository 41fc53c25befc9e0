"""Scope: questions limited to chosen articles and dates. Pure rules first, then enforcement on
the real Chroma and the real lexical index (fake embedder: the dense side still filters in
Chroma's ``where``; the real models run in tests/test_scope_real.py)."""

from __future__ import annotations

import pytest
from llama_index.core.vector_stores import FilterCondition, MetadataFilter, MetadataFilters

from rag import Scope, ScopeError
from rag.retrieval.scope import scope_from_filters
from rag.store import ArticleState

ARTICLES = {aid: ArticleState(aid, "h", "", aid.upper(), date, 1, 1, True)
            for aid, date in [("jan", "2024-01-15"), ("mar", "2024-03-18"), ("may", "2024-05-31"), ("undated", "")]}


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({"since": "2024-03-18"}, {"mar", "may"}),
    ({"until": "2024-03"}, {"jan", "mar"}),  # a month includes all its days
    ({"since": "2024-02", "until": "2024-04-30"}, {"mar"}),
    ({"articles": ["jan", "undated"]}, {"jan", "undated"}),
    ({"articles": ["jan", "may"], "since": "2024-02-01"}, {"may"}),
    ({"since": "2024"}, {"jan", "mar", "may"}),
])
def test_scope_resolves_to_article_ids(kwargs, expected):
    assert Scope.of(**kwargs).allowed(ARTICLES) == expected


def test_whole_collection_is_no_restriction():
    assert Scope.of().allowed(ARTICLES) is None and Scope.of(articles=[" "]).is_whole


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"since": "last week"}, "since must be a date like 2024-05-31"),
    ({"until": "2024-13-01"}, "until must be a date"),
    ({"since": "2024-05-01", "until": "2024-04-01"}, "since (2024-05-01) is after until (2024-04-01)"),
])
def test_malformed_scope_says_what_is_wrong(kwargs, message):
    with pytest.raises(ScopeError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Scope.of(**kwargs)


def test_empty_or_unknown_scope_is_a_message_not_a_refusal():
    with pytest.raises(ScopeError, match="no article with id 'nope'"):
        Scope.of(articles=["nope"]).allowed(ARTICLES)
    with pytest.raises(ScopeError, match=r"no article is in the scope dated 2025-01 to …: 4 considered \(1 of them have no date\)"):
        Scope.of(since="2025-01").allowed(ARTICLES)


def test_llamaindex_filters_become_a_scope_and_unsupported_ones_are_refused():
    filters = MetadataFilters(filters=[MetadataFilter(key="article_id", value=["jan", "may"], operator="in"),
                                       MetadataFilter(key="date", value="2024-02", operator=">=")])
    assert scope_from_filters(filters).allowed(ARTICLES) == {"may"}
    one = MetadataFilters(filters=[MetadataFilter(key="article_id", value="mar")])
    assert scope_from_filters(one).articles == ("mar",)
    with pytest.raises(ScopeError, match="supported filters"):
        scope_from_filters(MetadataFilters(filters=[MetadataFilter(key="title", value="X")]))
    with pytest.raises(ScopeError, match="AND"):
        scope_from_filters(MetadataFilters(filters=one.filters, condition=FilterCondition.OR))


QUESTIONS = ["الناتو أذربيجان", "ستولتنبرغ باكو", "Azerbaijan NATO partnership", "الاتحاد الأوروبي"]


@pytest.mark.parametrize("question", QUESTIONS)
def test_both_retrievers_stay_inside_the_scope(fake_rag, seeds_copy, question):
    fake_rag.ingest([seeds_copy])
    ids = sorted(a["article_id"] for a in fake_rag.articles())
    chosen = [ids[1], ids[3]]
    scope = fake_rag.scope(chosen)
    passages = fake_rag.retrieve(question, 10, scope=scope)
    assert passages and {p.article_id for p in passages} <= set(chosen)
    retriever = fake_rag.retriever.with_scope(frozenset(chosen))
    assert {cid.rsplit(":", 2)[0] for cid, _ in retriever.bm25.search(question, 50, frozenset(chosen))} <= set(chosen)
    unscoped = {p.article_id for p in fake_rag.retrieve(question, 10)}
    assert unscoped - set(chosen), "the question reaches other articles without a scope (else this test proves nothing)"


def test_llamaindex_retriever_honours_metadata_filters(fake_rag, seeds_copy):
    fake_rag.ingest([seeds_copy])
    only = sorted(a["article_id"] for a in fake_rag.articles())[2]
    filters = MetadataFilters(filters=[MetadataFilter(key="article_id", value=only)])
    nodes = fake_rag.as_retriever(8, filters=filters).retrieve("الناتو أذربيجان ستولتنبرغ")
    assert nodes and {n.node.metadata["article_id"] for n in nodes} == {only}
