"""h(x): the representation before the classification layer, computed in the same forward pass
as the logits.

Hugging Face models (BERT, RoBERTa, ... families): from the last hidden layer,
``cls`` = the first token's state (the authors' choice), ``mean`` = attention-masked mean,
``pooler`` = the model's pooler applied to it (BERT-style models only).
TextAttack's ``LSTMForClassification`` / ``WordCNNForClassification``: the pooled features that
enter their final linear layer ``fc`` (``representation`` must be ``cls``, the default).
"""

from __future__ import annotations

import torch
import transformers
from torch import nn

from textattack_bat.errors import UsageError
from textattack_bat.models import model_inputs, unwrap

REPRESENTATIONS = ("cls", "mean", "pooler")


class RepresentationError(UsageError):
    pass


def check_representation(model: nn.Module, representation: str) -> None:
    """Fail early, with the reason, when ``representation`` is not defined for ``model``."""
    inner = unwrap(model)
    if representation not in REPRESENTATIONS:
        raise RepresentationError(
            f"Unknown representation {representation!r}; choose one of {REPRESENTATIONS}."
        )
    if isinstance(inner, transformers.PreTrainedModel):
        if representation == "pooler" and getattr(inner.base_model, "pooler", None) is None:
            raise RepresentationError(
                f"{type(inner).__name__} has no pooler; use representation='cls' or 'mean'."
            )
        return
    if isinstance(getattr(inner, "fc", None), nn.Linear):
        if representation != "cls":
            raise RepresentationError(
                f"{type(inner).__name__}: only the pooled features before `fc` are defined "
                "(representation='cls')."
            )
        return
    raise RepresentationError(
        f"No representation before the classification layer is defined for {type(inner).__name__}: "
        "use a Hugging Face sequence classifier or TextAttack's LSTM/CNN models (with an `fc` layer)."
    )


def logits_and_representation(model: nn.Module, inputs, representation: str = "cls"):
    """Run ``model`` once; return ``(logits, h)``. ``inputs``: a tokenizer's BatchEncoding (HF)
    or a tensor of token ids (TextAttack LSTM/CNN)."""
    inner = unwrap(model)
    if isinstance(inner, transformers.PreTrainedModel):
        outputs = model(**inputs, output_hidden_states=True)
        hidden_states = getattr(outputs, "hidden_states", None)
        if not hidden_states:
            raise RepresentationError(
                f"{type(inner).__name__} returned no hidden states with output_hidden_states=True; "
                "BAT needs the representation before the classification layer."
            )
        last = hidden_states[-1]
        if representation == "cls":
            h = last[:, 0]
        elif representation == "mean":
            mask = inputs["attention_mask"].unsqueeze(-1).to(last.dtype)
            h = (last * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
        else:
            h = inner.base_model.pooler(last)
        return outputs.logits, h
    captured = {}
    handle = inner.fc.register_forward_pre_hook(
        lambda module, args: captured.setdefault("h", args[0])
    )
    try:
        logits = model(inputs)
    finally:
        handle.remove()
    return logits, captured["h"]


def tokenize(model: nn.Module, tokenizer, texts, max_length: int, device):
    """Model inputs for ``texts`` (strings or tuples of column strings) on ``device``: a padded,
    truncated ``BatchEncoding`` for a transformers model, an id tensor for TextAttack's LSTM/CNN."""
    if isinstance(unwrap(model), transformers.PreTrainedModel):
        return tokenizer(
            model_inputs(texts),
            padding=True,
            truncation=True,
            max_length=max_length,
            return_tensors="pt",
        ).to(device)
    ids = tokenizer(model_inputs(texts))
    return (ids if isinstance(ids, torch.Tensor) else torch.tensor(ids)).to(device)


def encode(
    model_wrapper, texts, representation: str = "cls", max_length: int = 128, batch_size: int = 32
):
    """h(x) for each text (a string or a tuple of column strings), as a NumPy array."""
    import numpy as np

    model, tokenizer = model_wrapper.model, model_wrapper.tokenizer
    check_representation(model, representation)
    device = next(model.parameters()).device
    model.eval()
    chunks = []
    with torch.no_grad():
        for start in range(0, len(texts), batch_size):
            inputs = tokenize(
                model, tokenizer, texts[start : start + batch_size], max_length, device
            )
            _, h = logits_and_representation(model, inputs, representation)
            chunks.append(h.float().cpu().numpy())
    return np.concatenate(chunks)
