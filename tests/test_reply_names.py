"""Pure tests for reply cleaning (rag.answer.reply), Arabic name spellings (rag.answer.spellings) and the
number-aware support terms (rag.answer.support). No model, no store."""

import pytest

from rag.answer.grounding import Facts, claims, match
from rag.answer.prompts import examples, load, parse_turns
from rag.answer.reply import clean
from rag.answer.spellings import add_arabic_names, drop_unsourced_arabic
from rag.text.numbers import numbers_in
from rag.text.transliteration import arabic_skeleton, best_match, latin_skeleton, similarity

SOURCES = [("أمين الناتو: نتطلع لتعزيز الشراكة مع أذربيجان", "2024-03-18"), ("Second title", "")]


def texts(raw):
    return [(s.text, s.numbers) for s in clean(raw, SOURCES, len(SOURCES))]


def test_echoed_header_with_date_is_not_an_answer():
    raw = "المصادر:\n[1] أمين الناتو: نتطلع لتعزيز الشراكة مع أذربيجان (2024-03-18)\n\nالإجابة:\n"
    assert texts(raw) == []


def test_title_prefix_is_cut_but_the_claim_stays():
    raw = "أمين الناتو: نتطلع لتعزيز الشراكة مع أذربيجان (2024-03-18) الزيارة تستغرق ثلاثة أيام. [1]"
    assert texts(raw) == [("الزيارة تستغرق ثلاثة أيام.", [1])]


def test_labels_and_trailing_source_line_go():
    assert texts("التقييم: 3 أيام\n\nالمصدر: [1]") == [("3 أيام", [1])]
    assert texts("Answer: Baku. [2]\nSource: [2]") == [("Baku.", [2])]


def test_real_sentences_pass_untouched():
    raw = "Stoltenberg met Aliyev in Baku. [1] He then went to Tbilisi. [2]"
    assert texts(raw) == [("Stoltenberg met Aliyev in Baku.", [1]), ("He then went to Tbilisi.", [2])]


@pytest.mark.parametrize("latin, arabic", [
    ("Bayramov", "بيراموف"), ("Biramov", "بيراموف"), ("Hajiyev", "حاجييف"), ("Michel", "ميشيل"),
    ("Pashinyan", "باشينيان"), ("Tbilisi", "تبليسي"), ("Kosovo", "كوسوفو"), ("Egmont", "ايغمونت"),
    ("Kabul", "كابول"), ("Nakhchivan", "ناختشيفان"),
])
def test_transliterations_sound_alike(latin, arabic):
    assert similarity(latin_skeleton(latin), arabic_skeleton(arabic)) >= 0.75


def test_unrelated_words_do_not_match():
    assert similarity(latin_skeleton("Broomfield"), arabic_skeleton("بروكسل")) < 0.75
    assert best_match("Europe", "وقال وزير الخارجية جيهون بيراموف".split())[0] < 0.75


def test_source_spelling_is_attached_to_a_garbled_name():
    passage = "أكد وزير الخارجية الأذربيجاني، جيهون بيراموف، على ضرورة تعزيز التعاون"
    out = add_arabic_names("The foreign minister of Azerbaijan is Jeyhun Biramov.", passage,
                           known="Who is the foreign minister of Azerbaijan?")
    assert out == "The foreign minister of Azerbaijan is Jeyhun Biramov (جيهون بيراموف)."


def test_clitic_prefix_is_dropped_and_known_or_present_names_skipped():
    passage = "وقال مورا في بروكسل ببروكسل"
    assert add_arabic_names("Ernest Moora said so.", passage) == "Ernest Moora (مورا) said so."
    assert add_arabic_names("Moora said so.", passage, known="What did Moora say?") == "Moora said so."
    assert add_arabic_names("Moora (مورا) said so.", passage) == "Moora (مورا) said so."


def test_no_arabic_passage_changes_nothing():
    assert add_arabic_names("Stoltenberg met Aliyev.", "Stoltenberg met Aliyev in Baku.") == \
        "Stoltenberg met Aliyev."


def test_number_words_and_spaced_thousands_support_a_short_answer():
    segment = "جاءت تصريحات ستولتنبرج في مستهل زيارة تستغرق ثلاثة أيام للعاصمة باكو"
    question = "كم يوما تستغرق الزيارة؟"
    assert match(claims("3 أيام", question), Facts.of(segment), 0.75, 0.5).grounded
    assert numbers_in("120, 000 people") == {120000}
    assert numbers_in("in 2002, 300 soldiers") == {2002, 300}
    assert not match(claims("5 أيام", question), Facts.of(segment), 0.75, 0.5).grounded


def test_a_repeated_question_is_not_an_answer_sentence():
    raw = "من هو المندوب الدائم لتركيا لدى الناتو؟ [1] المندوب هو باشا أوغلو. [1]"
    assert texts(raw) == [("المندوب هو باشا أوغلو.", [1])]


def test_invented_arabic_in_brackets_is_dropped_then_the_real_spelling_added():
    passage = "تصل الشبكة عبر ناخيتشيفان إلى إيران"
    sentence = drop_unsourced_arabic("The link runs through Nakhchivan (العربية).", passage)
    assert sentence == "The link runs through Nakhchivan."
    assert add_arabic_names(sentence, passage) == "The link runs through Nakhchivan (ناخيتشيفان)."
    kept = "It was held in Brussels (ببروكسل)."  # a clitic form of a word the passage has
    assert drop_unsourced_arabic(kept, "عقد الحوار في بروكسل") == kept


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
