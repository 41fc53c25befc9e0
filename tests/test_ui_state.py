"""Unit tests of the UI's pure state: saved conversations (app/conversations.py) and the
registry Stop uses (app/runs.py)."""

from app import conversations
from app.runs import Runs


def turn(q, text="answer [1]"):
    return {"question": q, "answer": {"text": text, "answered": True}}


def test_saving_keeps_finished_turns_and_puts_the_conversation_first():
    store = conversations.save(None, "a", [turn("first?"), {"question": "live", "partial": "dra"}], 1.0)
    assert conversations.turns_of(store, "a") == [turn("first?")]  # the live draft is not saved
    store = conversations.save(store, "b", [turn("second?")], 2.0)
    assert [c[1] for c in conversations.choices(store)] == ["b", "a"] and store["current"] == "b"
    store = conversations.save(store, "a", [turn("first?"), turn("follow-up?")], 3.0)
    assert [c[1] for c in conversations.choices(store)] == ["a", "b"]
    assert [m["content"] for m in conversations.history_of(conversations.turns_of(store, "a"))] == [
        "first?", "answer [1]", "follow-up?", "answer [1]"]


def test_stopped_and_failed_turns_are_shown_but_not_told_to_the_model():
    turns = [turn("q1"), {"question": "q2", "stopped": "half an ans"}, {"question": "q3", "error": "down"}]
    store = conversations.save(None, "a", turns, 1.0)
    assert conversations.turns_of(store, "a") == turns
    assert [m["content"] for m in conversations.history_of(turns)] == ["q1", "answer [1]"]


def test_the_list_is_bounded_and_titles_are_cut():
    store = None
    for i in range(conversations.MAX_CONVERSATIONS + 5):
        store = conversations.save(store, f"c{i}", [turn("x" * 100 + str(i))], float(i))
    assert len(conversations.choices(store)) == conversations.MAX_CONVERSATIONS
    assert conversations.choices(store)[0][1] == f"c{conversations.MAX_CONVERSATIONS + 4}"
    assert len(conversations.choices(store)[0][0]) == conversations.TITLE_CHARS


def test_foreign_or_broken_browser_values_give_an_empty_list():
    for value in (None, "text", [1, 2], {"conversations": "x"}, {"conversations": [{"id": 3}, "x"]}):
        assert conversations.choices(value) == [] and conversations.turns_of(value, "a") == []
    store = conversations.delete(conversations.save(None, "a", [turn("q")], 1.0), "a")
    assert store == {"current": "", "conversations": []}


def test_stop_reaches_the_running_answer_of_that_session_only():
    runs = Runs()
    mine, other = runs.start("s1"), runs.start("s2")
    assert runs.stop("s1") and mine.stopped.is_set() and not other.stopped.is_set()
    runs.finish("s1", mine)
    assert not runs.stop("s1")  # nothing runs there any more
    again = runs.start("s2")  # a new answer in the same session ends the old one, discarding it
    assert other.stopped.is_set() and other.discard and not again.stopped.is_set()
    runs.finish("s2", other)  # the old one finishing does not unregister the new one
    assert runs.stop("s2", discard=True) and again.discard

