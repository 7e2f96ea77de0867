"""Length-grouped batches (``group_by_length``) and the fused AdamW of the trainers' loop."""

import pytest
import textattack
import torch

from textattack_bat import BATTrainer, BATTrainingArgs, load_jsonl_dataset
from textattack_bat.datasets import shipped_path
from textattack_bat.models import load_classifier
from textattack_bat.training.arguments import SettingError
from textattack_bat.training.batching import length_grouped
from textattack_bat.training.distributed import ShardedBatchSampler
from textattack_bat.training.optimizers import adamw


def test_length_grouped_runs_by_hand():
    """Hand check: 6 rows, runs of 2, groups of 2 runs. Group [0, 1, 2, 3] sorted longest first
    is 0 (5), 2 (4), 3 (2), 1 (1): runs [0, 2] and [3, 1]; group [4, 5] is [5, 4]. The runs come
    in a seeded order; a shorter last run stays last."""
    lengths = [5, 1, 4, 2, 3, 6]
    runs = {
        tuple(length_grouped(range(6), lengths, 2, torch.Generator().manual_seed(s), 2)[i : i + 2])
        for s in range(5)
        for i in (0, 2, 4)
    }
    assert runs == {(0, 2), (3, 1), (5, 4)}
    orders = {
        tuple(length_grouped(range(6), lengths, 2, torch.Generator().manual_seed(s), 2))
        for s in range(20)
    }
    assert len(orders) == 6  # every order of the 3 runs turns up
    last = length_grouped(range(5), [5, 1, 4, 2, 3], 2, torch.Generator().manual_seed(0), 2)
    assert last[-1:] == [4] and sorted(last) == list(range(5))


def _padded_tokens(batches, lengths) -> int:
    return sum(len(batch) * max(lengths[i] for i in batch) for batch in batches)


def test_group_by_length_cuts_padding_on_real_rows(tmp_path):
    """The demo's 3000 shipped SNLI rows and MiniLM's tokenizer: each epoch's grouped batches
    hold every row once and are padded to far fewer tokens than random batches (1.79x the real
    tokens, measured by hand on seed 0); two epochs give different batches; a bad value of the
    setting is refused."""
    train = load_jsonl_dataset(shipped_path("snli_train_sample.jsonl"), limit=3000)
    wrapper = load_classifier(None, num_labels=3, max_length=64, seed=0)
    args = BATTrainingArgs(output_dir=str(tmp_path), max_length=64, group_by_length=True)
    trainer = BATTrainer(wrapper, "classification", train, None, args)
    tokenizer = wrapper.tokenizer
    lengths = [
        len(tokenizer(x["premise"], x["hypothesis"], truncation=True, max_length=64)["input_ids"])
        for x, _ in train
    ]
    assert trainer._lengths == lengths
    random_batches = list(ShardedBatchSampler(3000, 32, seed=1))
    epochs = []
    for epoch in (1, 2):
        grouped = list(ShardedBatchSampler(3000, 32, seed=epoch, lengths=trainer._lengths))
        assert sorted(i for batch in grouped for i in batch) == list(range(3000))
        assert _padded_tokens(grouped, lengths) < 0.6 * _padded_tokens(random_batches, lengths)
        epochs.append(grouped)
    assert epochs[0] != epochs[1]
    assert _padded_tokens(random_batches, lengths) > 1.5 * sum(lengths)
    with pytest.raises(SettingError, match="group_by_length"):
        BATTrainingArgs(output_dir=str(tmp_path), group_by_length="yes")


def test_grouped_batches_shard_like_one_process():
    """Rows that fill whole global batches: two ranks' grouped batches joined are one process's
    grouped global batches."""
    lengths = [(7 * i) % 23 for i in range(40)]
    single = list(ShardedBatchSampler(40, 8, seed=4, lengths=lengths))
    ranks = [list(ShardedBatchSampler(40, 4, seed=4, world=2, rank=r, lengths=lengths)) for r in (0, 1)]  # fmt: skip
    assert [a + b for a, b in zip(*ranks)] == single
    assert single != list(ShardedBatchSampler(40, 8, seed=4))
    with pytest.raises(ValueError, match="one per row"):
        ShardedBatchSampler(40, 8, seed=4, lengths=lengths[:-1])


def test_fused_adamw_is_textattacks_optimizer():
    """The trainer's optimizer against TextAttack's own (``Trainer.get_optimizer_and_scheduler``)
    on MiniLM: the same parameter groups and weight decays, the fused kernel on the CPU, the same
    learning rate at every step and the same weights after three steps of the same gradients."""
    args = textattack.TrainingArgs(weight_decay=0.01, num_warmup_steps=1, learning_rate=1e-3)
    ours_model = load_classifier(None, num_labels=3, seed=0).model
    stock_model = load_classifier(None, num_labels=3, seed=0).model
    stock = textattack.Trainer.__new__(textattack.Trainer)
    stock.training_args = args
    stock_optimizer, stock_scheduler = stock.get_optimizer_and_scheduler(stock_model, 4)
    optimizer, scheduler = adamw(ours_model, 1e-3, 0.01, 1, 4)
    names = {id(p): n for n, p in stock_model.named_parameters()}
    ours_names = {id(p): n for n, p in ours_model.named_parameters()}
    assert [
        ({ours_names[id(p)] for p in g["params"]}, g["weight_decay"])
        for g in optimizer.param_groups
    ] == [
        ({names[id(p)] for p in g["params"]}, g["weight_decay"])
        for g in stock_optimizer.param_groups
    ]
    assert optimizer.param_groups[0]["fused"] and not stock_optimizer.param_groups[0]["fused"]
    generator = torch.Generator().manual_seed(0)
    for _ in range(3):
        for p, q in zip(ours_model.parameters(), stock_model.parameters()):
            p.grad = torch.randn(p.shape, generator=generator)
            q.grad = p.grad.clone()
        optimizer.step(), stock_optimizer.step(), scheduler.step(), stock_scheduler.step()
        assert scheduler.get_last_lr() == stock_scheduler.get_last_lr()
    moved = max(
        float((p - q).detach().abs().max())
        for p, q in zip(ours_model.parameters(), stock_model.parameters())
    )
    assert moved < 1e-6
    start = load_classifier(None, num_labels=3, seed=0).model
    assert max(float((p - q).detach().abs().max()) for p, q in zip(start.parameters(), stock_model.parameters())) > 1e-3  # fmt: skip
