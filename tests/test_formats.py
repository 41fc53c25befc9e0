"""Reading .html, .pdf and .docx articles (rag/ingest/formats.py) and ingesting them through the
same cleaning, hashing and offsets as .txt. Fixtures: tests/fixtures/pages/ (saved Arabic news
pages with their known body, title and date in truth.json) and tests/fixtures/files/ (made by
tests/fixtures/make_fixtures.py, whose texts are the expected output here)."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
from pathlib import Path

import docx
import pytest

from rag.errors import IngestError
from rag.ingest.clean import clean_article
from rag.ingest.formats import SUFFIXES, Extracted, extract
from rag.ingest.pipeline import CLEANER_VERSION, Ingestor, read_article

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PAGES = FIXTURES / "pages"
FILES = FIXTURES / "files"
TRUTH = json.loads((PAGES / "truth.json").read_text(encoding="utf-8"))


def stored(path: Path) -> tuple[Extracted, object]:
    """(what the reader extracted, the cleaned article the index would store), as Ingestor.prepare does."""
    page = read_article(path, path.read_bytes())
    return page, clean_article(page.text, fallback_title=path.stem, title=page.title)


def docx_bytes(*paragraphs: tuple[str, str | None], title: str = "") -> bytes:
    document = docx.Document()
    document.core_properties.title = title
    for text, style in paragraphs:
        document.add_paragraph(text, style=style)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- HTML: trafilatura finds the article; clean_article removes the in-body debris -------------

CHROME = {  # text on the pages that is not the article
    "ahram_nato_energy.html": ["موضوعات مقترحة", "اقرأ أيضًا", "وزير الخارجية الأذربيجاني يبحث مع نظيره الأرميني",
                               "الأكثر قراءة", "سعر الدولار اليوم الإثنين", "عاجل", "الرئيس السيسي يستقبل",
                               "ملفات تعريف الارتباط", "جميع الحقوق محفوظة", "googletag", "إعلان", "كلمات البحث",
                               "فيسبوك", "عربي ودولي", "لا توجد تعليقات"],
    "youm_cbe_rates.html": ["اقرأ أيضًا", "سعر الدولار اليوم في البنوك المصرية قبل اجتماع المركزي",
                            "ما هي الشهادات الأعلى عائدا", "AlyoumNews", "أخبار متعلقة", "رئيس الوزراء: قرارات",
                            "الأكثر قراءة", "آخر الأخبار", "صندوق النقد الدولي يعلن", "مساحة إعلانية",
                            "القرار كان متوقعا منذ فترة طويلة", "ملفات الكوكيز", "dataLayer", "الكلمات المفتاحية"],
    "khaleej_uae_rain.html": ["اقرأ أيضا", "الأرصاد ترفع مستوى التحذير", "الأكثر مشاهدة", "بالصور: شوارع دبي",
                              "تعليق الدراسة الحضورية", "عاجل", "الحمد لله على سلامة الجميع", "استطلاع الرأي",
                              "إعلان", "document.write", "ملفات تعريف الارتباط", "جميع الحقوق محفوظة",
                              "كلمات دالة", "رويترز"],
}


@pytest.mark.parametrize("name", sorted(TRUTH))
def test_html_page_body_title_and_date(name):
    known = TRUTH[name]
    page, article = stored(PAGES / name)
    body = article.body.split("\n")
    assert [p for p in known["body"] if p not in body] == []  # every paragraph, verbatim, one a line
    assert [c for c in CHROME[name] if c in article.body] == []
    assert article.title == known["title"]
    assert (page.date or article.date) == known["date"]


def test_html_first_page_is_exactly_the_seed_article():
    """The seed article wrapped in a full page comes back as the stored seed body."""
    _, from_page = stored(PAGES / "ahram_nato_energy.html")
    seed = clean_article((Path(__file__).parents[1] / TRUTH["ahram_nato_energy.html"]["source"]).read_text("utf-8"))
    assert from_page.body == seed.body and from_page.title == seed.title


def test_html_in_body_debris_is_left_to_clean_article():
    """trafilatura keeps the in-body 'اقرأ أيضًا' links; the shared cleaning drops them."""
    page, article = stored(PAGES / "youm_cbe_rates.html")
    assert "اقرأ أيضًا: سعر الدولار اليوم في البنوك المصرية قبل اجتماع المركزي" in page.text.split("\n")
    assert "اقرأ أيضًا" not in article.body
    assert "AlyoumNews" not in page.text  # embedded tweet pruned by the reader


def test_html_title_loses_the_section_suffix_only_when_the_page_prints_the_short_form():
    page = extract(".html", (PAGES / "khaleej_uae_rain.html").read_bytes())
    assert page.title == "الإمارات تسجل أكبر كمية أمطار منذ 75 عاما"  # <title> says "... - محليات - صحيفة الساحل"
    lead = b"<p>" + b"Negotiators met in Doha on Tuesday for a new round of talks, officials said. " * 3 + b"</p>"
    printed = b"<html><head><title>Gaza ceasefire talks resume - Qatar says progress made</title></head>" \
              b"<body><h1>Gaza ceasefire talks resume - Qatar says progress made</h1>" + lead + b"</body></html>"
    assert extract(".html", printed).title == "Gaza ceasefire talks resume - Qatar says progress made"
    short = b"<html><head><title>Gaza ceasefire talks resume - World</title></head>" \
            b"<body><div>Gaza ceasefire talks resume</div>" + lead + b"</body></html>"
    assert extract(".html", short).title == "Gaza ceasefire talks resume"


def test_html_date_from_markup_only_then_from_the_text():
    """htmldate's text search would say 2021-01-01 here (from the copyright line); the markup has
    no date, so the one clean_article reads in the article's header is used."""
    raw = ("<html><body><article><p>الخرطوم في 12 مايو 2023</p><p>" + "أعلنت الحكومة السودانية اليوم عن خطة جديدة "
           "لإعادة تشغيل محطات المياه والكهرباء في العاصمة بعد أسابيع من الانقطاع المتواصل. " * 3
           + "</p></article><footer>© 2021</footer></body></html>").encode()
    page = extract(".html", raw)
    assert page.date is None
    assert clean_article(page.text).date == "2023-05-12"


