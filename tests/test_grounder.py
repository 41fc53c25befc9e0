"""The grounding check's work (rag/answer/grounder.py) on hand-made drafts: letters, meaning
across scripts, repair of a detail, and refusal when the detail is the asked-for core. The
embedder is a fake whose cosine is shared hashed words, or a table of fixed cosines; the real
EmbeddingGemma path runs in the model-backed tests and in `python -m eval.matcher_pairs`."""

from __future__ import annotations

import numpy as np
import pytest

from rag.answer.citations import parse_answer
from rag.answer.grounder import Grounder
from rag.answer.verdicts import Draft
from rag.retrieval.evidence import Segment, Source
from rag.settings import Settings

SOURCE = "التقى الأمين العام لحلف الناتو ينس ستولتنبرغ الرئيس إلهام علييف في باكو يوم الجمعة."


class TableEmbedder:
    """Every query vector is the unit vector e0 scaled so that its cosine with the source (whose
    vector is fixed) is the number the test asks for."""

    def __init__(self, cosine: float):
        self.cosine = cosine

    def embed_queries(self, texts):
        c = self.cosine
        return [[c, float(np.sqrt(max(0.0, 1 - c * c)))] for _ in texts]


def draft(question: str, reply: str, lang: str = "en") -> Draft:
    seg = Segment("a1", "زيارة", "2024-03-15", SOURCE, 0, len(SOURCE), embedding=[1.0, 0.0])
    return Draft(question, question, lang, [Source(1, "a1", "زيارة", "2024-03-15", [seg])],
                 sentences=parse_answer(reply, 1), raw=reply)


def test_letters_ground_a_transliterated_name_and_the_weekday():
    d = draft("Who did Aliyev meet?", "Jens Stoltenberg met Ilham Aliyev in Baku on Friday [1].")
    kept, dropped = Grounder(Settings(), TableEmbedder(0.1)).ground(d)
    assert len(kept) == 1 and not dropped and d.grounding.support == [1.0] and not d.grounding.repairs


def test_an_unsupported_detail_is_cut_and_the_answer_kept():
    d = draft("Where did Aliyev meet Stoltenberg?", "Aliyev met Stoltenberg in Baku on Tuesday [1].")
    kept, _ = Grounder(Settings(), TableEmbedder(0.6)).ground(d)  # what is left has no claim: meaning judges it
    assert [s.text for s in kept] == ["Aliyev met Stoltenberg in Baku."]
    assert "weekday 2" in d.grounding.repairs[0]


def test_an_unsupported_core_is_refused_not_repaired():
    d = draft("When did Aliyev meet Stoltenberg?", "Aliyev met Stoltenberg in Baku on Tuesday [1].")
    kept, dropped = Grounder(Settings(), TableEmbedder(0.1)).ground(d)
    assert not kept and "weekday 2" in dropped[0]


def test_meaning_across_scripts_grounds_a_name_letters_miss_and_only_above_the_threshold():
    reply = "The Secretary-General of the Atlantic Alliance met the president [1]."  # "Atlantic" ~ الناتو
    for cosine, expected in ((0.7, 1), (0.3, 0)):
        d = draft("Who met the president?", reply)
        kept, _ = Grounder(Settings(min_claim_similarity=0.55), TableEmbedder(cosine)).ground(d)
        assert len(kept) == expected, cosine
    d = draft("Who met the president?", reply)
    Grounder(Settings(min_claim_similarity=0.55), TableEmbedder(0.7)).ground(d)
    assert abs(d.grounding.support[0] - 0.7) < 1e-6  # a meaning match counts as its cosine, for the confidence


def test_meaning_never_rescues_a_number():
    d = draft("How long did the visit last?", "The visit lasted 9 days [1].")
    kept, _ = Grounder(Settings(), TableEmbedder(0.95)).ground(d)
    assert not kept


def test_an_answer_whose_asked_for_date_was_dropped_is_not_an_answer(make_rag):
    """Short answer first: an invented year as the short answer, then a true sentence without a
    date. Dropping the year leaves no answer to "when": asked again, then refused."""
    from tests.test_answer_flow import source_lines

    def reply(messages):
        return f"1887 [1]. {source_lines(messages)[1]} [1]"

    rag, llm = make_rag(reply, reply)
    answer = rag.ask("متى عقد الاجتماع؟")
    assert not answer.answered and answer.refused_by == "grounding", answer.text
    assert "1887" in llm.calls[1][-1]["content"]


@pytest.mark.slow
def test_with_the_real_embedder_meaning_grounds_a_faithful_english_claim_and_not_an_unrelated_one(seeded_rag):
    """The meaning path with EmbeddingGemma itself: an English claim that says what the Arabic
    sentence says, with no name the letters can match ("the NATO chief", "the head of state"),
    is kept; a claim about something the sentence never mentions is dropped."""
    embedder = seeded_rag.embedder
    vector = embedder.embed_documents([embedder.document_text("زيارة", SOURCE)])[0]

    def real_draft(reply: str) -> Draft:
        seg = Segment("a1", "زيارة", "2024-03-15", SOURCE, 0, len(SOURCE), embedding=[float(x) for x in vector])
        return Draft("Who met the president?", "Who met the president?", "en",
                     [Source(1, "a1", "زيارة", "2024-03-15", [seg])], sentences=parse_answer(reply, 1), raw=reply)

    grounder = Grounder(Settings(), embedder)
    faithful = real_draft("The secretary general of the alliance met the head of state in the capital [1].")
    unrelated = real_draft("The alliance secretary general launched a new smartphone with a bigger screen [1].")
    kept, _ = grounder.ground(faithful)
    assert len(kept) == 1 and faithful.grounding.support[0] >= Settings().min_claim_similarity
    kept, _ = grounder.ground(unrelated)
    assert not kept
