from rag.text.numbers import numbers_in


def test_numbers_in():
    assert numbers_in("١٢٠٬٠٠٠ and 3.5") == {120000, 3, 5}
