"""WordSwapAntonym and the WordNet antonym rule, on real WordNet."""

from textattack.shared import AttackedText

from textattack_bat.attack.transformations import WordSwapAntonym
from textattack_bat.lexicon.antonyms import WordNetAntonyms


def swaps(text: str, index: int, **options) -> list[str]:
    attacked = AttackedText(text)
    return [t.words[index] for t in WordSwapAntonym(**options)(attacked, indices_to_modify=[index])]


def test_good_has_bad():
    assert "bad" in WordNetAntonyms()("good", "JJ")
    assert "bad" in swaps("The food was good", 3)


def test_case_is_kept():
    assert swaps("Happy people sing", 0) == ["Unhappy"]
    assert "BAD" in WordNetAntonyms()("GOOD", "JJ")


def test_inflection_follows_the_original():
    assert "smaller" in swaps("The dog is bigger than the cat", 3)
    buried = swaps("She buries the past", 1)
    assert buried and all(word.endswith("s") for word in buried), buried
    assert swaps("She buries the past", 1, inflect=False) == [w[:-1] for w in buried]


def test_words_without_antonyms_give_nothing():
    assert swaps("The table is there", 1) == []
    assert WordNetAntonyms()("table", "NN") == []


def test_multi_word_antonyms_never_appear():
    from nltk.corpus import wordnet as wn

    antonyms = WordNetAntonyms()
    checked = 0
    for synset in wn.all_synsets():
        for lemma in synset.lemmas():
            raw = [a.name() for a in lemma.antonyms()]
            if any("_" in name for name in raw) and lemma.name().isalpha():
                checked += 1
                ours = antonyms(lemma.name())
                assert all(word.isalpha() for word in ours), (lemma.name(), ours)
                assert not any(name.replace("_", " ") in ours for name in raw if "_" in name)
        if checked >= 20:
            break
    assert checked >= 20  # e.g. still -> no_longer, email -> snail_mail


def test_candidate_order_is_deterministic():
    assert WordNetAntonyms()("good") == WordNetAntonyms()("good")


def test_only_words_with_antonyms_are_offered():
    text = AttackedText("The old man liked the cold soup")
    indices = WordSwapAntonym()(text, return_indices=True)
    assert {text.words[i] for i in indices} == {"old", "man", "liked", "cold"}  # man -> woman


def test_a_dropped_lookup_is_freed_and_its_answers_stay():
    """Look-ups are cached by value, not on the instance: a per-epoch evaluation's lookup is
    freed when dropped (an ``lru_cache`` on a method keeps every instance alive)."""
    import gc
    import weakref

    lookup = WordNetAntonyms(senses="all")
    assert sorted(lookup("good", "JJ")) == ["bad", "evil"]  # WordNet 3.0's antonyms of good.a
    ref = weakref.ref(lookup)
    del lookup
    gc.collect()
    assert ref() is None
    assert sorted(WordNetAntonyms(senses="all")("good", "JJ")) == ["bad", "evil"]
