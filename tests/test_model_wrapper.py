"""The dynamic-padding wrapper against TextAttack's own, on MiniLM and real SNLI pairs."""

import numpy as np
import torch
from textattack.models.wrappers import HuggingFaceModelWrapper
from transformers.models.bert.modeling_bert import BertLayer

from textattack_bat.datasets import read_jsonl_rows
from textattack_bat.models import DynamicPaddingModelWrapper, load_classifier


def _pairs(shared_data, limit: int) -> list[tuple[str, str]]:
    rows = read_jsonl_rows(shared_data / "snli_test.jsonl", limit=limit)
    return [(r["premise"], r["hypothesis"]) for r in rows]


def _last_layer_widths(model) -> tuple[list[int], object]:
    """Token positions the last layer's feed-forward output computes, one entry per call."""
    widths: list[int] = []
    handle = model.bert.encoder.layer[-1].output.dense.register_forward_hook(
        lambda module, args, output: widths.append(output.shape[1])
    )
    return widths, handle


def test_wrapper_gives_textattacks_logits_computing_only_the_first_token_last(
    fresh_nli_model_dir, shared_data
):
    """48 SNLI pairs: the same logits as TextAttack's ``HuggingFaceModelWrapper`` (padded to
    128 tokens, every position of every layer) within 1e-5, while the last layer computes one
    position; in train mode, and with ``first_token_only=False``, the model runs whole."""
    wrapper = load_classifier(fresh_nli_model_dir, num_labels=3)
    model = wrapper.model
    pairs = _pairs(shared_data, 48)
    widths, handle = _last_layer_widths(model)
    try:
        ours = wrapper(pairs)
        assert widths == [1]
        expected = torch.as_tensor(
            np.asarray(HuggingFaceModelWrapper(model, wrapper.tokenizer)(pairs))
        )
        assert widths[1:] == [128]
        assert type(model.bert.encoder.layer[-1]) is BertLayer  # put back after the call
        assert torch.allclose(ours, expected, atol=1e-5), (ours - expected).abs().max()
        assert (ours.argmax(1) == expected.argmax(1)).all()
        assert ours.std() > 1e-3  # the logits differ between rows: the comparison is not vacuous

        widths.clear()
        whole = DynamicPaddingModelWrapper(model, wrapper.tokenizer, first_token_only=False)
        assert torch.allclose(whole(pairs), ours, atol=1e-5)
        model.train()
        try:
            torch.manual_seed(0)
            wrapper(pairs)
        finally:
            model.eval()
        assert widths[0] > 1 and widths[1] > 1  # the whole last layer both times
    finally:
        handle.remove()


def test_wrapper_gradients_equal_the_whole_models(fresh_nli_model_dir, shared_data):
    """Gradient word ranking's input: d loss / d input embeddings of 16 SNLI pairs with the
    shortened last layer equal those of the whole model (same token ids, within 1e-5)."""
    wrapper = load_classifier(fresh_nli_model_dir, num_labels=3)
    whole = DynamicPaddingModelWrapper(wrapper.model, wrapper.tokenizer, first_token_only=False)
    pairs = _pairs(shared_data, 16)
    widths, handle = _last_layer_widths(wrapper.model)
    try:
        got = wrapper.get_grads(pairs)
        assert widths == [1]
        expected = whole.get_grads(pairs)
    finally:
        handle.remove()
    assert len(got) == len(expected) == 16
    for ours, theirs in zip(got, expected):
        assert torch.equal(ours["ids"], theirs["ids"])
        assert ours["gradient"].shape == (ours["ids"].shape[1], 384)
        assert np.abs(theirs["gradient"]).max() > 1e-4
        np.testing.assert_allclose(ours["gradient"], theirs["gradient"], atol=1e-5, rtol=1e-4)
