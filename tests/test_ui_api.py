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


@pytest.mark.parametrize("question, message", [
    ("   ", "type a question"),
    ("؟؟ 🙂 !!", "لا يحوي كلمات"),
    ("ما " * 25_000, "RAG_MAX_QUESTION_CHARS"),
])
def test_bad_questions_get_a_specific_message_not_a_traceback(ui_server, question, message):  # noqa: F811
    from gradio_client import Client

    with pytest.raises(Exception, match=message) as caught:
        Client(ui_server, verbose=False).predict(question, api_name="/ask")
    assert "Traceback" not in str(caught.value)


def test_malformed_calls_are_client_errors(ui_server):  # noqa: F811
    import httpx

    unknown = httpx.post(ui_server.rstrip("/") + "/gradio_api/call/no_such_endpoint", json={"data": ["x"]}, timeout=30)
    assert unknown.status_code == 404 and "no such endpoint" in unknown.text  # Gradio alone answers 500
    broken = httpx.post(ui_server.rstrip("/") + "/gradio_api/call/ask", content=b"{not json",
                        headers={"content-type": "application/json"}, timeout=30)
    assert 400 <= broken.status_code < 500