# --- PDF: text layer in reading order, paragraphs by line spacing -------------------------------

SUEZ = [
    "قناة السويس: تراجع الإيرادات 46% في يناير بسبب التوترات في البحر الأحمر",
    "القاهرة - 8 فبراير 2024",
    "قال الفريق أسامة ربيع رئيس هيئة قناة السويس إن إيرادات القناة تراجعت خلال شهر يناير الماضي إلى 428 مليون "
    "دولار مقارنة بـ 804 ملايين دولار في الشهر نفسه من عام 2023، بانخفاض نسبته 46%.",
    "وأوضح ربيع أن عدد السفن العابرة للقناة انخفض بنسبة 30% ليصل إلى 1362 سفينة خلال يناير، مقابل 2155 سفينة في "
    "يناير من العام الماضي، وذلك بعد أن حولت شركات الشحن مسار سفنها بعيدا عن البحر الأحمر.",
    "وأضاف أن خطوط الملاحة الكبرى مثل Maersk وHapag-Lloyd وMSC قررت توجيه سفنها إلى طريق رأس الرجاء الصالح حول "
    "أفريقيا، وهو ما يضيف نحو 10 أيام إلى زمن الرحلة بين آسيا وأوروبا ويرفع تكاليف الوقود والتأمين.",
    "وأشار رئيس الهيئة إلى أن القناة تعمل على تقديم حوافز وتخفيضات في رسوم العبور لبعض فئات السفن، إلى جانب خدمات "
    "جديدة للإنقاذ البحري والإصلاح وتزويد السفن بالوقود، بهدف الحفاظ على عملائها خلال الأزمة.",
    # the PDF itself shows the years this way round (fpdf2's bidi), and that is what is read
    "وتعد قناة السويس أحد أهم مصادر النقد الأجنبي لمصر، إذ حققت إيرادات قياسية بلغت 10.25 مليار دولار في العام "
    "المالي 2023-2022.",
]


