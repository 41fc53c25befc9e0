import pytest

from rag.answer.citations import cited_numbers, parse_answer, render, strip_markers


@pytest.mark.parametrize("text, numbers", [
    ("Baku hosted the talks [1].", [[1]]),
    ("Baku hosted the talks. [1]", [[1]]),
    ("Baku hosted the talks [1, 2].", [[1, 2]]),
    ("Baku hosted the talks [1][2].", [[1, 2]]),
    ("Baku hosted the talks 【2】.", [[2]]),
    ("Baku hosted the talks【1، 2】.", [[1, 2]]),
    ("استضافت باكو المحادثات [١].", [[1]]),
    ("استضافت باكو المحادثات [٢، ١].", [[2, 1]]),
    ("استضافت باكو المحادثات [المصدر 2].", [[2]]),
    ("Baku hosted the talks [Source 1].", [[1]]),
    ("Baku hosted the talks [7].", [[]]),            # no such source: dropped
    ("Baku hosted the talks [0] [2].", [[2]]),
    ("Baku hosted the talks [1][1].", [[1]]),        # duplicates collapse
    ("He arrived. [1] She left. [2]", [[1], [2]]),
    ("He arrived [1]. She left.", [[1], []]),
])
def test_marker_forms(text, numbers):
    assert [s.numbers for s in parse_answer(text, n_sources=3)] == numbers


def test_text_is_clean_of_markers():
    sents = parse_answer("Stoltenberg visited Baku [1] for three days [2].", 2)
    assert sents[0].text == "Stoltenberg visited Baku for three days."
    assert sents[0].numbers == [1, 2]


def test_render_is_canonical_and_keeps_paragraphs():
    sents = parse_answer("First point 【1】.\nSecond point [٢].", 2)
    assert render(sents) == "First point. [1]\nSecond point. [2]"
    assert cited_numbers(sents) == [1, 2]


def test_numbers_in_brackets_that_are_not_markers_stay():
    text, found = strip_markers("The [a] note (2024) stays")
    assert text == "The [a] note (2024) stays" and not found


def test_empty_answer():
    assert parse_answer("", 3) == [] and render([]) == ""
