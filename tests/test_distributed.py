"""`torchrun` runs BAT training with DistributedDataParallel (gloo, 2 CPU processes): the weights
equal those of one process on the same global batches, rank 0 alone writes the checkpoint, the
history and the log, and a second command resumes after the last epoch, still equal to one process
resumed the same way. (A row count that is not a multiple of the global batch pads the last global
batch from the start of the epoch's order: ``test_sharded_batches_are_the_single_process_batches``.)
``textattack-bat evaluate`` under torchrun (contiguous row blocks, one merged report):
``test_contiguous_shards_join_to_the_rows`` here, end to end in ``test_evaluation.py``."""

import json
import os
import subprocess

import pytest
import torch
from conftest import ROOT, script

from textattack_bat.training import distributed
from textattack_bat.training.distributed import ShardedBatchSampler


def test_sharded_batches_are_the_single_process_batches():
    """Hand check: rank r's batch k is the r-th slice of global batch k; one process with the
    global batch size sees the same rows; the last global batch is filled up from the start."""
    single = list(ShardedBatchSampler(10, 4, seed=3))
    order = torch.randperm(10, generator=torch.Generator().manual_seed(3)).tolist()
    assert single == [order[0:4], order[4:8], order[8:10]]  # the DataLoader(shuffle=True) order
    ranks = [list(ShardedBatchSampler(10, 2, seed=3, world=2, rank=r)) for r in (0, 1)]
    assert [a + b for a, b in zip(*ranks)] == [order[0:4], order[4:8], order[8:10] + order[0:2]]
    assert len(ranks[0]) == len(ranks[1]) == 3


def test_contiguous_shards_join_to_the_rows(monkeypatch):
    """Hand check: 21 rows over 2 ranks are rows 0-9 and 10-20; over 4 ranks 5, 5, 5, 6 rows."""
    rows = list(range(21))
    assert distributed.contiguous_shard(rows) == rows  # one process: everything
    blocks = {}
    for world, ranks in ((2, range(2)), (4, range(4))):
        for r in ranks:
            monkeypatch.setattr(distributed, "processes", lambda world=world: world)
            monkeypatch.setattr(distributed, "rank", lambda r=r: r)
            blocks[world, r] = distributed.contiguous_shard(rows)
    assert blocks[2, 0] == list(range(10)) and blocks[2, 1] == list(range(10, 21))
    assert [len(blocks[4, r]) for r in range(4)] == [5, 5, 5, 6]
    assert sum((blocks[4, r] for r in range(4)), []) == rows


def _train(argv_prefix, model_dir, out, batch, epochs, env):
    command = [*argv_prefix, "train", "--model-name-or-path", str(model_dir), "--model-num-labels", "3",
               "--dataset-from-file", "recipes/datasets.py", "--attack",
               "bat-triplet^embedding=glove,synonym_max_words=1", "--learning-rate", "1e-3",
               "--per-device-train-batch-size", str(batch), "--num-epochs", str(epochs), "--output-dir", str(out)]  # fmt: skip
    run = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=900)
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-4000:]
    return run


def _start_model(tmp_path):
    """MiniLM with a fixed head and no dropout, saved to ``tmp_path/start``: runs comparable."""
    from textattack_bat.models import load_classifier

    torch.manual_seed(0)
    wrapper = load_classifier(None, num_labels=3)
    config = wrapper.model.config
    config.hidden_dropout_prob = config.attention_probs_dropout_prob = 0.0
    config.classifier_dropout = 0.0  # None falls back to hidden_dropout_prob: 0 either way
    model_dir = tmp_path / "start"
    wrapper.model.save_pretrained(model_dir)
    wrapper.tokenizer.save_pretrained(model_dir)
    return model_dir


def _weights(path):
    from safetensors.torch import load_file

    return load_file(str(path / "model.safetensors"))


