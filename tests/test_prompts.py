import pytest

from rag.answer.prompts import examples, load, parse_turns


def test_turn_files_parse_and_malformed_ones_are_rejected():
    assert [t["role"] for t in parse_turns("### user\nQ\n### assistant\nA [1].")] == ["user", "assistant"]
    with pytest.raises(ValueError, match="before the first"):
        parse_turns("stray text\n### user\nQ")
    with pytest.raises(ValueError, match="empty assistant"):
        parse_turns("### user\nQ\n### assistant\n")


@pytest.mark.parametrize("lang", ["ar", "en"])
def test_worked_examples_follow_the_real_prompt_format(lang):
    """The example turns must look like a real turn: the answer template's framing, sources
    numbered like ours, answers cited (or the NOT_FOUND sentinel), user/assistant alternating."""
    turns = examples(lang)
    assert [t["role"] for t in turns] == ["user", "assistant"] * (len(turns) // 2) and turns
    template = load("answer", lang)
    first_line, last_line = template.splitlines()[0], template.splitlines()[-1]
    for user, reply in zip(turns[::2], turns[1::2]):
        assert user["content"].startswith(first_line) and user["content"].endswith(last_line)
        assert "[1] " in user["content"]
        assert reply["content"] == "NOT_FOUND" or texts_of(reply["content"])


def texts_of(reply):
    from rag.answer.citations import parse_answer
    return [s for s in parse_answer(reply, 3) if s.numbers]
