import numpy as np

from rag.retrieval.evidence import Segment, score_segments, select_sources
from rag.text.token_count import approx_tokens

WEIGHTS = {"lexical_weight": 0.15, "top_chunk_bonus": 0.04}


def unit(*xs):
    v = np.asarray(xs, dtype=np.float32)
    return (v / np.linalg.norm(v)).tolist()


def seg(aid, text, start, emb, top=False):
    return Segment(aid, f"title {aid}", "", text, start, start + len(text), emb, top)


def test_selection_prefers_similar_segments_and_groups_by_article():
    segs = [seg("a", "far away text", 0, unit(0, 1, 0)), seg("b", "close text two", 50, unit(1, 0.1, 0)),
            seg("a", "close text one", 100, unit(1, 0, 0)), seg("b", "close text three", 10, unit(1, 0.2, 0))]
    best = score_segments("query", unit(1, 0, 0), segs, **WEIGHTS)
    assert abs(best - 1.0) < 1e-5
    sources = select_sources(segs, 100, approx_tokens, max_segments=3, margin=0.15)
    assert [s.article_id for s in sources] == ["a", "b"]           # article of the best segment first
    assert [s.number for s in sources] == [1, 2]
    assert sources[1].texts == ["close text three", "close text two"]  # document order inside a source
    assert all("far away" not in t for s in sources for t in s.texts)


def test_selection_respects_budget():
    segs = [seg("a", "x" * 300, i * 400, unit(1, 0.01 * i, 0)) for i in range(5)]
    score_segments("q", unit(1, 0, 0), segs, **WEIGHTS)
    sources = select_sources(segs, 250, approx_tokens, max_segments=6, margin=0.15)
    assert sum(len(s.segments) for s in sources) == 2  # 100 approx tokens each


def test_lexical_overlap_lifts_a_segment():
    segs = [seg("a", "نص عن الطاقة", 0, unit(1, 0, 0)), seg("b", "ناختشيفان سكة حديد", 0, unit(0.9, 0.43, 0))]
    score_segments("سكة حديد ناختشيفان", unit(1, 0, 0), segs, **WEIGHTS)
    assert segs[1].score > segs[0].score
