"""Pure tests for reply cleaning (rag.answer.reply). No model, no store."""

from rag.answer.reply import answer_sentences

SOURCES = [("أمين الناتو: نتطلع لتعزيز الشراكة مع أذربيجان", "2024-03-18"), ("Second title", "")]


def texts(raw):
    return [(s.text, s.numbers) for s in answer_sentences(raw, SOURCES, len(SOURCES))]


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


def test_a_repeated_question_is_not_an_answer_sentence():
    raw = "من هو المندوب الدائم لتركيا لدى الناتو؟ [1] المندوب هو باشا أوغلو. [1]"
    assert texts(raw) == [("المندوب هو باشا أوغلو.", [1])]