def test_arabic_pdf_reads_in_logical_order_as_paragraphs():
    """HarfBuzz-shaped Arabic over two pages: words in reading order, numbers and Latin names in
    place, wrapped lines joined into paragraphs, running header and page footers dropped."""
    page = extract(".pdf", (FILES / "suez_canal_ar.pdf").read_bytes())
    assert page.text.split("\n") == SUEZ
    assert "النشرة الاقتصادية" not in page.text and "صفحة" not in page.text
    article = clean_article(page.text, "suez")
    assert (article.title, article.date) == (SUEZ[0], "2024-02-08")


def test_presentation_form_pdf_becomes_base_letters_in_order():
    text = extract(".pdf", (FILES / "reshaped_ar.pdf").read_bytes()).text
    assert text == "وزارة الصحة: تطعيم 2 مليون طفل ضد شلل الأطفال خلال حملة تستمر 5 أيام في جميع المحافظات"
    assert not any("\ufb50" <= c <= "\ufeff" for c in text)


def test_english_pdf_with_an_arabic_word():
    text = extract(".pdf", (FILES / "baku_en.pdf").read_bytes()).text
    assert text.split("\n")[0] == "COP29 host Baku prepares for record delegations"
    assert "Azerbaijan's capital Baku (باكو) expects more than 70,000 participants" in text
    assert "The conference will be held at the Baku Olympic Stadium." in text.split("\n")[2]


def test_scanned_pdf_says_run_ocr():
    with pytest.raises(IngestError, match=r"no text layer \(a scanned PDF\?\): run OCR first"):
        extract(".pdf", (FILES / "scanned.pdf").read_bytes())


# --- DOCX ------------------------------------------------------------------------------------

def test_docx_paragraphs_table_and_core_title():
    page = extract(".docx", (FILES / "riyadh_metro_en.docx").read_bytes())
    lines = page.text.split("\n")
    assert page.title == "Riyadh Metro opens its first three lines"
    assert lines[1] == "RIYADH, 1 December 2024"
    assert "The full network runs for 176 kilometres and has 85 stations." in lines[3]
    assert lines[-3:] == ["Line 1 | Blue", "Line 4 | Yellow", "Line 6 | Purple"]
    article = clean_article(page.text, title=page.title)
    assert article.date == "2024-12-01" and not article.body.startswith("Riyadh Metro opens")


def test_docx_title_from_first_heading_without_core_title():
    raw = docx_bytes(("Draft - do not circulate", None), ("وزير النقل يفتتح المرحلة الأولى من القطار الكهربائي", "Heading 1"),
                     ("افتتح وزير النقل اليوم المرحلة الأولى من مشروع القطار الكهربائي السريع بطول 660 كيلومترا.", None))
    page = extract(".docx", raw)
    assert page.title == "وزير النقل يفتتح المرحلة الأولى من القطار الكهربائي"
    assert "Draft - do not circulate" in page.text  # not a heading, not the title


def test_empty_docx_is_reported():
    with pytest.raises(IngestError, match="the document has no text"):
        extract(".docx", docx_bytes(("   ", None)))


# --- bad input: an IngestError with a reason, never a traceback --------------------------------

