"""BAT's mechanism on a real transformer (MiniLM) and real SNLI rows (issue 12, item 1).

The antonym and synonym tables are written by hand for these rows (the oracle does not come from
the code under test). Expected losses are recomputed independently: each text encoded on its own
with the model's forward pass, the triplet formula written out here.
"""

import re

import pytest
import torch

from textattack_bat.datasets import load_jsonl_dataset
from textattack_bat.models import load_classifier
from textattack_bat.training.arguments import BATTrainingArgs
from textattack_bat.training.trainers import BATTrainer

# Real SNLI dev rows (../shared/data/snli_validation.jsonl); checked by hand to contain the words below.
ANTONYMS = {
    "man": ["woman"],
    "woman": ["man"],
    "outside": ["inside"],
    "inside": ["outside"],
    "young": ["old"],
    "old": ["young"],
    "sitting": ["standing"],
    "standing": ["sitting"],
    "boy": ["girl"],
    "girl": ["boy"],
    "black": ["white"],
    "white": ["black"],
    "day": ["night"],
    "night": ["day"],
    "up": ["down"],
    "down": ["up"],
    "big": ["small"],
    "small": ["big"],
    "asleep": ["awake"],
    "wet": ["dry"],
}
SYNONYMS = {
    "man": ["guy", "gentleman"],
    "woman": ["lady"],
    "people": ["persons", "folks"],
    "dog": ["puppy"],
    "street": ["road"],
    "child": ["kid"],
    "walking": ["strolling"],
    "shirt": ["top"],
    "playing": ["frolicking"],
    "big": ["large", "huge"],
    "small": ["little", "tiny"],
    "boy": ["lad"],
    "girl": ["lass"],
}
WORD = re.compile(r"[A-Za-z]+")


@pytest.fixture(scope="module")
def rows(shared_data):
    """16 real SNLI dev rows, entailment/contradiction, each with a word of the hand-written antonym table."""
    data = load_jsonl_dataset(shared_data / "snli_validation.jsonl", limit=400)
    pairs = [(tuple(inputs.values()), label) for inputs, label in data]
    picked = [
        (texts, label)
        for texts, label in pairs
        if label != 1 and any(w.lower() in ANTONYMS for t in texts for w in WORD.findall(t))
    ]
    picked = (
        picked[:14] + [(texts, label) for texts, label in pairs if label == 1][:2]
    )  # 2 neutral rows: masked
    import textattack

    return textattack.datasets.Dataset(
        picked,
        input_columns=("premise", "hypothesis"),
        label_names=["entailment", "neutral", "contradiction"],
    )


def make_trainer(rows, tmp_path, eval_rows=None, epoch_callbacks=(), **overrides):
    torch.manual_seed(0)
    wrapper = load_classifier(None, num_labels=3)
    settings = dict(
        method="bat-triplet",
        output_dir=str(tmp_path),
        num_epochs=1,
        learning_rate=5e-5,
        per_device_train_batch_size=16,
        max_length=64,
        random_seed=0,
        resume=False,
    )
    settings.update(overrides)
    return BATTrainer(
        wrapper,
        "classification",
        rows,
        eval_rows,
        BATTrainingArgs(**settings),
        synonym_table=SYNONYMS,
        antonym_table=ANTONYMS,
        epoch_callbacks=epoch_callbacks,
    )


def one_batch(trainer):
    trainer._epoch = 1
    return next(iter(trainer.get_train_dataloader(trainer.train_dataset, None, 16)))


def words(text):
    return [w.lower() for w in WORD.findall(text)]


def cls(model, tokenizer, texts):
    """h(x) = last-layer [CLS] state of each text, encoded one at a time (no batching, no padding)."""
    states = []
    for premise, hypothesis in texts:
        inputs = tokenizer(premise, hypothesis, truncation=True, max_length=64, return_tensors="pt")
        states.append(model(**inputs, output_hidden_states=True).hidden_states[-1][0, 0])
    return torch.stack(states)


