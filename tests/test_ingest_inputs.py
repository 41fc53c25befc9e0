"""Bad and awkward article files (issue 17): other encodings, binary files, huge files, markup
inside plain text, two different articles with the same file name, and uploads whose names come
from a browser. Real Chroma, fake embedder: fast. Each test fails without its protection:
without the decoder a UTF-16 or Windows-1256 file is skipped as "not UTF-8"; without the id rule
the second ``news.txt`` is skipped or replaces the first; without the upload rules a name like
``../../x.txt`` writes outside the uploads folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.errors import IngestError
from rag.ingest.formats import read_text
from rag.ingest.plaintext import MB, decode_text, strip_markup
from rag.ingest.uploads import safe_name, save_upload

ARABIC = ("زيارة الأمين العام لحلف الناتو إلى باكو\n\n"
          "وصل الأمين العام لحلف شمال الأطلسي إلى العاصمة الأذربيجانية باكو في زيارة تستغرق يومين، "
          "يلتقي خلالها الرئيس إلهام علييف لبحث التعاون في مجال الطاقة.\n")
OTHER = ("افتتاح جسر جديد فوق نهر كورا\n\n"
         "افتتحت السلطات في مدينة منغاتشيفير جسرا جديدا فوق نهر كورا يبلغ طوله أربعمئة وثمانين مترا.\n")


# --- encodings ---------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1256"])
def test_arabic_text_in_common_encodings_is_decoded_exactly(encoding):
    assert decode_text(ARABIC.encode(encoding)) == ARABIC


@pytest.mark.parametrize("encoding", ["utf-16", "cp1256"])
def test_an_ingested_non_utf8_article_is_searchable(fake_rag, tmp_path, encoding):
    (tmp_path / "news.txt").write_bytes(ARABIC.encode(encoding))
    report = fake_rag.ingest([tmp_path])
    assert report.added == ["news"], report.summary()
    body, _ = fake_rag.article_text("news")
    assert "علييف" in body and "باكو" in body


@pytest.mark.parametrize("raw, reason", [
    ("Новости дня: мост открыт".encode("cp1251"), "save it as UTF-8"),  # single-byte, not Arabic
    (bytes(range(256)) * 8, "binary"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200), "binary"),
    (b"text\x00with\x01nul\x02bytes\x03here\x04", "binary"),
    (b"\xff\xfe" + "ok".encode("utf-16-le") + b"\x00\xd8", "not valid UTF-16"),  # BOM, then a broken unit
])
def test_undecodable_files_say_why(raw, reason):
    with pytest.raises(IngestError, match=reason):
        decode_text(raw)


# --- size ----------------------------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_skipped_without_reading_it(fake_rag, tmp_path, monkeypatch):
    (tmp_path / "small.txt").write_text(ARABIC, encoding="utf-8")
    big = tmp_path / "big.txt"
    with big.open("wb") as out:  # sparse: 3 MB of size without writing it
        out.truncate(3 * MB)
    fake_rag.settings = fake_rag.settings.model_copy(update={"max_article_mb": 1.0})
    real_read = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: (_ for _ in ()).throw(AssertionError("read"))
                        if self.name == "big.txt" else real_read(self))
    report = fake_rag.ingest([tmp_path])
    assert report.added == ["small"]
    assert report.skipped == [(str(big), "file too large: 3.0 MB, the limit is 1.0 MB (setting RAG_MAX_ARTICLE_MB)")]


# --- markup inside .txt / .md --------------------------------------------------------------------
def test_script_and_tags_are_dropped_and_prose_kept():
    raw = ("# عنوان الخبر\n\nنص <b>الخبر</b> الأول.<script>alert('x')</script>\n"
           "<img src=x onerror=alert(1)><style>p{}</style>\n"
           "If a < b and c > d, see <https://example.com> <3\n").encode()
    text = read_text(raw).text
    assert "alert" not in text and "onerror" not in text and "<b>" not in text and "p{}" not in text
    assert "نص الخبر الأول." in text and "# عنوان الخبر" in text
    assert "If a < b and c > d, see <https://example.com> <3" in text


def test_text_without_markup_is_untouched():
    text = "Markdown *stays*, [links](x) too; 3 < 4 > 2 and <not a tag>.\n\n- item\n"
    assert strip_markup(text) == text


def test_an_article_with_a_script_is_indexed_without_it(fake_rag, tmp_path):
    (tmp_path / "embed.md").write_text(OTHER + "<script>window.__pwned = 1</script>\n<p>[9] NOT_FOUND</p>\n",
                                       encoding="utf-8")
    assert fake_rag.ingest([tmp_path]).added == ["embed"]
    body, _ = fake_rag.article_text("embed")
    assert "__pwned" not in body and "<p>" not in body and "[9] NOT_FOUND" in body  # text stays text


# --- two articles with the same file name --------------------------------------------------------
def _two_news(tmp_path: Path) -> tuple[Path, Path]:
    for folder, text in (("a", ARABIC), ("b", OTHER)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "news.txt").write_text(text, encoding="utf-8")
    return tmp_path / "a" / "news.txt", tmp_path / "b" / "news.txt"


def test_same_file_name_in_two_folders_keeps_both(fake_rag, tmp_path):
    first, second = _two_news(tmp_path)
    report = fake_rag.ingest([tmp_path / "b", tmp_path / "a"])  # order given does not matter
    assert len(report.added) == 2 and "news" in report.added and not report.skipped
    other = next(aid for aid in report.added if aid != "news")
    assert other.startswith("news-") and len(other) == len("news-") + 6
    assert report.renamed == [(str(second), other, str(first))]
    assert f"{second} indexed as {other} (news is {first})" in report.summary()
    assert "علييف" in fake_rag.article_text("news")[0] and "كورا" in fake_rag.article_text(other)[0]
    again = fake_rag.ingest([tmp_path / "a", tmp_path / "b"])  # ids are stable across runs
    assert sorted(again.unchanged) == sorted(report.added) and not again.added


def test_a_second_file_with_a_taken_name_does_not_replace_the_first(fake_rag, tmp_path):
    first, second = _two_news(tmp_path)
    fake_rag.ingest([tmp_path / "a"])
    report = fake_rag.ingest([tmp_path / "b"], prune=False)
    assert len(report.added) == 1 and report.added[0].startswith("news-") and not report.updated
    assert "علييف" in fake_rag.article_text("news")[0]  # the first one is still there, unchanged


# --- uploads ------------------------------------------------------------------------------------
@pytest.mark.parametrize("name, safe", [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\windows\\news.md", "news.md"),
    ("/abs/path/خبر  عاجل.txt", "خبر عاجل.txt"),
    (".hidden.txt", "hidden.txt"),
    ("a\x00b\x1b[31m<c>.txt", "ab[31mc.txt"),
    ("CON.txt", "_CON.txt"),
    ("trailing. .txt", "trailing.txt"),
    ("x" * 300 + ".md", "x" * 117 + ".md"),
])
def test_upload_names_are_sanitised(name, safe):
    assert safe_name(name) == safe


@pytest.mark.parametrize("name, reason", [
    ("payload.exe", "unsupported file type .exe"),
    ("news.txt.sh", "unsupported file type .sh"),
    ("noextension", "unsupported file type (none)"),
    ("../..", "no usable name"),
    (".txt", "unsupported file type"),
])
def test_upload_names_that_are_refused(name, reason):
    with pytest.raises(IngestError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        safe_name(name)


def test_uploads_never_overwrite_and_stay_inside_the_folder(tmp_path):
    uploads, incoming = tmp_path / "data" / "uploads", tmp_path / "incoming"
    incoming.mkdir()
    one, two = incoming / "1", incoming / "2"
    one.write_text(ARABIC, encoding="utf-8")
    two.write_text(OTHER, encoding="utf-8")
    first = save_upload(one, "article.txt", uploads, MB)
    second = save_upload(two, "../article.txt", uploads, MB)
    again = save_upload(one, "article.txt", uploads, MB)  # the same bytes again: reused, not copied
    assert (first.name, second.name, again) == ("article.txt", "article-2.txt", first)
    assert first.read_text(encoding="utf-8") == ARABIC and second.read_text(encoding="utf-8") == OTHER
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["1", "2", "article-2.txt", "article.txt"]


def test_an_upload_over_the_limit_writes_nothing(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"x" * (MB + 1))
    with pytest.raises(IngestError, match="file too large"):
        save_upload(big, "big.txt", tmp_path / "uploads", MB)
    assert not (tmp_path / "uploads").exists() or not any((tmp_path / "uploads").iterdir())


def test_two_uploads_named_alike_are_both_indexed(fake_rag, tmp_path):
    incoming = tmp_path / "incoming"
    incoming.mkdir()
    (incoming / "1").write_text(ARABIC, encoding="utf-8")
    (incoming / "2").write_text(OTHER, encoding="utf-8")
    uploads = fake_rag.settings.uploads_dir
    for source in ("1", "2"):
        fake_rag.ingest([save_upload(incoming / source, "article.txt", uploads, MB)], prune=False)
    assert [a["article_id"] for a in fake_rag.articles()] == ["article", "article-2"]
    bodies = {aid: fake_rag.article_text(aid)[0] for aid in ("article", "article-2")}
    assert "علييف" in bodies["article"] and "كورا" in bodies["article-2"]
