"""Negative miners on a hand-computed batch, and the trainer's mining on a real MiniLM."""

import pytest
import textattack
import torch

from textattack_bat.training.miners import NegativeMiner

# anchor (1, 0); candidates at angles 90, 30, 60 and 10 degrees: cosine distances
# 1 - cos = 1.0, 0.134, 0.5, 0.0152; the last one is padding in row 0
ANGLES = torch.tensor([90.0, 30.0, 60.0, 10.0])
CANDIDATES = torch.stack([torch.cos(torch.deg2rad(ANGLES)), torch.sin(torch.deg2rad(ANGLES))], -1)
ANCHOR = torch.tensor([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]])
BATCH = CANDIDATES.expand(3, 4, 2)
VALID = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1], [0, 0, 0, 0]], dtype=torch.bool)
KEPT = torch.tensor([[1, 0, 1, 0], [0, 0, 0, 0], [0, 0, 0, 0]], dtype=torch.bool)
D_AP = torch.tensor([0.3, 0.3, 0.3])


def mine(strategy, margin=1.0):
    return NegativeMiner(strategy, margin=margin)(ANCHOR, D_AP, BATCH, VALID, KEPT).tolist()


def test_hardest_is_the_closest_valid_candidate():
    # row 0: 30 degrees (0.134; the 10-degree one is padding); row 1: 10 degrees; row 2: none
    assert mine("hardest") == [1, 3, -1]


def test_semi_hard_lies_beyond_the_positive_within_the_margin():
    # d_ap = 0.3, margin 0.5: (0.3, 0.8) holds only 60 degrees (0.5) in rows 0 and 1
    assert mine("semi-hard", margin=0.5) == [2, 2, -1]
    # margin 0.1: (0.3, 0.4) holds none: the hardest instead
    assert mine("semi-hard", margin=0.1) == [1, 3, -1]


def test_kept_prefers_a_candidate_that_keeps_the_prediction():
    # row 0 keeps at 90 and 60 degrees: the closer is 60; row 1 keeps none: the hardest
    assert mine("kept") == [2, 3, -1]


def test_random_takes_the_first_candidate_and_bad_names_fail():
    assert mine("random") == [0, 0, -1]
    with pytest.raises(ValueError, match=r"Unknown negative miner 'hard'.*'semi-hard'"):
        NegativeMiner("hard")


def test_trainer_mines_the_candidate_closest_in_an_independent_forward(
    fresh_nli_model_dir, tmp_path
):
    import torch.nn.functional as F

    from textattack_bat.models import load_classifier
    from textattack_bat.training.arguments import BATTrainingArgs
    from textattack_bat.training.trainers import BATTrainer

    rows = [
        (("A man sleeps outside.", "A man is outside."), 0),
        (("A tall woman stands in the rain.", "A woman stands."), 0),
        (("Two boys play a game.", "The boys are happy."), 2),
    ]
    wrapper = load_classifier(fresh_nli_model_dir, num_labels=3)
    args = BATTrainingArgs(
        output_dir=str(tmp_path),
        negative_mining="hardest",
        mining_candidates=4,
        skip_labels=[1],
        antonym_senses="all",
    )
    dataset = textattack.datasets.Dataset(
        rows,
        input_columns=("premise", "hypothesis"),
        label_names=("entailment", "neutral", "contradiction"),
    )
    trainer = BATTrainer(
        wrapper,
        "classification",
        dataset,
        training_args=args,
        synonym_table={"man": ["guy"]},
        antonym_table={
            "outside": ["inside"],
            "man": ["woman"],
            "tall": ["short"],
            "stands": ["sits"],
            "woman": ["man"],
            "happy": ["sad"],
        },
    )
    copies = trainer.perturb_epoch(1)
    batch = {
        "texts": trainer.texts,
        "labels": torch.tensor(trainer.labels),
        **{
            k: copies[k]
            for k in ("synonym_texts", "antonym_candidates", "antonym_candidate_labels")
        },
    }
    chosen = trainer._choose_negatives(wrapper.model, wrapper.tokenizer, batch)

    model = wrapper.model.eval()
    tokenizer = wrapper.tokenizer

    def cls(pairs):
        with torch.no_grad():
            inputs = tokenizer(
                [p for p, _ in pairs], [h for _, h in pairs], padding=True, return_tensors="pt"
            )
            return model(**inputs, output_hidden_states=True).hidden_states[-1][:, 0]

    for i, candidates in enumerate(batch["antonym_candidates"]):
        assert candidates, i  # every row has antonym candidates here
        distances = 1 - F.cosine_similarity(cls([trainer.texts[i]]), cls(candidates))
        assert chosen["antonym_texts"][i] == candidates[int(distances.argmin())]
    # implied labels: entailment rows whose swapped word the other side shares -> contradiction
    shared = [{"man", "outside"}, {"woman", "stands"}, set()]  # by hand; row 2 is a contradiction
    for i, candidates in enumerate(batch["antonym_candidates"]):
        for copy, label in zip(candidates, batch["antonym_candidate_labels"][i]):
            before = " ".join(trainer.texts[i]).replace(".", "").split()
            after = " ".join(copy).replace(".", "").split()
            (swapped,) = [a.lower() for a, b in zip(before, after) if a != b]
            assert label == (2 if swapped in shared[i] else -1), (copy, label)


