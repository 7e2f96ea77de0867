"""Loading classifiers as TextAttack model wrappers, with clear errors."""

from __future__ import annotations

from pathlib import Path

import torch
import transformers
from textattack.models.wrappers import HuggingFaceModelWrapper

from textattack_bat import resources

MAX_LENGTH = 128  # the paper's maximum sequence length


class DynamicPaddingModelWrapper(HuggingFaceModelWrapper):
    """TextAttack's ``HuggingFaceModelWrapper`` pads every query to ``model_max_length``; this one
    pads each batch to its longest input (same logits, far fewer tokens on short NLI pairs)."""

    def __call__(self, text_input_list):
        inputs = self.tokenizer(
            text_input_list,
            add_special_tokens=True,
            padding=True,
            truncation=True,
            max_length=min(self.tokenizer.model_max_length, 512),
            return_tensors="pt",
        )
        inputs = inputs.to(next(self.model.parameters()).device)
        with torch.no_grad():
            return self.model(**inputs).logits


def load_classifier(
    name_or_path: str | Path | None = None,
    num_labels: int | None = None,
    dynamic_padding: bool = True,
    max_length: int = MAX_LENGTH,
) -> HuggingFaceModelWrapper:
    """A sequence classifier as a TextAttack wrapper.

    ``name_or_path``: a local directory, a Hugging Face hub name, or None for the packaged
    all-MiniLM-L6-v2 (offline extra) with a fresh ``num_labels``-way head.
    """
    if name_or_path is None:
        name_or_path = resources.minilm_path()
    path = Path(name_or_path)
    looks_local = path.is_absolute() or str(name_or_path).startswith((".", "~")) or path.exists()
    if looks_local and not (path / "config.json").is_file():
        raise FileNotFoundError(
            f"Model directory {path} does not exist or has no config.json; pass a directory "
            "written by save_pretrained() / textattack train, or a Hugging Face hub name."
        )
    try:
        config = transformers.AutoConfig.from_pretrained(str(name_or_path))
        is_classifier = any(a.endswith("ForSequenceClassification") for a in (config.architectures or []))
        if is_classifier and num_labels is not None and config.num_labels != num_labels:
            raise ValueError(
                f"Model {name_or_path} has {config.num_labels} labels but the dataset has {num_labels}; "
                "use a model trained for this dataset's labels."
            )
        kwargs = {"num_labels": num_labels} if num_labels is not None and not is_classifier else {}
        model = transformers.AutoModelForSequenceClassification.from_pretrained(str(name_or_path), **kwargs)
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
    wrapper_class = DynamicPaddingModelWrapper if dynamic_padding else HuggingFaceModelWrapper
    return wrapper_class(model, tokenizer)
