from pathlib import Path

import pytest

from rag.ingest.clean import clean_article, find_date, is_debris

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

DEBRIS = ["Close ad", "SHARE:", "تم النشر", "on", "إعلان", "حصة هذه المادة:", "موضوعات مقترحة",
          "كلمات البحث", "اقرأ أيضًا:", "اقرأ أيضًا | الاتحاد الأوروبي ينشر بعثة", "وصــل حديــثا",
          "اتصل بنا للحصول على مزيد من المعلومات", "أ ش أ", "Advertisement", "Read more"]


@pytest.mark.parametrize("line", DEBRIS)
def test_debris_lines(line):
    assert is_debris(line)


@pytest.mark.parametrize("line", ["أكد وزير الخارجية على أهمية التعاون", "Azerbaijan joined in 1994.",
                                  "online", "الإعلان عن اتفاق جديد بين البلدين"])
def test_content_is_not_debris(line):
    assert not is_debris(line)


def test_seed_titles_are_headlines_not_labels():
    titles = {p.stem: clean_article(p.read_text(encoding="utf-8")).title for p in SEEDS.glob("*.txt")}
    assert titles["001_d04a42b9380b6f99"] == "أمين عام الناتو يرحب بدعم أذربيجان للأمن والاستقرار في جنوب القوقاز"
    assert titles["004_3bdcf659b4924e5e"] == "أمين الناتو: نتطلع لتعزيز الشراكة مع أذربيجان في مجال الطاقة"
    assert titles["000_50e16cd6024442b7"].startswith("الاتحاد الأوروبي وأذربيجان يبحثان")
    for title in titles.values():
        assert len(title.split()) >= 4 and not is_debris(title)


def test_seed_bodies_lose_debris_keep_content():
    for path in SEEDS.glob("*.txt"):
        article = clean_article(path.read_text(encoding="utf-8"))
        lines = article.body.split("\n")
        assert not any(is_debris(line) for line in lines), path.name
        assert "وصــل حديــثا" not in article.body and "Close ad" not in article.body
        assert "SHARE:" not in article.body and "اقرأ أيضًا" not in article.body
    body_001 = clean_article((SEEDS / "001_d04a42b9380b6f99.txt").read_text(encoding="utf-8")).body
    assert "120,000" in body_001 and body_001.startswith("قبل قمة الشراكة الشرقية")
    body_000 = clean_article((SEEDS / "000_50e16cd6024442b7.txt").read_text(encoding="utf-8")).body
    assert not body_000.startswith("الاتحاد الأوروبي\n")  # category label lines gone


def test_seed_date_extracted():
    article = clean_article((SEEDS / "004_3bdcf659b4924e5e.txt").read_text(encoding="utf-8"))
    assert article.date == "2024-03-18"
    assert "16:11" not in article.body
    # the photo caption that repeats the headline is dropped
    assert "مجال الطاقةالأمين" not in article.body


def test_made_up_page():
    raw = ("Home\n\nPolitics\n\nParliament approves the new budget after long debate\n\n"
           "Published: March 5, 2023\nSHARE:\n\nThe parliament approved the budget on Monday. "
           "It passed with 120 votes in favour and 30 against after a debate that lasted two days.\n"
           "Advertisement\nRead more: other story\n")
    article = clean_article(raw)
    assert article.title == "Parliament approves the new budget after long debate"
    assert article.date == "2023-03-05"
    assert article.body.startswith("The parliament approved the budget on Monday.")
    assert "Advertisement" not in article.body and "Read more" not in article.body


def test_glued_prefix_removed():
    article = clean_article("عنوان خبر جديد عن الاقتصاد اليوم\nوصــل حديــثا ارتفعت أسعار النفط اليوم بنسبة كبيرة في الأسواق العالمية بعد القرار")
    assert article.body.startswith("ارتفعت أسعار النفط")


def test_no_title_falls_back():
    assert clean_article("short\n", fallback_title="x1").title == "x1"


@pytest.mark.parametrize("text, iso", [("18-3-2024 | 16:11", "2024-03-18"), ("2023-12-01", "2023-12-01"),
                                       ("12/25/2022", "2022-12-25"), ("١٥ ديسمبر ٢٠٢١", "2021-12-15"),
                                       ("99-99-2024", None), ("no date here", None)])
def test_find_date(text, iso):
    assert find_date(text) == iso


def test_encyclopedic_lead_that_starts_with_the_title_is_kept():
    # Wikipedia style: a short title line, then a lead paragraph that opens with the title words.
    raw = ("جائزة الزيتونة للرواية\n\n"
           "جائزة الزيتونة للرواية جائزة أدبية سنوية تأسست عام 2011 في تونس، وتمنح لأفضل رواية عربية.\n\n"
           "يحصل الفائز على مبلغ 50 ألف دولار وترجمة روايته إلى لغتين هما الإنجليزية والفرنسية.\n")
    article = clean_article(raw, fallback_title="prize")
    assert article.title == "جائزة الزيتونة للرواية"
    assert "تأسست عام 2011" in article.body
    assert article.body.count("\n") == 1


def test_short_title_line_is_the_title_not_the_file_name():
    raw = "نهر النيل\n\nنهر النيل هو أطول أنهار العالم، إذ يبلغ طوله نحو 6650 كيلومترًا في قارة أفريقيا.\n"
    article = clean_article(raw, fallback_title="nile")
    assert article.title == "نهر النيل"
    assert article.body.startswith("نهر النيل هو أطول")


def test_caption_repeating_the_headline_is_dropped():
    raw = ("وزير المالية يعلن موازنة العام المقبل\n\n"
           "وزير المالية يعلن موازنة العام المقبل الوزير خلال المؤتمر الصحفي\n\n"
           "أعلن وزير المالية اليوم عن موازنة العام المقبل بقيمة 12 مليار دولار بزيادة عشرة بالمئة.\n")
    article = clean_article(raw)
    assert article.title == "وزير المالية يعلن موازنة العام المقبل"
    assert article.body.startswith("أعلن وزير المالية")
