"""The optimizer and schedule of TextAttack's ``Trainer``, with PyTorch's fused AdamW kernel.

TextAttack builds ``torch.optim.AdamW`` over two groups (weight decay on every parameter except
biases and LayerNorm weights) and a linear schedule with warm-up. On a CPU, PyTorch then updates
each of the model's tensors in a Python loop (82.9 ms a MiniLM step on 2 cores, against 17.2 ms
fused: ``bench/results/training_step.md``).
:func:`adamw` builds the same groups and schedule with ``fused=True`` where the parameters' device
has the fused kernel (CPU, CUDA): the same update rule, applied to all tensors in one call.
"""

from __future__ import annotations

import math

import torch
import transformers

# TextAttack's Trainer.get_optimizer_and_scheduler: parameters without weight decay.
NO_DECAY = ("bias", "LayerNorm.bias", "LayerNorm.weight")
FUSED_DEVICES = ("cpu", "cuda")


def fused_supported(parameters: list[torch.Tensor]) -> bool:
    """Whether AdamW's fused kernel takes these parameters: floating point, on a CPU or CUDA."""
    return bool(parameters) and all(
        p.is_floating_point() and p.device.type in FUSED_DEVICES for p in parameters
    )


def adamw(
    model: torch.nn.Module,
    learning_rate: float,
    weight_decay: float,
    num_warmup_steps: int | float,
    num_training_steps: int,
    fused: bool | None = None,
) -> tuple[torch.optim.AdamW, torch.optim.lr_scheduler.LambdaLR]:
    """AdamW with decay ``weight_decay`` on all parameters but :data:`NO_DECAY`'s, learning rate
    ``learning_rate * t / w`` for step t < w, then ``learning_rate * max(0, (T - t) / (T - w))``
    (w warm-up steps, a fraction of T when a float; T training steps); ``fused``: None uses the
    fused kernel where supported."""
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    parameters = [p for _, p in named]
    if fused is None:
        fused = fused_supported(parameters)
    groups = [
        {
            "params": [p for n, p in named if not any(nd in n for nd in NO_DECAY)],
            "weight_decay": weight_decay,
        },
        {"params": [p for n, p in named if any(nd in n for nd in NO_DECAY)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(
        [g for g in groups if g["params"]], lr=learning_rate, fused=fused or None
    )
    if isinstance(num_warmup_steps, float):
        num_warmup_steps = math.ceil(num_warmup_steps * num_training_steps)
    scheduler = transformers.get_linear_schedule_with_warmup(
        optimizer, num_warmup_steps=num_warmup_steps, num_training_steps=num_training_steps
    )
    return optimizer, scheduler


def linear_warmup(step: int, warmup_steps: int) -> float:
    """A term's weight factor at optimizer step ``step`` (0 at the term's first step): ``step / w``
    for ``step < w``, then 1 (``w = warmup_steps``; 0: 1 from the start). The shape of
    transformers' linear learning-rate warm-up, for BAT's ``contrastive_warmup_steps``."""
    if warmup_steps <= 0:
        return 1.0
    return min(1.0, max(step, 0) / warmup_steps)
