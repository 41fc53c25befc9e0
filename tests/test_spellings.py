"""Pure tests for Arabic name spellings (rag.answer.spellings). No model, no store."""

from rag.answer.spellings import add_arabic_names, drop_unsourced_arabic


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


def test_invented_arabic_in_brackets_is_dropped_then_the_real_spelling_added():
    passage = "تصل الشبكة عبر ناخيتشيفان إلى إيران"
    sentence = drop_unsourced_arabic("The link runs through Nakhchivan (العربية).", passage)
    assert sentence == "The link runs through Nakhchivan."
    assert add_arabic_names(sentence, passage) == "The link runs through Nakhchivan (ناخيتشيفان)."
    kept = "It was held in Brussels (ببروكسل)."  # a clitic form of a word the passage has
    assert drop_unsourced_arabic(kept, "عقد الحوار في بروكسل") == kept
