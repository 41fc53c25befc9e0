"""Questions that are not about one fact: overviews, summaries, timelines and comparisons.

router.py decides the kind (rules; ``fact`` unless sure), picking.py and timeline.py choose the
sentences (pure), compose.py writes the cited answer (pure), answers.py reads the scope's
sentences from the store and ties them together; any kind that finds nothing hands the question
back to the fact path.
"""
