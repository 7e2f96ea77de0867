"""One-edit negation of English verbs, inserted or removed, on Penn-tagged words.

Each rule returns edits: ``{word index: replacement}``, a replacement of ``""`` deleting the
word, one with spaces inserting words. Inserting (:func:`insertions`) at the verb at ``i``:

- ``be`` forms and modals: ``is -> is not / isn't``, ``can -> cannot / can't``,
  ``will -> will not / won't`` (``am``, ``may``, ``shall`` have no contraction);
  auxiliary ``have`` / ``do`` (before a participle / base form) likewise;
- other finite verbs take ``do``: ``plays -> does not play / doesn't play``,
  ``played -> did not play / didn't play``, ``play`` (VBP) ``-> do not play / don't play``,
  ``has`` (a car) ``-> does not have / doesn't have``;
- base forms, gerunds and participles not led by an auxiliary: ``playing -> not playing``,
  ``to play -> not to play``.

A sentence-initial auxiliary (a question) gets only the contraction:
``Is he ... -> Isn't he ...``. A verb that is already negated (``not``/``n't``/
``never`` next to it) is skipped. Removing (:func:`deletions`): ``not``, ``n't`` forms,
``cannot``, ``never`` and ``no`` before a plural noun; ``does not play`` / ``doesn't play ->
plays``, ``didn't play -> played``, ``don't play -> play``, ``can't -> can``,
``won't -> will``; ``not only`` is no negation. :func:`edits` gives both directions;
:func:`edited_texts` makes the distinct edited ``AttackedText``s (the attack's transformations and,
through :func:`copies`, the training samplers both use it, so both make the same texts).
"""

from __future__ import annotations

from collections.abc import Sequence

from textattack_bat.lexicon.antonyms import match_case
from textattack_bat.lexicon.tokens import penn_tags

BE = frozenset({"is", "are", "was", "were", "am"})
MODALS = frozenset({"will", "would", "can", "could", "should", "must", "may", "might", "shall"})
DO = frozenset({"do", "does", "did"})
HAVE = frozenset({"has", "have", "had"})
CONTRACTED = {
    "is": "isn't",
    "are": "aren't",
    "was": "wasn't",
    "were": "weren't",
    "has": "hasn't",
    "have": "haven't",
    "had": "hadn't",
    "do": "don't",
    "does": "doesn't",
    "did": "didn't",
    "will": "won't",
    "would": "wouldn't",
    "can": "can't",
    "could": "couldn't",
    "should": "shouldn't",
    "must": "mustn't",
    "might": "mightn't",
}
UNCONTRACTED = {negated: plain for plain, negated in CONTRACTED.items()} | {"cannot": "can"}
DO_FOR_TAG = {"VBZ": "does", "VBD": "did", "VBP": "do"}
TAG_FOR_DO = {do: tag for tag, do in DO_FOR_TAG.items()}
NEGATORS = frozenset({"not", "n't", "never"})

Edit = dict[int, str]


def _lemma(verb: str) -> str:
    from lemminflect import getLemma

    lemmas = getLemma(verb.lower(), upos="VERB")
    return lemmas[0] if lemmas else verb.lower()


def _inflect(lemma: str, tag: str) -> str:
    from lemminflect import getInflection

    if tag == "VBP":
        return lemma
    forms = getInflection(lemma, tag=tag)
    return forms[0] if forms else lemma


def _next_verb(words: Sequence[str], tags: Sequence[str], i: int) -> int | None:
    """Index of the first verb after ``i``, skipping adverbs; None if another word comes first."""
    j = i + 1
    while j < len(words) and tags[j] == "RB" and words[j].lower() not in NEGATORS:
        j += 1
    return j if j < len(words) and tags[j].startswith("VB") else None


def _is_negated(words: Sequence[str], i: int) -> bool:
    before = words[i - 1].lower() if i > 0 else ""
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    return any(w in NEGATORS or w in UNCONTRACTED for w in (words[i].lower(), before, after))


def _is_auxiliary(words: Sequence[str], tags: Sequence[str], i: int) -> bool:
    """``be`` and modals always; ``have`` before a participle, ``do`` before a base form
    (contracted negations count as their plain form)."""
    word = UNCONTRACTED.get(words[i].lower(), words[i].lower())
    if word in BE or word in MODALS:
        return True
    following = _next_verb(words, tags, i)
    if following is None:
        return False
    return (word in HAVE and tags[following] == "VBN") or (word in DO and tags[following] == "VB")


