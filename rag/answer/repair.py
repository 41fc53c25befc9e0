"""Repair before refusing: cut the phrase that holds an unsupported detail. Pure.

A right answer often carries one detail its source does not give: a year, a weekday, a title.
Refusing the whole answer for it throws away the fact the reader asked for; keeping it lets an
invented detail through with a citation. So the detail goes, with the smallest phrase around it
that can go without breaking the sentence, in this order:

1. a bracket that holds it: "Baku (on Tuesday)";
2. a clause of its own, between commas or semicolons, when another clause remains;
3. a preposition phrase ending in it: "on Tuesday", "in 2019", "في عام 2019", "يوم الثلاثاء".

Nothing else is cut: when the detail sits in the sentence's core ("Aliyev met Michel"), the
repair gives up and the caller asks the model again or refuses. Whether what is left still
answers the question is not decided here; the caller checks the repaired sentence again.

>>> cut_detail("Stoltenberg met Aliyev in Baku on Tuesday, December 15.", "Tuesday")
'Stoltenberg met Aliyev in Baku, December 15.'
>>> cut_detail("Stoltenberg met Aliyev in 2019 in Baku.", "2019")
'Stoltenberg met Aliyev in Baku.'
>>> cut_detail("التقى ستولتنبرغ علييف في باكو، في عام 2019.", "2019")
'التقى ستولتنبرغ علييف في باكو.'
>>> cut_detail("Nabil Hassan met him.", "Nabil") is None
True
"""

from __future__ import annotations

import re

PREPOSITIONS = (r"on|in|at|since|during|by|from|of|until|for|last|this|next|"
                r"في|منذ|خلال|عام|سنة|يوم|حتى|بحلول|من|مطلع|أواخر|اواخر")
# up to three words between the preposition and the detail ("in early March 2019", "في مطلع عام")
_BETWEEN = r"(?:[^\s,.;،؛()]+\s+){0,3}?"


def _tidy(text: str) -> str:
    text = re.sub(r"\s+([,.;:!?،؛؟])", r"\1", text)
    text = re.sub(r"([,،;؛])\s*([,،;؛.!?؟])", r"\2", text)
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s{2,}", " ", text).strip()
    return re.sub(r"^[,،;؛\s]+", "", text)


def _token_pattern(token: str) -> str:
    return rf"(?<![\w]){re.escape(token)}(?![\w])"


def cut_detail(sentence: str, token: str) -> str | None:
    """``sentence`` without the smallest removable phrase holding ``token`` (see the module
    docstring), or None when no such phrase exists or nothing would be left."""
    found = re.search(_token_pattern(token), sentence)
    if not found:
        return None
    at = found.start()
    for m in re.finditer(r"\s*\([^()]*\)", sentence):  # 1. a bracket
        if m.start() <= at < m.end():
            return _keep(sentence, sentence[: m.start()] + sentence[m.end():])
    clauses = [m for m in re.finditer(r"[^,;،؛]+", sentence.rstrip(".!?؟ "))]  # 2. a clause
    if len(clauses) > 1:
        for i, m in enumerate(clauses):
            if m.start() <= at < m.end() and i > 0:  # never the first clause: it holds the subject
                body = sentence.rstrip(".!?؟ ")
                return _keep(sentence, sentence[: m.start() - 1] + body[m.end():] + sentence[len(body):])
    # 3. the shortest preposition phrase ending in the detail ("on December 15, 2023")
    lead = re.search(rf"(?<![\w])(?:{PREPOSITIONS})\s+{_BETWEEN}$", sentence[:at])
    starts = [m.start() for m in re.finditer(rf"(?<![\w])(?:{PREPOSITIONS})\s+", sentence[:at])]
    starts = [s for s in starts if re.fullmatch(rf"(?:{PREPOSITIONS})\s+{_BETWEEN}", sentence[s:at])]
    if lead and starts:
        after = re.match(rf"{_token_pattern(token)}(?:\s*,?\s*\d{{4}})?", sentence[at:])
        stop = at + (after.end() if after else len(token))
        return _keep(sentence, sentence[: max(starts)] + sentence[stop:])
    return None


def _keep(before: str, after: str) -> str | None:
    after = _tidy(after)
    words = re.findall(r"[^\W\d_]+", after)
    return after if len(words) >= 2 and after != _tidy(before) else None
