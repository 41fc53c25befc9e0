"""Which kind of question this is: a single fact (the default), or an overview, a summary, a
timeline or a comparison of the articles. Pure rules over the normalised question.

Rules, not the model: a 1.5B model asked to label questions costs a second and guesses, while
the wording of these four requests is formulaic in both languages ("summarise", "لخص",
"timeline", "تسلسل زمني", "compare", "قارن"). The rules err towards ``fact``: a question they
do not recognise goes down the fact path, which can still answer it or refuse honestly, whereas
a fact question sent to an overview would never get its fact. The rules are measured on the
kind gold (eval/kinds/gold.jsonl) and on every fact question of the other gold files, which
must all stay ``fact`` (tests/test_kinds.py).

>>> [classify(q) for q in ["Who met Stoltenberg in Baku?", "لخص ما تقوله المقالات عن الناتو",
...  "What are the main topics covered in these articles?", "Give a timeline of Azerbaijan and NATO",
...  "قارن بين ما قاله ستولتنبرغ وما قاله بيراموف"]]
['fact', 'summary', 'overview', 'timeline', 'comparison']
"""

from __future__ import annotations

import re

from rag.text.normalize import normalize, tokenize
from rag.text.numbers import MONTHS

KINDS = ("fact", "overview", "summary", "timeline", "comparison")

_ARTICLES_EN = (r"(?:articles?|collection|news|stories|story|reports?|texts?|documents?|sources?|library|archive|"
                r"pieces?|coverage|section|headlines?|titles?)")
_ARTICLES_AR = (r"(?:المقالات|المقاله|مقالات|مقال|الاخبار|اخبار|الخبر|المقالتين|المقالتان|النصوص|التقارير|المصادر|"
                r"الوثائق|المكتبه|الارشيف|المجموعه|العناوين|عناوين)")
_EN_WH = r"(?:who|whom|whose|when|where|why|how many|how much|how long|how old|what year|what date|what time)"
_AR_WH = r"(?:من(?! فضلك)|مين|متي|اين|وين|لماذا|ليش|ليه|كم|ما (?:الموعد|اسم|عدد|سبب|قيمه)|في اي|باي)"

# A fact question that uses a kind's word as a noun ("Who gave an overview of the plan?",
# "ما الموعد الذي حدده الجدول الزمني؟") starts with a fact interrogative: it stays a fact.
_FACT_START = re.compile(rf"^(?:{_EN_WH}|which (?!{_ARTICLES_EN}|topics|subjects|events)\w+|{_AR_WH}|اي (?!{_ARTICLES_AR})"
                         rf"|what (?!{_ARTICLES_EN}|topics|subjects|kind|sort|stuff|happened|events)\w+ "
                         r"(?:did|does|do|was|is|were|are|has|have)\b)\b")