def insertions(words: Sequence[str], tags: Sequence[str], i: int) -> list[Edit]:
    """The one-edit negations of the verb at ``i`` (none if it is no verb or already negated)."""
    word, tag = words[i], tags[i]
    if not (tag.startswith("VB") or tag == "MD") or _is_negated(words, i):
        return []
    lower = word.lower()
    if _is_auxiliary(words, tags, i):
        contracted = CONTRACTED.get(lower)
        short = [{i: match_case(word, contracted)}] if contracted else []
        if i == 0:
            return short  # a question: "Isn't he", not "Is not he"
        full = "cannot" if lower == "can" else f"{word} not"
        return [{i: match_case(word, full)}] + short
    if tag in DO_FOR_TAG:
        do, lemma = DO_FOR_TAG[tag], _lemma(word)
        return [
            {i: match_case(word, f"{do} not {lemma}")},
            {i: match_case(word, f"{CONTRACTED[do]} {lemma}")},
        ]
    previous = i - 1
    while previous >= 0 and tags[previous] == "RB":
        previous -= 1
    if previous >= 0 and _is_auxiliary(words, tags, previous):
        return []  # "is playing": negated at the auxiliary
    if previous >= 0 and words[previous].lower() == "to":
        return [{previous: match_case(words[previous], "not to")}]
    # a sentence-initial word gives its capital to "not": "Playing ..." -> "Not playing ..."
    return [{i: match_case(word, f"not {lower if i == 0 else word}")}]


def deletions(words: Sequence[str], tags: Sequence[str], i: int) -> list[Edit]:
    """The one-edit removal of the negation at ``i`` (none if ``words[i]`` is no negation)."""
    word, lower = words[i], words[i].lower()
    after = words[i + 1].lower() if i + 1 < len(words) else ""
    if lower in ("not", "n't"):
        if after == "only":
            return []  # "not only ... but also"
        if i > 0 and words[i - 1].lower() in DO:
            return [_drop_do(words, tags, i - 1, {i: ""})]
        return [_capitalise_next(words, i, {i: ""})]
    if lower in UNCONTRACTED:
        plain = UNCONTRACTED[lower]
        if plain in DO:
            return [_drop_do(words, tags, i, {i: match_case(word, plain)})]
        return [{i: match_case(word, plain)}]
    if lower == "never":
        return [_capitalise_next(words, i, {i: ""})]
    if lower == "no" and i + 1 < len(words) and tags[i + 1] in ("NNS", "NNPS"):
        return [_capitalise_next(words, i, {i: ""})]
    return []


def _drop_do(words: Sequence[str], tags: Sequence[str], do_at: int, edit: Edit) -> Edit:
    """``does (not) play -> plays``: the ``do`` goes and the verb takes its tense; without a
    following base form (``he doesn't.``, ``doesn't he play?``) only ``edit`` is made."""
    verb = max(edit) + 1
    if verb >= len(words) or do_at == 0 or not _base_form(words[verb], tags[verb]):
        return edit
    tag = TAG_FOR_DO[UNCONTRACTED.get(words[do_at].lower(), words[do_at].lower())]
    return {**edit, do_at: "", verb: _inflect(_lemma(words[verb]), tag)}


def _base_form(word: str, tag: str) -> bool:
    """A verb's base form (the tagger says VB/VBP after ``not``, sometimes a noun)."""
    return tag in ("VB", "VBP") or (tag.startswith("NN") and _lemma(word) == word.lower())


def _capitalise_next(words: Sequence[str], i: int, edit: Edit) -> Edit:
    """A deleted sentence-initial word passes its capital to the next word."""
    if i == 0 and words[0][:1].isupper() and len(words) > 1:
        return {**edit, 1: words[1][:1].upper() + words[1][1:]}
    return edit


def edits(words: Sequence[str], tags: Sequence[str], i: int) -> list[Edit]:
    """Both directions at ``i``: :func:`insertions`, then :func:`deletions` (a word is either a
    verb to negate or a negation to remove, so at most one of them gives edits)."""
    return insertions(words, tags, i) + deletions(words, tags, i)


def apply(text, edit: Edit, offset: int = 0):
    """``edit`` made on the ``AttackedText`` ``text``, its word indices shifted by ``offset`` (the
    edited column's first word): a new ``AttackedText``, spacing and punctuation kept."""
    changed = sorted(edit)
    return text.replace_words_at_indices([offset + i for i in changed], [edit[i] for i in changed])


def edited_texts(text, places, rule=edits) -> list:
    """The distinct ``AttackedText``s that ``rule``'s edits make of the ``AttackedText`` ``text``
    at each place ``(words, i, offset)``: a column's words, the word's index in them and the
    column's first word in ``text``. In order of the places; ``text`` itself is left out."""
    seen, found = {text.text}, []
    for words, i, offset in places:
        for edit in rule(words, penn_tags(words), i):
            new = apply(text, edit, offset)
            if new.text not in seen:
                seen.add(new.text)
                found.append(new)
    return found


def copies(text: str) -> tuple[str, ...]:
    """Every distinct one-edit negation of ``text`` (one sentence or column), in word order:
    the texts :class:`~textattack_bat.attack.transformations.WordNegation` offers for it."""
    from textattack.shared import AttackedText

    attacked = AttackedText(text)
    words = tuple(attacked.words)
    return tuple(t.text for t in edited_texts(attacked, ((words, i, 0) for i in range(len(words)))))
