"""Turning a student's question into a full-text query, in Dutch and English.

SQLite's FTS5 does the ranking (bm25); this module picks the words that
matter, drops the small ones, folds simple word endings, and adds the other
language's word for the course's key terms (the lessons use both: "layer" and
"laag"), so a Dutch question finds an English answer and the other way round.
"""

from __future__ import annotations

import re

#: Words too common to help, Dutch and English.
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "was",
        "we",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "de",
        "het",
        "een",
        "en",
        "of",
        "maar",
        "dat",
        "die",
        "dit",
        "deze",
        "wat",
        "wie",
        "waar",
        "waarom",
        "hoe",
        "welke",
        "wanneer",
        "is",
        "zijn",
        "was",
        "waren",
        "ben",
        "bent",
        "heb",
        "heeft",
        "hebben",
        "had",
        "kan",
        "kun",
        "kunnen",
        "kon",
        "moet",
        "moeten",
        "mag",
        "wil",
        "wilt",
        "ik",
        "je",
        "jij",
        "u",
        "we",
        "wij",
        "ze",
        "zij",
        "hij",
        "het",
        "mijn",
        "jouw",
        "je",
        "in",
        "op",
        "aan",
        "bij",
        "met",
        "voor",
        "van",
        "naar",
        "uit",
        "om",
        "over",
        "als",
        "dan",
        "ook",
        "nog",
        "niet",
        "geen",
        "wel",
        "er",
        "hier",
        "daar",
        "toch",
        "nu",
        "zo",
        "al",
        "te",
        "tot",
        "door",
        "dus",
        "want",
        "of",
        "zou",
        "zouden",
        "wordt",
        "worden",
        "werd",
        "word",
    ]
)
#: Terms the lessons carry in both languages; a question with one finds the other.
SYNONYMS = (
    {"layer", "laag", "lagen"},
    {"writable", "beschrijfbaar", "beschrijfbare", "schrijfbaar"},
    {"remove", "delete", "deleted", "verwijder", "verwijderen", "verwijderd", "verwijdert", "wissen", "rm"},
    {"file", "bestand", "bestanden"},
    {"directory", "folder", "map", "mappen"},
    {"stop", "stopt", "stoppen", "gestopt"},
    {"change", "wijzig", "gewijzigd", "wijziging", "diff"},
    {"add", "toegevoegd", "toevoegen"},
    {"gone", "lost", "weg", "verdwenen", "verdwijnt", "verloren"},
    {"save", "keep", "bewaar", "bewaren", "opslaan"},
    {"stay", "stays", "survive", "blijf", "blijft", "blijven"},
    {"size", "grootte", "groot"},
    {"memory", "geheugen"},
    {"network", "netwerk"},
    {"disk", "schijf"},
    {"history", "geschiedenis"},
    {"missing", "ontbreekt", "ontbrekend"},
    {"start", "starten", "opstarten", "boot"},
    {"process", "proces", "processen"},
)
_SUFFIXES = ("ingen", "ing", "en", "es", "ed", "s", "e")
_WORD = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)
#: At most this many words of a question go into the query.
MAX_TERMS = 12


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _alternatives(word: str) -> set[str]:
    found = {word}
    stem = _stem(word)
    for group in SYNONYMS:
        if word in group or stem in {_stem(w) for w in group}:
            found |= group
    return found


def match_query(text: str) -> str:
    """An FTS5 MATCH expression: every useful word (and its translations) as a prefix, OR-ed."""
    words = [w.lower() for w in _WORD.findall(text)]
    useful = [w for w in words if w not in STOPWORDS and (len(w) > 2 or w in ("rm", "cp"))][:MAX_TERMS]
    terms: list[str] = []
    for word in useful:
        for alternative in sorted(_alternatives(word)):
            stem = _stem(alternative)
            term = f'"{stem}"*' if len(stem) >= 4 else f'"{stem}"'
            if term not in terms:
                terms.append(term)
    return " OR ".join(terms)