def test_copies_are_aligned_with_their_rows(rows, tmp_path):
    trainer = make_trainer(rows, tmp_path)
    batch = one_batch(trainer)
    n_antonym = 0
    for i, original in enumerate(batch["texts"]):
        label = int(batch["labels"][i])
        antonym, synonym = batch["antonym_texts"][i], batch["synonym_texts"][i]
        if batch["antonym_mask"][i]:
            n_antonym += 1
            assert label != 1
            changed = [
                (a, b)
                for col_o, col_a in zip(original, antonym)
                for a, b in zip(words(col_o), words(col_a))
                if a != b
            ]
            assert len(changed) == 1 and changed[0][1] in ANTONYMS[changed[0][0]], (
                original,
                antonym,
            )
        else:
            assert antonym == original
        for col_o, col_s in zip(original, synonym):
            assert len(words(col_o)) == len(words(col_s))
            for a, b in zip(words(col_o), words(col_s)):
                assert a == b or b in SYNONYMS[a], (a, b)
    assert (
        n_antonym == 14
    )  # every non-neutral row has an antonym copy; the 2 neutral rows are masked

    # The single forward batch: originals, then the needed synonym copies, then the antonym copies,
    # row by row in the order of the masks.
    seen = []
    trainer._tokenize = lambda tokenizer, texts, _orig=trainer._tokenize: (
        seen.append(list(texts)) or _orig(tokenizer, texts)
    )
    model = trainer.model_wrapper.model.eval()
    trainer.training_step(model, trainer.model_wrapper.tokenizer, batch)
    needs_pos = [i for i in range(16) if batch["synonym_mask"][i] and batch["antonym_mask"][i]]
    needs_neg = [i for i in range(16) if batch["antonym_mask"][i]]
    assert seen[0] == (
        batch["texts"]
        + [batch["synonym_texts"][i] for i in needs_pos]
        + [batch["antonym_texts"][i] for i in needs_neg]
    )


def test_triplet_term_matches_an_independent_computation(rows, tmp_path):
    trainer = make_trainer(rows, tmp_path)
    batch = one_batch(trainer)
    model, tokenizer = trainer.model_wrapper.model.eval(), trainer.model_wrapper.tokenizer
    loss, _, _ = trainer.training_step(model, tokenizer, batch)
    with torch.no_grad():
        h, h_o, h_u = (
            cls(model, tokenizer, batch[key]) for key in ("texts", "synonym_texts", "antonym_texts")
        )
    terms = []
    for i in range(16):
        if batch["antonym_mask"][i]:
            d_pos = (
                1 - torch.cosine_similarity(h[i], h_o[i], dim=0)
                if batch["synonym_mask"][i]
                else 0.0
            )
            d_neg = 1 - torch.cosine_similarity(h[i], h_u[i], dim=0)
            terms.append(max(0.0, float(d_pos + 1.0 - d_neg)))
    expected = sum(terms) / len(terms)
    assert trainer._terms["triplet"] == pytest.approx(expected, abs=1e-4)
    assert expected > 0.5  # non-zero at the start: the margin is far from met


def test_contrastive_gradient_reaches_the_encoder_not_the_head(rows, tmp_path):
    trainer = make_trainer(rows, tmp_path)
    batch = one_batch(trainer)
    model, tokenizer = trainer.model_wrapper.model.eval(), trainer.model_wrapper.tokenizer

    def gradients(loss):
        model.zero_grad()
        loss.backward()
        return {
            name: p.grad.detach().clone()
            for name, p in model.named_parameters()
            if p.grad is not None
        }

    total = gradients(trainer.training_step(model, tokenizer, batch)[0])
    ce_only = gradients(
        trainer.cross_entropy_step(model, tokenizer, batch["texts"], batch["labels"])[0]
    )
    difference = {name: (total[name] - ce_only.get(name, 0)).norm().item() for name in total}
    encoder = [name for name in difference if ".encoder.layer." in name]
    head = [name for name in difference if name.startswith("classifier.")]
    assert encoder and head
    assert max(difference[name] for name in head) < 1e-6  # the term is on h, before the classifier
    assert (
        sum(difference[name] for name in encoder if ".layer.0." in name) > 1e-3
    )  # it reaches the first layer


