"""Articles by link and by feed, against a local news site (tests/news_site.py): real Chroma,
the real extraction (trafilatura) and feed parser (feedparser); the fake embedder keeps these
fast (the real models read a linked article in tests/test_scope_real.py)."""

from __future__ import annotations

import pytest

from rag import RAG, Settings
from rag.ingest.web import is_link
from rag.store import ChunkStore
from tests.fakes import FakeEmbedder
from tests.net import free_port
from tests.news_site import NewsSite


@pytest.fixture
def site():
    site = NewsSite()
    yield site
    site.close()


@pytest.fixture
def web_rag(tmp_path) -> RAG:
    settings = Settings(data_dir=tmp_path / "data", embed_model="fake-embedder", max_article_mb=1,
                        web_timeout_s=5, web_max_redirects=3)
    return RAG(settings, ChunkStore(settings), FakeEmbedder())


def test_a_page_by_link_is_indexed_with_its_url_title_and_date(web_rag, site):
    url = site.url("/news/ahram_nato_energy.html")
    report = web_rag.ingest([url])
    assert len(report.added) == 1 and not report.skipped, report.summary()
    (article,) = web_rag.articles()
    assert article["url"] == url and article["date"] == "2024-03-18"
    assert article["title"].startswith("أمين الناتو") and article["path"].endswith(".html")
    body, _ = web_rag.article_text(article["article_id"])
    assert "شراكة الناتو من أجل السلام" in body and "function(" not in body
    assert web_rag.ingest([url]).unchanged == [article["article_id"]]  # same page again: nothing re-read


def test_a_redirect_is_followed_and_the_final_address_recorded(web_rag, site):
    report = web_rag.ingest([site.url("/moved")])
    assert len(report.added) == 1, report.summary()
    assert web_rag.articles()[0]["url"] == site.url("/news/youm_cbe_rates.html")


def test_a_feed_adds_its_entries_and_a_rerun_fetches_only_new_ones(web_rag, site):
    feed = site.url("/feed.xml")
    first = web_rag.ingest([feed])
    assert len(first.added) == 2 and not first.skipped, first.summary()
    assert site.hits["/news/ahram_nato_energy.html"] == 1
    site.feed_items.append("khaleej_uae_rain.html")
    second = web_rag.ingest([feed])
    assert len(second.added) == 1 and len(second.unchanged) == 2, second.summary()
    assert site.hits["/news/ahram_nato_energy.html"] == 1 and site.hits["/news/youm_cbe_rates.html"] == 1
    assert site.hits["/news/khaleej_uae_rain.html"] == 1 and site.hits["/feed.xml"] == 2
    assert {a["url"] for a in web_rag.articles()} == {site.url(f"/news/{n}") for n in site.feed_items}


@pytest.mark.parametrize(("path", "reason"), [
    ("/nowhere.html", "404"),
    ("/loop", "more than 3 redirects"),
    ("/big.html", "too big"),
    ("/app.html", "nothing could be extracted"),
    ("/photo.png", "not an article: the link serves image/png"),
])
def test_a_bad_link_is_a_clear_reason_and_changes_nothing(web_rag, site, seeds_copy, path, reason):
    web_rag.ingest([seeds_copy])
    before = web_rag.stats()
    report = web_rag.ingest([site.url(path)])
    assert report.skipped == [(site.url(path), report.skipped[0][1])] and reason in report.skipped[0][1]
    assert web_rag.stats() == before and not report.added
    assert not any(web_rag.settings.web_dir.glob("*.html"))  # nothing half-kept


def test_unreachable_and_non_http_links_are_refused_without_a_request(web_rag):
    dead = f"http://127.0.0.1:{free_port()}/news.html"
    report = web_rag.ingest([dead, "ftp://example.org/a.html", "file:///etc/passwd"])
    reasons = dict(report.skipped)
    assert reasons[dead].startswith("unreachable")
    assert "only http(s) links" in reasons["ftp://example.org/a.html"]
    assert "only http(s) links" in reasons["file:///etc/passwd"]
    assert web_rag.stats()["articles"] == 0


def test_links_and_files_mix_in_one_ingest(web_rag, site, seeds_copy):
    report = web_rag.ingest([seeds_copy, site.url("/news/youm_cbe_rates.html")])
    assert len(report.added) == 6, report.summary()
    assert sum(1 for a in web_rag.articles() if a["url"]) == 1


def test_is_link():
    assert is_link("http://x/y") and is_link("HTTPS://x") and not is_link("./seeds") and not is_link("C:/news")
