"""Loading classifiers as TextAttack model wrappers, with clear errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import numpy as np
import torch
import transformers
from textattack.models.wrappers import HuggingFaceModelWrapper

from textattack_bat import resources
from textattack_bat.errors import MissingFileError, UsageError

MAX_LENGTH = 128  # the paper's maximum sequence length


class FirstTokenLayer(torch.nn.Module):
    """A BERT encoder layer that outputs only the first token's hidden state.

    Sequence classification reads nothing else of the last layer: BERT's pooler and classifier
    take position 0. So in the last layer only the first token's query, attention output and
    feed-forward block are needed: ``h_0' = FFN(LN(h_0 + Attn(q(h_0), k(H), v(H))))``. Keys and
    values still come from every token, so ``h_0'`` is the full layer's up to floating-point
    rounding (about 1e-6 in the logits); the other positions, which no head reads, are not
    computed (about 5/6 of the layer's work).
    """

    def __init__(self, layer: torch.nn.Module):
        super().__init__()
        self.layer = layer

    def forward(self, hidden_states, attention_mask=None, *args, **kwargs):
        attention = self.layer.attention.self
        batch, first = hidden_states.shape[0], hidden_states[:, :1]

        def heads(x):
            return x.view(batch, -1, attention.num_attention_heads, attention.attention_head_size)

        query, key, value = (
            heads(projection).transpose(1, 2)
            for projection in (
                attention.query(first),
                attention.key(hidden_states),
                attention.value(hidden_states),
            )
        )
        mask = None if attention_mask is None else attention_mask[:, :, :1, :]
        context = torch.nn.functional.scaled_dot_product_attention(query, key, value, mask)
        context = context.transpose(1, 2).reshape(batch, 1, attention.all_head_size)
        return (self.layer.feed_forward_chunk(self.layer.attention.output(context, first)),)


def first_token_only_applies(model: torch.nn.Module) -> bool:
    """Whether :func:`first_token_only` shortens ``model``: a BERT sequence classifier in eval
    mode (no dropout), absolute positions, encoder only."""
    config = getattr(model, "config", None)
    return (
        isinstance(model, transformers.BertForSequenceClassification)
        and not model.training
        and getattr(config, "position_embedding_type", "absolute") == "absolute"
        and not config.is_decoder
        and config._attn_implementation in ("eager", "sdpa")
    )


@contextmanager
def first_token_only(model: torch.nn.Module) -> Iterator[None]:
    """Within the block, ``model``'s last encoder layer is a :class:`FirstTokenLayer` where
    :func:`first_token_only_applies`; otherwise the model is left as it is."""
    if not first_token_only_applies(model):
        yield
        return
    layers = model.bert.encoder.layer
    last = layers[-1]
    layers[-1] = FirstTokenLayer(last)
    try:
        yield
    finally:
        layers[-1] = last


class DynamicPaddingModelWrapper(HuggingFaceModelWrapper):
    """A faster drop-in for TextAttack's ``HuggingFaceModelWrapper``.

    ``__call__`` pads each batch to its longest input instead of ``model_max_length`` (the same
    logits, far fewer tokens on short NLI pairs). ``get_grad`` (gradient word ranking) runs one
    forward pass in eval mode, unpadded, and asks autograd for the gradient of the loss w.r.t.
    the input embeddings only; TextAttack's runs two padded forward passes with dropout on and
    computes every parameter gradient too. With ``first_token_only`` (default) a BERT
    classifier's last layer computes only the token its head reads (:class:`FirstTokenLayer`;
    the same logits and gradients up to rounding, about a seventh less work on MiniLM).
    """

    def __init__(self, model, tokenizer, first_token_only: bool = True):
        super().__init__(model, tokenizer)
        self.first_token_only = first_token_only

    def _shortened(self):
        return first_token_only(self.model) if self.first_token_only else nullcontext()

    def _encode(self, text_input_list, padding=True):
        inputs = self.tokenizer(
            text_input_list,
            add_special_tokens=True,
            padding=padding,
            truncation=True,
            max_length=min(self.tokenizer.model_max_length, 512),
            return_tensors="pt",
        )
        return inputs.to(next(self.model.parameters()).device)

    def __call__(self, text_input_list):
        inputs = self._encode(text_input_list)
        with torch.no_grad(), self._shortened():
            return self.model(**inputs).logits

    def get_grad(self, text_input):
        """``{"ids", "gradient"}``: d loss(argmax label) / d input embeddings, one row per token."""
        return self.get_grads([text_input])[0]

    def get_grads(self, text_inputs: list) -> list[dict]:
        """:meth:`get_grad` of each input, from one padded pass: the loss is the sum of the
        inputs' losses, so each input's gradient is its own (padding is masked); the padded
        rows are dropped."""
        embedding_layer = self.model.get_input_embeddings()
        captured = {}
        handle = embedding_layer.register_forward_hook(
            lambda module, args, output: captured.setdefault("emb", output)
        )
        was_training = self.model.training
        self.model.eval()
        try:
            inputs = self._encode(list(text_inputs), padding=True)
            with torch.enable_grad(), self._shortened():
                logits = self.model(**inputs).logits
                loss = torch.nn.functional.cross_entropy(
                    logits, logits.argmax(dim=1), reduction="sum"
                )
                (gradient,) = torch.autograd.grad(loss, captured["emb"])
        finally:
            handle.remove()
            self.model.train(was_training)
        kept = inputs["attention_mask"].bool()
        return [
            {
                "ids": inputs["input_ids"][i][kept[i]].unsqueeze(0),
                "gradient": gradient[i][kept[i]].cpu().numpy(),
            }
            for i in range(len(text_inputs))
        ]


def unwrap(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a DataParallel or DistributedDataParallel wrapper."""
    wrappers = (torch.nn.DataParallel, torch.nn.parallel.DistributedDataParallel)
    return model.module if isinstance(model, wrappers) else model


