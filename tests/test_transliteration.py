import pytest

from rag.text.transliteration import arabic_skeleton, best_match, latin_skeleton, similarity


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
