"""Folded forms of normalised skill names, under which the mapping rules compare names and labels.

ESCO writes British spelling ('data visualisation', 'analyse') and often plural knowledge
labels ('query languages'), while the catalogs write American spelling and either number. A
variant key folds both sides the same way, so 'Data Visualization' and 'data visualisation'
share the key 'data visualisation' and 'Data Structures' and 'data structure' share
'data structure'.
"""

from __future__ import annotations

import re

# American endings and the British ones ESCO uses. Only whole-word endings are rewritten, and
# both sides are folded alike, so a rare wrong fold such as 'size' to 'sise' still compares equal.
SPELLING_ENDINGS = (
    (re.compile(r"(\w{2,})iz(e|es|ed|ing|ation|ations|er|ers)$"), r"\1is\2"),
    (re.compile(r"(\w{2,})yz(e|es|ed|ing|er|ers)$"), r"\1ys\2"),
    (re.compile(r"^(model|label|travel|cancel|signal)(ing|ed|er|ers)$"), r"\1l\2"),
    (re.compile(r"^(behavi|col|fav|hum|lab|harb|rum|vig)or(s|al)?$"), r"\1our\2"),
    (re.compile(r"^(cent|met|lit|fib)er(s)?$"), r"\1re\2"),
)
# Last words whose final 's' is not a plural ending: 'analytics', 'business', 'status', 'analysis'.
SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "ous", "ys")

# Verbs that, leading an ESCO skill label, mean using or doing what the rest of the label names:
# 'perform data mining', 'use databases', 'apply change management', 'build recommender systems'.
# Verbs that change the meaning, such as 'teach', 'sell', 'repair' or 'advise', are left out.
OBJECT_VERBS = (
    "use",
    "utilise",
    "make use of",
    "apply",
    "perform",
    "conduct",
    "carry out",
    "execute",
    "implement",
    "employ",
    "practise",
    "undertake",
    "do",
    "work with",
    "build",
)


def variant_key(key: str) -> str:
    """Fold the spelling of each word of a normalised name and make its last word singular."""
    words = [fold_spelling(word) for word in key.split()]
    if words:
        words[-1] = singular(words[-1])
    return " ".join(words)


def fold_spelling(word: str) -> str:
    """Rewrite an American spelling ending as the British one ('visualization' gives 'visualisation')."""
    for pattern, replacement in SPELLING_ENDINGS:
        word = pattern.sub(replacement, word)
    return word


def singular(word: str) -> str:
    """Return the singular of a regular English plural noun, or the word itself.

    'technologies' gives 'technology' and 'databases' gives 'database'. Words that end in
    'ss', 'us', 'is', 'ics', 'ous' or 'ys' ('business', 'analysis', 'statistics') and words of
    three letters or fewer stay as they are.
    """
    if len(word) <= 3 or not word.endswith("s") or word.endswith(SINGULAR_ENDINGS):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    return word[:-1]


def object_of(key: str) -> str:
    """Return what a skill label names after a leading use-or-do verb, or '' when it has none.

    'perform data mining' gives 'data mining'; 'teach mathematics' gives ''.
    """
    for verb in OBJECT_VERBS:
        if key.startswith(verb + " "):
            rest = key[len(verb) + 1 :].strip()
            return re.sub(r"^(a|an|the) ", "", rest)
    return ""