@pytest.mark.slow
def test_torchrun_matches_one_process_checkpoints_on_rank_0_and_resumes(tmp_path):
    model_dir = _start_model(tmp_path)
    env = {**os.environ, "TEXTATTACK_BAT_LIMIT": "48", "OMP_NUM_THREADS": "1"}

    _train([script("textattack")], model_dir, tmp_path / "single", 8, 1, env)
    torchrun = [script("torchrun"), "--standalone", "--nproc_per_node", "2", "-m", "textattack"]
    _train(torchrun, model_dir, tmp_path / "ddp", 4, 1, env)

    start = _weights(model_dir)
    single = _weights(tmp_path / "single" / "last_model")
    ddp = _weights(tmp_path / "ddp" / "last_model")
    moved = sum(float((single[k] - start[k]).norm() ** 2) for k in single) ** 0.5
    apart = sum(float((single[k] - ddp[k]).norm() ** 2) for k in single) ** 0.5
    print(f"weights moved {moved:.4f}; single vs torchrun {apart:.2e}")
    assert moved > 0.1 and apart < 1e-3 * moved

    ddp_dir = tmp_path / "ddp"
    assert sorted(p.name for p in ddp_dir.glob("checkpoint-epoch-*")) == ["checkpoint-epoch-1"]
    # rank 0 alone writes the log file: one line per epoch (two if rank 1 wrote there too)
    log = (ddp_dir / "train_log.txt").read_text()
    assert log.count("Epoch 1/1 (bat-triplet)") == 1, log
    history = json.loads((ddp_dir / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1] and "train_triplet" in history[0]

    resumed = _train(torchrun, model_dir, ddp_dir, 4, 2, env)
    assert "Resuming from" in resumed.stdout + resumed.stderr
    history = json.loads((ddp_dir / "history.json").read_text())
    assert [h["epoch"] for h in history] == [1, 2]
    assert (ddp_dir / "checkpoint-epoch-2" / "trainer_state.json").is_file()
    # both resumed to epoch 2: the weights still agree, and the second epoch moved them
    single_again = _train([script("textattack")], model_dir, tmp_path / "single", 8, 2, env)
    assert "Resuming from" in single_again.stdout + single_again.stderr
    single2 = _weights(tmp_path / "single" / "last_model")
    ddp2 = _weights(ddp_dir / "last_model")
    moved2 = sum(float((single2[k] - single[k]).norm() ** 2) for k in single) ** 0.5
    apart2 = sum(float((single2[k] - ddp2[k]).norm() ** 2) for k in single) ** 0.5
    print(f"epoch 2 moved {moved2:.4f}; single vs torchrun after resume {apart2:.2e}")
    assert moved2 > 0.05 and apart2 < 1e-3 * (moved + moved2)


@pytest.mark.slow
def test_torchrun_with_rows_that_do_not_fill_the_last_global_batch(tmp_path):
    """44 rows, global batch 8 (2 ranks x 4): ceil(44 / 8) = 6 steps on each rank and in one
    process (by hand). What equality holds: the first 5 global batches are the single process's;
    the 6th holds the last 4 rows of the epoch's order plus its first 4 again (padding, so both
    ranks take the same number of steps), where one process takes those 4 rows alone. So the
    weights agree up to one partly different step: far closer than the distance they moved."""
    model_dir = _start_model(tmp_path)
    env = {**os.environ, "TEXTATTACK_BAT_LIMIT": "44", "OMP_NUM_THREADS": "1"}
    _train([script("textattack")], model_dir, tmp_path / "single", 8, 1, env)
    torchrun = [script("torchrun"), "--standalone", "--nproc_per_node", "2", "-m", "textattack"]
    _train(torchrun, model_dir, tmp_path / "ddp", 4, 1, env)
    for run in ("single", "ddp"):
        state = json.loads(
            (tmp_path / run / "checkpoint-epoch-1" / "trainer_state.json").read_text()
        )
        assert state["global_step"] == 6, run
    start, single, ddp = (
        _weights(model_dir),
        _weights(tmp_path / "single" / "last_model"),
        _weights(tmp_path / "ddp" / "last_model"),
    )
    moved = sum(float((single[k] - start[k]).norm() ** 2) for k in single) ** 0.5
    apart = sum(float((single[k] - ddp[k]).norm() ** 2) for k in single) ** 0.5
    print(f"44 rows: weights moved {moved:.4f}; single vs torchrun {apart:.2e}")
    assert moved > 0.1 and 0 < apart < 0.05 * moved  # seen: 8.1e-2 apart, 6.26 moved