def test_labelled_negative_term_is_the_cross_entropy_towards_the_implied_label(
    fresh_nli_model_dir, tmp_path
):
    import torch.nn.functional as F

    from textattack_bat.models import load_classifier
    from textattack_bat.training.arguments import BATTrainingArgs
    from textattack_bat.training.trainers import BATTrainer

    rows = [
        (("A man sleeps outside.", "A man is outside."), 0),  # shared: -> contradiction
        (("Two boys play a game.", "The boys are happy."), 2),  # contradiction: no label
    ]
    wrapper = load_classifier(fresh_nli_model_dir, num_labels=3)
    dataset = textattack.datasets.Dataset(
        rows,
        input_columns=("premise", "hypothesis"),
        label_names=("entailment", "neutral", "contradiction"),
    )
    args = BATTrainingArgs(
        output_dir=str(tmp_path),
        labelled_negative_weight=0.5,
        triplet_lambda=0.0,  # only CE and the labelled term remain
        antonym_positions="shared",
        skip_labels=[1],
        antonym_senses="all",
    )
    trainer = BATTrainer(
        wrapper,
        "classification",
        dataset,
        training_args=args,
        synonym_table={},
        antonym_table={"outside": ["inside"], "happy": ["sad"]},
    )
    copies = trainer.perturb_epoch(1)
    assert copies["antonym_candidate_labels"] == [[2], [-1]]
    as_collated = {k: v if isinstance(v, list) else torch.as_tensor(v) for k, v in copies.items()}
    batch = {"texts": trainer.texts, "labels": torch.tensor(trainer.labels), **as_collated}
    model, tokenizer = wrapper.model.eval(), wrapper.tokenizer  # no dropout: comparable passes
    with torch.no_grad():
        loss, _, _ = trainer.training_step(model, tokenizer, batch)

        def logits(pairs):
            inputs = tokenizer(
                [p for p, _ in pairs], [h for _, h in pairs], padding=True, return_tensors="pt"
            )
            return model(**inputs).logits

        ce = F.cross_entropy(logits(trainer.texts), torch.tensor([0, 2]))
        copy = copies["antonym_candidates"][0][0]
        assert copy == ("A man sleeps inside.", "A man is outside.") or copy == (
            "A man sleeps outside.",
            "A man is inside.",
        )
        labelled = F.cross_entropy(logits([copy]), torch.tensor([2]))
    assert float(loss) == pytest.approx(float(ce + 0.5 * labelled), abs=1e-4)
