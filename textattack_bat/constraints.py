"""Constraints the recipes add to TextAttack's own."""

from __future__ import annotations

from collections.abc import Iterable

from textattack.constraints import PreTransformationConstraint
from textattack.shared import AttackedText

# The stopword list of TextFooler's public implementation, as in TextAttack's
# `textattack/attack_recipes/textfooler_jin_2019.py` (MIT licence, QData/TextAttack).
# fmt: off
TEXTFOOLER_STOPWORDS = frozenset({
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "ain", "all",
    "almost", "alone", "along", "already", "also", "although", "am", "among", "amongst", "an",
    "and", "another", "any", "anyhow", "anyone", "anything", "anyway", "anywhere", "are",
    "aren", "aren't", "around", "as", "at", "back", "been", "before", "beforehand", "behind",
    "being", "below", "beside", "besides", "between", "beyond", "both", "but", "by", "can",
    "cannot", "could", "couldn", "couldn't", "d", "didn", "didn't", "doesn", "doesn't", "don",
    "don't", "down", "due", "during", "either", "else", "elsewhere", "empty", "enough", "even",
    "ever", "everyone", "everything", "everywhere", "except", "first", "for", "former",
    "formerly", "from", "hadn", "hadn't", "hasn", "hasn't", "haven", "haven't", "he", "hence",
    "her", "here", "hereafter", "hereby", "herein", "hereupon", "hers", "herself", "him",
    "himself", "his", "how", "however", "hundred", "i", "if", "in", "indeed", "into", "is",
    "isn", "isn't", "it", "it's", "its", "itself", "just", "latter", "latterly", "least", "ll",
    "may", "me", "meanwhile", "mightn", "mightn't", "mine", "more", "moreover", "most",
    "mostly", "must", "mustn", "mustn't", "my", "myself", "namely", "needn", "needn't",
    "neither", "never", "nevertheless", "next", "no", "nobody", "none", "noone", "nor", "not",
    "nothing", "now", "nowhere", "o", "of", "off", "on", "once", "one", "only", "onto", "or",
    "other", "others", "otherwise", "our", "ours", "ourselves", "out", "over", "per", "please",
    "s", "same", "shan", "shan't", "she", "she's", "should've", "shouldn", "shouldn't",
    "somehow", "something", "sometime", "somewhere", "such", "t", "than", "that", "that'll",
    "the", "their", "theirs", "them", "themselves", "then", "thence", "there", "thereafter",
    "thereby", "therefore", "therein", "thereupon", "these", "they", "this", "those", "through",
    "throughout", "thru", "thus", "to", "too", "toward", "towards", "under", "unless", "until",
    "up", "upon", "used", "ve", "was", "wasn", "wasn't", "we", "were", "weren", "weren't",
    "what", "whatever", "when", "whence", "whenever", "where", "whereafter", "whereas",
    "whereby", "wherein", "whereupon", "wherever", "whether", "which", "while", "whither",
    "who", "whoever", "whole", "whom", "whose", "why", "with", "within", "without", "won",
    "won't", "would", "wouldn", "wouldn't", "y", "yet", "you", "you'd", "you'll", "you're",
    "you've", "your", "yours", "yourself", "yourselves",
})
# fmt: on


class ColumnModification(PreTransformationConstraint):
    """Only words of the named input columns may be modified (all columns when ``columns`` is None).

    Unlike TextAttack's ``InputColumnModification`` it needs no fixed column tuple, so one recipe
    serves (premise, hypothesis), (question1, question2) and single-text datasets. Unknown
    column names raise a clear error at the first attacked example.
    """

    def __init__(self, columns: Iterable[str] | None = None):
        self.columns = None if columns is None else tuple(columns)

    def _get_modifiable_indices(self, current_text: AttackedText) -> set[int]:
        names = list(current_text._text_input.keys())
        if self.columns is None:
            return set(range(len(current_text.words)))
        unknown = [c for c in self.columns if c not in names]
        if unknown:
            raise ValueError(
                f"modifiable columns {unknown} are not input columns of this dataset {names}; "
                f"pass some of {names} (or None for all columns)."
            )
        indices: set[int] = set()
        start = 0
        for name, column_text in current_text._text_input.items():
            count = len(AttackedText(column_text).words)
            if name in self.columns:
                indices.update(range(start, start + count))
            start += count
        return indices

    def extra_repr_keys(self):
        return ["columns"]
