"""The answer endpoint through Gradio's API: ``Client(url).predict(question, api_name="/ask")``."""

import pytest

from tests.test_ui_harness import ui_server  # noqa: F401  (shared session fixture)

pytestmark = [pytest.mark.slow, pytest.mark.ui]


def test_ask_endpoint_returns_text_and_citations(ui_server):  # noqa: F811
    from gradio_client import Client

    client = Client(ui_server, verbose=False)
    api = client.view_api(print_info=False, return_format="dict")
    assert "/ask" in api["named_endpoints"]

    result = client.predict("Which airport did Azerbaijani soldiers help secure?", api_name="/ask")
    assert set(result) == {"text", "answered", "language", "citations"}
    assert result["answered"] is True, result
    assert result["language"] == "en"
    assert "kabul" in result["text"].lower()
    assert "[1]" in result["text"] or "[2]" in result["text"]
    citation = result["citations"][0]
    assert {"number", "article_id", "title", "quote", "start", "end", "score"} <= set(citation)
    assert f"[{citation['number']}]" in result["text"]
    assert "مطار كابول" in citation["quote"]
    assert citation["end"] > citation["start"] >= 0