_RULES: list[tuple[str, re.Pattern]] = [
    ("timeline", re.compile(
        r"\btime ?line\b|\bchrono(?:log|lg)|\bsequence of events\b|\b(?:trace|track) how\b|\bhow .{2,60} (?:evolved|developed)\b"
        r"|\bfrom the (?:first|start|beginning) .{2,60} to the\b|\b(?:in|by) (?:date|chronological|time) order\b"
        r"|\bdate by date\b|\bby date\b|\bover time\b|\bmilestones\b|\bunfold|\bstep by step\b"
        r"|\bwhat happened (?:in .{2,60} )?(?:between|from|since)\b|\bkey dates\b|\border of events\b|\bevents in order\b"
        r"|\bin order\b.*\bevents\b|\bevents\b.*\bin order\b"
        r"|(?:ال)?تسلسل(?:ا)? (?:ال)?زمني|(?:الخط|الجدول|خطا?|جدولا?|سردا?) (?:ال)?زمني|تسلسل (?:ال)?احداث|بالترتيب الزمني"
        r"|(?:ال)?ترتيب(?:ا)? (?:ال)?زمني|حسب التاريخ|بالتسلسل|مع مرور الوقت|عبر الزمن|المحطات|مراحل تطور"
        r"|(?:ماذا|ما الذي|شو|ايش) (?:حدث|صار|جري) .{0,60}(?:بين|من .{2,30} (?:الي|لحد|حتي))"
        r"|ابرز التواريخ|اهم التواريخ|التواريخ (?:الرئيسيه|المهمه)|الاحداث المتتاليه|رتب .{0,40}احداث"
        r"|(?:ب)?ترتيب(?:ها|هم|ه) (?:ال)?زمني|خطوه بخطوه|بالترتيب\W*$|رتب(?:هم|ها)\b"
        r"|كيف (?:تطورت|تطور) .{2,60}(?:منذ|من) .{2,40}(?:حتي|الي|لحد)")),
    ("comparison", re.compile(
        r"^(?:please )?(?:compare|contrast)\b|\bcompare\b|\bcomparison\b|\bhow (?:do|does|did) .{2,80} differ\b"
        r"|\bdifferences? between\b|\bsimilarit(?:y|ies) (?:and|between)\b|\bside by side\b"
        r"|\b(?:agree|differ)\b.{0,60}\bor (?:do they )?(?:differ|disagree|agree)\b"
        r"|\bin what ways? (?:do|does|did) .{2,80} (?:differ|agree)\b"
        r"|\b(?:disagree|diverge)\b|\bcontrast(?:s|ed)? with\b|\bopposing (?:views|viewpoints|positions|sides)\b"
        r"|\btell the same story\b|\b(?:different|competing|conflicting) (?:accounts|versions|narratives)\b"
        r"|(?:^|\s)(?:قارن|وقارن|وازن)(?:\s|$)|مقارنه بين|الفرق بين|الفروق بين|الاختلاف بين|اوجه (?:الشبه|الاختلاف)"
        r"|كيف (?:تختلف|يختلف)|جنبا الي جنب|هل (?:تتفق|يتفق) .{2,80} ام (?:تختلف|يختلف)"
        r"|اختلف(?:ت)? (?:روايه|روايات)|بالطريقه نفسها|بنفس الطريقه|(?:^|\s)قابل (?:ليا |لي )?بين"
        r"|وجهات النظر (?:المختلفه|المتعارضه|المتباينه)")),
    ("summary", re.compile(
        r"^(?:please |can (?:you|u) |could you )?(?:summ?ari[sz]e|sum up|recap|brief me|condense)\b"
        r"|\bsumm?ar(?:y|ise|ize)\b|\bsum up\b|\bcondense\b|\bin a nutshell\b|\bgist\b|\btakeaways\b"
        r"|\bin (?:a few|one|two|three) sentences\b|\btl;?dr\b|\bkey points\b|\bmain points\b|\bessence\b|\bin short\b"
        r"|(?:^|\s)(?:لخص|لخصلي|تلخصلي|تلخص|اختصر|الخص)|ملخص|تلخيص|باختصار|بايجاز|موجز|ابرز النقاط"
        r"|النقاط الرئيسيه|ابرز ما (?:ورد|جاء|قيل)|اهم ما (?:ورد|جاء|قيل)|اهم النقاط|خلاصه|الزبده"
        r"|الفكره (?:الرئيسيه|الاساسيه) (?:ل|في |من )?(?:ال)?(?:تقرير|مقال|خبر|تغطيه)")),
    ("overview", re.compile(
        rf"\bwhat (?:are|is) (?:these|the|this|all) {_ARTICLES_EN} (?:about|on|covering)\b"
        rf"|\bwhat (?:do|does) (?:these|the|this|all) (?:\w+ )?{_ARTICLES_EN} (?:cover|discuss|deal with|talk about|consist)"
        r"|\bmain (?:topics|subjects|themes|stories|issues)\b|\boverview\b|\bwhat(?:'s| is) (?:in )?(?:here|in here)\b"
        rf"|\bwhat(?:'s| is) in (?:this|the) {_ARTICLES_EN}\b|\bstuff is in here\b|\bin here\b\W*$"
        rf"|\b(?:list|show) (?:me )?(?:all )?(?:the |all )?(?:\w+ )?(?:{_ARTICLES_EN}|topics|subjects)\b"
        rf"|\bwhich {_ARTICLES_EN} (?:do you have|are there)\b|\bwhat {_ARTICLES_EN} (?:do you have|are there)\b"
        rf"|\bwhich topics\b|\bwhat topics\b|\bwhat subjects\b|\bwhat you(?:'ve| have) got\b"
        rf"|\bwh?at kinds? of {_ARTICLES_EN}\b|\bbird'?s[- ]eye view\b|\bwhich themes\b|\bwhat themes\b"
        rf"|\b{_ARTICLES_EN} (?:consists? of|covers?)\b"
        rf"|\b(?:broadly|overall|in general)\b.*\b{_ARTICLES_EN}\b|\b{_ARTICLES_EN}\b.*\b(?:broadly|overall|in general)\b"
        rf"|(?:عن ماذا|عما|ماذا|ما الذي|ما|علي ماذا) (?:تتحدث|تتناول|تغطي|تناقش|يتناول|يتحدث|يغطي|يحتوي|يحتويه|تحتوي)"
        rf" .{{0,20}}{_ARTICLES_AR}"
        r"|(?:المواضيع|الموضوعات|القضايا|العناوين) (?:الرئيسيه|الاساسيه|التي|اللي)|اهم المواضيع|اهم الموضوعات"
        rf"|نظره عامه|(?:اعرض|اذكر|قائمه|عناوين)(?: لي)?(?: قائمه)? ?(?:ب)?{_ARTICLES_AR}"
        rf"|(?:محتوي|شو في|ايش في|ماذا في) .{{0,20}}{_ARTICLES_AR}|{_ARTICLES_AR} .{{0,30}}(?:بشكل عام|اجمالا)"
        rf"|ما (?:هي )?{_ARTICLES_AR} (?:المتوفره|الموجوده)|لمحه عامه|ابرز العناوين"
        rf"|{_ARTICLES_AR} .{{0,30}}(?:عن ايه|علي ايه|عن شنو|شنو كاين)|شنو كاين|(?:بتتكلم|بيتكلم|تتكلم) عن ايه")),
]


