"""Distributed data-parallel training under ``torchrun`` (one process per device).

``torchrun`` sets ``WORLD_SIZE``, ``RANK`` and ``LOCAL_RANK``; :func:`setup` then starts the
process group (NCCL on CUDA, gloo on CPU) and picks this process's device (``cuda:LOCAL_RANK``,
else the CPU). With one process everything here is a no-op, so the trainers run the same code
either way.

Batches: :class:`ShardedBatchSampler` draws one permutation of the training rows per epoch
(``torch.randperm`` seeded like TextAttack's shuffling), cuts it into global batches of
``batch_size * world_size`` rows and gives rank r the r-th slice of each. A single process with
batch ``batch_size * world_size`` therefore sees exactly the same global batches; the last global
batch is filled up from the start of the permutation so that every rank takes the same number
of steps. With ``lengths``, the rows of each global batch are of similar length
(:func:`textattack_bat.training.batching.length_grouped`); one process sees the same global
batches when the rows fill whole global batches.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator, Sequence

import torch

from textattack_bat.errors import UsageError
from textattack_bat.training.batching import length_grouped


def world_size() -> int:
    return int(os.environ.get("WORLD_SIZE", "1"))


def is_distributed() -> bool:
    return (
        torch.distributed.is_available() and torch.distributed.is_initialized() and world_size() > 1
    )


def processes() -> int:
    """How many processes train together: ``WORLD_SIZE`` once the process group runs, else 1."""
    return world_size() if is_distributed() else 1


def rank() -> int:
    return torch.distributed.get_rank() if is_distributed() else 0


def is_main_process() -> bool:
    """Rank 0 writes checkpoints, logs and plots and runs the robustness evaluation."""
    return rank() == 0


def setup() -> torch.device | None:
    """Under ``torchrun`` with several processes: start the process group once and return this
    process's device; otherwise None (single process, nothing to do)."""
    if world_size() <= 1:
        return None
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    if not torch.distributed.is_initialized():
        torch.distributed.init_process_group(backend="nccl" if cuda else "gloo")
    if cuda:
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def teardown() -> None:
    """End the process group :func:`setup` started (no-op when none runs)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def barrier() -> None:
    if is_distributed():
        torch.distributed.barrier()


def main_process_first(job: Callable[[], object]) -> None:
    """Run ``job`` on rank 0 while the other processes wait (a cache the others then read)."""
    if is_main_process():
        job()
    barrier()


def global_sum(value: torch.Tensor) -> torch.Tensor:
    """``value`` summed over all processes (a detached copy; ``value`` itself when single)."""
    if not is_distributed():
        return value
    total = value.detach().clone()
    torch.distributed.all_reduce(total)
    return total


def gather_objects(value: object) -> list:
    """``value`` of every process, in rank order (``[value]`` when single); all ranks call it."""
    if not is_distributed():
        return [value]
    gathered: list = [None] * world_size()
    torch.distributed.all_gather_object(gathered, value)
    return gathered


def contiguous_shard(items: list) -> list:
    """This rank's block of ``items``: rank r of W takes ``items[n*r//W : n*(r+1)//W]``, so the
    blocks joined in rank order are ``items`` again (all of it when single)."""
    world, me = processes(), rank()
    return items[len(items) * me // world : len(items) * (me + 1) // world]


class ShardedBatchSampler:
    """Per-rank batches of one seeded permutation per epoch (see the module docstring)."""

    def __init__(
        self,
        num_rows: int,
        batch_size: int,
        seed: int,
        world: int = 1,
        rank: int = 0,
        lengths: Sequence[int] | None = None,
    ):
        if num_rows <= 0 or batch_size <= 0:
            raise UsageError(
                f"Need rows and a positive batch size, got {num_rows} rows, batch {batch_size}."
            )
        if lengths is not None and len(lengths) != num_rows:
            raise UsageError(f"{len(lengths)} lengths for {num_rows} rows: give one per row.")
        self.num_rows, self.batch_size, self.seed = num_rows, batch_size, seed
        self.world, self.rank, self.lengths = world, rank, lengths

    def __len__(self) -> int:
        return math.ceil(self.num_rows / (self.batch_size * self.world))

    def __iter__(self) -> Iterator[list[int]]:
        generator = torch.Generator().manual_seed(self.seed)
        order = torch.randperm(self.num_rows, generator=generator).tolist()
        step = self.batch_size * self.world
        if self.world > 1 and len(order) % step:
            padding = step - len(order) % step
            order += (order * (padding // len(order) + 1))[:padding]
        if self.lengths is not None:
            order = length_grouped(order, self.lengths, step, generator)
        for start in range(0, len(order), step):
            chunk = order[start : start + step]
            mine = chunk[self.rank * self.batch_size : (self.rank + 1) * self.batch_size]
            if mine:
                yield mine