@pytest.mark.slow
def test_bat_separates_antonym_copies_more_than_cross_entropy(rows, tmp_path):
    """Ten steps on one fixed batch from the same start, same seed: the gap
    d(h, h_u) - d(h, h_o) grows clearly more under BAT-Triplet than under cross-entropy alone."""

    def gap_after(steps, clean):
        trainer = make_trainer(rows, tmp_path / str(clean))  # same start, same copies
        batch = one_batch(trainer)
        model, tokenizer = trainer.model_wrapper.model, trainer.model_wrapper.tokenizer
        optimizer = torch.optim.AdamW(model.parameters(), lr=5e-5, weight_decay=0.0)
        keep = [i for i in range(16) if batch["antonym_mask"][i] and batch["synonym_mask"][i]]

        def gap():
            model.eval()
            with torch.no_grad():
                h, h_o, h_u = (
                    cls(model, tokenizer, [batch[key][i] for i in keep])
                    for key in ("texts", "synonym_texts", "antonym_texts")
                )
            return float(
                (
                    (1 - torch.cosine_similarity(h, h_u)) - (1 - torch.cosine_similarity(h, h_o))
                ).mean()
            )

        before = gap()
        torch.manual_seed(1)
        for _ in range(steps):
            model.train()
            if clean:
                loss = trainer.cross_entropy_step(
                    model, tokenizer, batch["texts"], batch["labels"]
                )[0]
            else:
                loss = trainer.training_step(model, tokenizer, batch)[0]
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        return gap() - before

    bat_rise, ce_rise = gap_after(10, clean=False), gap_after(10, clean=True)
    print(f"gap rise: BAT-Triplet {bat_rise:.3f}, cross-entropy {ce_rise:.3f}")
    assert bat_rise > ce_rise + 0.1, (bat_rise, ce_rise)


@pytest.mark.slow
def test_per_epoch_diagnostics_reach_history_log_and_plot(rows, shared_data, tmp_path):
    """One BAT epoch with the per-epoch evaluation: intervals, gold-edit kept rate and the
    representation probe (pull/push) land in history.json, robustness_log.json and tradeoff.png."""
    import json

    from PIL import Image

    from textattack_bat.evaluation.robustness import RobustnessCallback

    callback = RobustnessCallback(
        rows, 16, synonym=False, gold_edits=shared_data / "cad_snli_antonym_edits.jsonl"
    )
    trainer = make_trainer(rows, tmp_path, rows, epoch_callbacks=[callback])
    history = trainer.train()
    record = history[-1]
    for key in (
        "representation_pull",
        "representation_push",
        "representation_ratio",
        "robustness_accuracy_ci95",
        "antonym_asr_ci95",
        "gold_edit_kept_rate",
        "gold_edit_kept_rate_ci95",
    ):
        assert record[key] is not None, key
    log = json.loads((tmp_path / "robustness_log.json").read_text())
    probe = log[0]["report"]["representation"]
    assert 0 < probe["probe_rows"] <= 14 and probe["pull"] == pytest.approx(
        record["representation_pull"]
    )
    assert (
        log[0]["report"]["gold_edits"]["kept_rate"]["n"]
        == log[0]["report"]["gold_edits"]["original_accuracy"]["count"]
    )
    saved = json.loads((tmp_path / "history.json").read_text())
    assert saved[-1]["representation_push"] == pytest.approx(record["representation_push"])
    width, height = Image.open(tmp_path / "tradeoff.png").size
    assert width > 2 * height  # two panels: ASRs, then pull/push
