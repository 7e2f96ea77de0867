"""The representation probe draws its antonym copies with the sense policy the model trained
with. Rows and expected copies are written by hand; the senses of "instrumental" are WordNet
3.0's (``tests/test_senses.py``): "serving as a means" in WORKED, musical in PIANO, and only the
musical sense has the antonym "vocal"."""

from types import SimpleNamespace

import pytest
import textattack

from textattack_bat.evaluation.probe import RepresentationProbe
from textattack_bat.evaluation.robustness import RobustnessCallback

WORKED = "The legislature was instrumental in effecting changes"
PIANO = "A man is playing an instrumental piece on the piano"
ROWS = [((WORKED, "The legislature changed nothing."), 0), ((PIANO, "A man is playing music."), 0)]
# many words with a synonym, so that every row gets a changed synonym copy (SAFER resampling
# may draw the word itself)
SYNONYMS = {
    w: [f"{w}x"]
    for w in ("legislature", "effecting", "changes", "changed", "man", "playing", "piece", "piano")
}
ANTONYMS = {"instrumental": ["vocal"]}
PIANO_COPY = ("A man is playing an vocal piece on the piano", "A man is playing music.")


def probe(senses: str) -> RepresentationProbe:
    examples, labels = [x for x, _ in ROWS], [y for _, y in ROWS]
    return RepresentationProbe(
        examples, labels, SYNONYMS, ANTONYMS, skip_labels=(1,), senses=senses
    )


def test_probe_copies_follow_the_sense_policy():
    assert probe("all").antonyms == [
        ("The legislature was vocal in effecting changes", "The legislature changed nothing."),
        PIANO_COPY,
    ]
    context = probe("context")
    assert context.antonyms == [PIANO_COPY]
    assert context.originals == [ROWS[1][0]]


@pytest.mark.parametrize("policy,expected", [("context", [PIANO_COPY]), ("all", None)])
def test_the_epoch_callback_probes_with_the_trainers_policy(policy, expected):
    dataset = textattack.datasets.Dataset(ROWS, input_columns=["premise", "hypothesis"])
    callback = RobustnessCallback(dataset, num_examples=2, skip_labels=(1,), synonym=False)
    args = SimpleNamespace(
        representation="cls",
        distance="cosine",
        max_length=64,
        perturbation_seed=0,
        antonym_senses=policy,
    )
    trainer = SimpleNamespace(synonym_table=SYNONYMS, antonym_table=ANTONYMS, training_args=args)
    antonyms = callback._probe(trainer).antonyms
    assert antonyms == (expected or probe("all").antonyms)
    assert len(antonyms) == (1 if policy == "context" else 2)