def classify(question: str) -> str:
    """One of ``KINDS``; ``fact`` unless a rule for another kind matches."""
    text = normalize(question).lower().strip()
    if _FACT_START.match(text):
        return "fact"
    for kind, rule in _RULES:
        if rule.search(text):
            return kind
    return "fact"


_GENERIC = frozenset(tokenize(
    "articles article news stories story reports report collection texts documents sources library archive "
    "say says said tell talk about cover covered covering discuss give me us brief short please main key points "
    "important topics topic subjects themes overview list show all these this those whole entire "
    "summarize summarise summary sum up recap timeline chronology chronological events dates order compare "
    "comparison contrast differ difference differences side by each one two three few sentences "
    "المقالات المقاله مقال الاخبار الخبر النصوص التقارير المصادر المكتبه تقول تقوله يقول يقوله قالت قال تتحدث "
    "تتناول تغطي عن حول لخص اختصر ملخص تلخيص موجز باختصار اهم ابرز النقاط الرئيسيه المواضيع الموضوعات "
    "القضايا كل جميع هذه هذا التسلسل الزمني الاحداث التواريخ قارن مقارنه الفرق الاختلاف بين في جمل جملتين "
    "رتب ترتيب ترتيبا زمنيا الخط الجدول حسب تاريخ حدث حصل صار جري happened happen what when between from to "
    "اعرض اعطني قدم ما ماذا الذي"
) + [tokenize(month)[0] for month in MONTHS if tokenize(month)])


def has_topic(question: str) -> bool:
    """Does the question name a topic, beyond asking about "the articles" (and dates: "what
    happened between March and May?" has no topic but its dates)? "Summarise the articles" has
    none: its summary is the scope's most central sentences.

    >>> has_topic("Summarize the articles."), has_topic("لخص المقالات"), has_topic("Summarize what they say on NATO")
    (False, False, True)
    """
    return any(term not in _GENERIC and not term.isdigit() for term in tokenize(question))