def model_inputs(texts) -> list:
    """What a TextAttack model wrapper takes: a one-column tuple becomes its string."""
    return [t[0] if isinstance(t, tuple) and len(t) == 1 else t for t in texts]


def model_num_labels(model: torch.nn.Module) -> int | None:
    """The classifier's number of outputs (``config.num_labels``, or an ``fc`` layer's), if known."""
    inner = unwrap(model)
    config = getattr(inner, "config", None)
    if config is not None and getattr(config, "num_labels", None):
        return int(config.num_labels)
    fc = getattr(inner, "fc", None)
    return int(fc.out_features) if isinstance(fc, torch.nn.Linear) else None


def check_labels(dataset, model: torch.nn.Module, name: str) -> None:
    """A ValueError naming the bad labels when ``dataset`` has labels that are not integer ids
    of one of ``model``'s outputs (``name``: which dataset, for the message)."""
    num_labels = model_num_labels(model)
    bad = {
        repr(label)
        for _, label in dataset
        if not isinstance(label, (int, np.integer))
        or (num_labels is not None and not 0 <= label < num_labels)
    }
    if bad:
        raise UsageError(
            f"The {name} dataset has labels {sorted(bad)[:10]} outside the model's {num_labels} outputs "
            f"(integer ids 0..{(num_labels or 1) - 1}); fix the label column, or load a model with as "
            "many labels as the dataset has."
        )


def predict_labels(model_wrapper, inputs: list, batch_size: int = 32) -> np.ndarray:
    """Argmax labels of ``model_wrapper`` for ``inputs`` (strings or tuples of column strings)."""
    inputs = model_inputs(inputs)
    model_wrapper.model.eval()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(inputs), batch_size):
            outputs = model_wrapper(inputs[start : start + batch_size])
            predictions.append(np.asarray(torch.as_tensor(outputs).argmax(dim=-1).cpu()))
    return np.concatenate(predictions) if predictions else np.zeros(0, dtype=int)


def load_classifier(
    name_or_path: str | Path | None = None,
    num_labels: int | None = None,
    dynamic_padding: bool = True,
    max_length: int = MAX_LENGTH,
    device: str | None = None,
    seed: int | None = None,
) -> HuggingFaceModelWrapper:
    """A sequence classifier as a TextAttack wrapper, its parameters on ``device``.

    ``name_or_path``: a local directory, a Hugging Face hub name, or None for the packaged
    all-MiniLM-L6-v2 (offline extra) with a fresh ``num_labels``-way head. ``device``: ``cpu``,
    ``cuda``, ``cuda:N``, ``auto``; None = TextAttack's device (``--device``; CUDA when present).
    ``seed``: a fresh head is initialised from this seed (the global random state is left as it
    was), so two runs with the same seed start from the same weights; None: unseeded.
    """
    target = resources.resolve_device(device) if device is not None else resources.default_device()
    if name_or_path is None:
        name_or_path = resources.minilm_path()
    path = Path(name_or_path)
    looks_local = path.is_absolute() or str(name_or_path).startswith((".", "~")) or path.exists()
    if looks_local and not (path / "config.json").is_file():
        raise MissingFileError(
            f"Model directory {path} does not exist or has no config.json; pass a directory "
            "written by save_pretrained() / textattack train, or a Hugging Face hub name."
        )
    try:
        config = transformers.AutoConfig.from_pretrained(str(name_or_path))
        is_classifier = any(
            a.endswith("ForSequenceClassification") for a in (config.architectures or [])
        )
        if is_classifier and num_labels is not None and config.num_labels != num_labels:
            raise UsageError(
                f"Model {name_or_path} has {config.num_labels} labels but the dataset has {num_labels}; "
                "use a model trained for this dataset's labels."
            )
        kwargs = {"num_labels": num_labels} if num_labels is not None and not is_classifier else {}
        with torch.random.fork_rng(devices=[]) if seed is not None else nullcontext():
            if seed is not None:
                torch.manual_seed(seed)
            model = transformers.AutoModelForSequenceClassification.from_pretrained(
                str(name_or_path), **kwargs
            )
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(name_or_path))
    except OSError as error:
        if resources.is_offline():
            raise resources.ResourceNotFoundError(
                f"model {name_or_path!r}",
                ["local directory", "Hugging Face cache (offline mode)"],
                "pass a local model directory, or unset HF_HUB_OFFLINE to download it once",
            ) from error
        raise
    tokenizer.model_max_length = max_length
    model.to(target)
    wrapper_class = DynamicPaddingModelWrapper if dynamic_padding else HuggingFaceModelWrapper
    return wrapper_class(model, tokenizer)