@pytest.mark.parametrize("suffix, raw, reason", [
    (".pdf", (FILES / "suez_canal_ar.pdf").read_bytes()[:3000], "not a readable .pdf file"),
    (".pdf", b"%PDF-1.7\n garbage", "not a readable .pdf file"),
    (".docx", (FILES / "riyadh_metro_en.docx").read_bytes()[:2000], "not a readable .docx file"),
    (".docx", b"this is not a zip", "not a readable .docx file"),
    (".html", bytes(range(256)) * 4, "no article text found"),
    (".htm", b"<html><body>  </body></html>", "no article text found"),
    (".txt", "Новости дня: мост открыт для движения".encode("cp1251"), "not valid UTF-8"),
])
def test_corrupt_files_give_a_reason(suffix, raw, reason):
    with pytest.raises(IngestError, match=reason):
        extract(suffix, raw)


# --- through the ingest pipeline (real Chroma, fake embedder) ---------------------------------

@pytest.fixture
def mixed_folder(tmp_path) -> Path:
    folder = tmp_path / "mixed"
    folder.mkdir()
    for source in [PAGES / "youm_cbe_rates.html", FILES / "suez_canal_ar.pdf", FILES / "riyadh_metro_en.docx",
                   FILES / "scanned.pdf"]:
        shutil.copy(source, folder / source.name)
    (folder / "khaleej_uae_rain.HTM").write_bytes((PAGES / "khaleej_uae_rain.html").read_bytes())
    (folder / "broken_pdf.pdf").write_bytes((FILES / "suez_canal_ar.pdf").read_bytes()[:3000])
    (folder / "broken_docx.docx").write_bytes(b"PK\x03\x04 not really")
    (folder / "menu_only.html").write_bytes(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    return folder


def test_ingest_mixed_formats(fake_rag, mixed_folder):
    report = fake_rag.ingest([mixed_folder])
    assert sorted(report.added) == ["khaleej_uae_rain", "riyadh_metro_en", "suez_canal_ar", "youm_cbe_rates"]
    reasons = {Path(path).name: reason for path, reason in report.skipped}
    assert set(reasons) == {"scanned.pdf", "broken_pdf.pdf", "broken_docx.docx", "menu_only.html"}
    assert reasons["scanned.pdf"].startswith("no text layer (a scanned PDF?): run OCR first")
    assert "not a readable .pdf file" in reasons["broken_pdf.pdf"]
    assert "not a readable .docx file" in reasons["broken_docx.docx"]
    assert "no article text" in reasons["menu_only.html"]
    assert sorted(fake_rag.store.articles()) == sorted(report.added)  # nothing half-written

    articles = {a["article_id"]: a for a in fake_rag.articles()}
    assert articles["youm_cbe_rates"]["title"] == TRUTH["youm_cbe_rates.html"]["title"]
    assert articles["youm_cbe_rates"]["date"] == "2024-03-06"  # from the page's metadata
    assert articles["suez_canal_ar"]["date"] == "2024-02-08"  # from the text (a PDF's own dates are not used)
    assert articles["riyadh_metro_en"]["title"] == "Riyadh Metro opens its first three lines"
    _, docs, metas = fake_rag.store.all_chunks()
    for doc, meta in zip(docs, metas):
        body, _ = fake_rag.article_text(meta["article_id"])
        assert body[meta["start"]:meta["end"]] == doc
    body, _ = fake_rag.article_text("youm_cbe_rates")
    assert body == "\n".join(TRUTH["youm_cbe_rates.html"]["body"])


def test_unchanged_files_are_not_read_again(fake_rag, mixed_folder, monkeypatch):
    fake_rag.ingest([mixed_folder])
    calls = []
    from rag.ingest import pipeline

    real = pipeline.extract
    monkeypatch.setattr(pipeline, "extract", lambda suffix, raw: calls.append(suffix) or real(suffix, raw))
    report = fake_rag.ingest([mixed_folder])
    assert len(report.unchanged) == 4 and not report.added and not report.updated
    assert sorted(calls) == [".docx", ".html", ".pdf", ".pdf"]  # only the bad files are tried again


def test_plain_text_hashes_are_unchanged_and_readers_are_in_the_others(fake_rag):
    ingestor = Ingestor(fake_rag.settings, fake_rag.store, fake_rag.embedder)
    raw = b"same bytes"
    before = hashlib.sha256(f"{CLEANER_VERSION}|{fake_rag.store.name}".encode() + b"\0" + raw).hexdigest()[:16]
    assert ingestor.content_hash(raw, ".txt") == ingestor.content_hash(raw, ".md") == before  # no re-embedding
    assert len({ingestor.content_hash(raw, s) for s in (".txt", ".html", ".pdf", ".docx")}) == 4
    assert ingestor.content_hash(raw, ".htm") == ingestor.content_hash(raw, ".HTML")


def test_unsupported_type_lists_the_supported_ones(fake_rag, tmp_path):
    (tmp_path / "notes.odt").write_bytes(b"PK")
    report = fake_rag.ingest([tmp_path / "notes.odt"], prune=False)
    assert report.skipped == [(str(tmp_path / "notes.odt"),
                               "unsupported file type .odt; use .txt, .md, .html, .htm, .pdf, .docx")]


def test_upload_accepts_the_registry_types(fake_rag):
    from app.ui import build_ui

    demo = build_ui(fake_rag, fake_rag.settings)
    upload = next(b for b in demo.blocks.values() if getattr(b, "elem_id", None) == "upload")
    assert upload.file_types == list(SUFFIXES) == [".txt", ".md", ".html", ".htm", ".pdf", ".docx"]
    assert ".pdf" in upload.label and ".docx" in upload.label


# --- real embedding model: retrieval over HTML, PDF and DOCX articles -------------------------

@pytest.mark.slow
def test_html_pdf_and_docx_retrieved_and_answered_with_exact_offsets(tmp_path, seeds_copy, mixed_folder):
    from rag import RAG, Settings

    rag = RAG.from_settings(Settings(data_dir=tmp_path / "data"))
    report = rag.ingest([seeds_copy, mixed_folder])
    assert len(report.added) == 9, report.summary()
    cases = [
        ("بكم نقطة أساس رفع البنك المركزي المصري أسعار الفائدة؟", "youm_cbe_rates", "600 نقطة أساس"),
        ("كم بلغت إيرادات قناة السويس في يناير؟", "suez_canal_ar", "428 مليون دولار"),
        ("How much did Suez Canal revenue fall in January?", "suez_canal_ar", "428 مليون دولار"),
        ("ما هي خطوط الملاحة التي حولت مسار سفنها إلى رأس الرجاء الصالح؟", "suez_canal_ar", "Maersk"),
        ("How many stations does the Riyadh Metro network have?", "riyadh_metro_en", "85 stations"),
        ("كم ملم من الأمطار سجلت في خطم الشكلة؟", "khaleej_uae_rain", "254.8 ملم"),
    ]
    found = {}
    for question, article_id, fact in cases:
        passages = rag.retrieve(question, 5)
        found[question] = [(p.article_id, p.text[:60]) for p in passages]
        assert passages[0].article_id == article_id, (question, found[question])
        assert any(fact in p.text for p in passages if p.article_id == article_id), (question, found[question])
        for passage in passages:
            body, _ = rag.article_text(passage.article_id)
            assert body[passage.start:passage.end] == passage.text

    # answered by the real embedded model, with citations into the extracted text (which fact
    # the 1.5B model picks from the right passage is the answer checks' business, not this test's)
    for question, article_id, _ in [cases[0], cases[1], cases[4]]:
        answer = rag.ask(question, backend="llamacpp")
        assert answer.answered, (question, answer.refusal_reason, answer.draft)
        assert {c.article_id for c in answer.citations} == {article_id}, (question, answer.text)
        for c in answer.citations:
            body, _ = rag.article_text(c.article_id)
            assert body[c.start:c.end] == c.quote
