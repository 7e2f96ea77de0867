"""h(x) for BERT- and RoBERTa-family models and for TextAttack-style models with an `fc` layer."""

import pytest
import torch
import transformers

from textattack_bat.training.losses import TripletContrastiveLoss
from textattack_bat.training.representations import (
    RepresentationError,
    check_representation,
    logits_and_representation,
)


def tiny(config_class, model_class, **extra):
    config = config_class(
        vocab_size=100,
        hidden_size=16,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=3,
        max_position_embeddings=64,
        **extra,
    )
    torch.manual_seed(0)
    return model_class(config).eval()


def batch(model_inputs=2, length=7):
    ids = torch.randint(5, 100, (model_inputs, length))
    return transformers.BatchEncoding({"input_ids": ids, "attention_mask": torch.ones_like(ids)})


@pytest.mark.parametrize("family", ["bert", "roberta"])
def test_hugging_face_families(family):
    if family == "bert":
        model = tiny(transformers.BertConfig, transformers.BertForSequenceClassification)
    else:
        model = tiny(
            transformers.RobertaConfig,
            transformers.RobertaForSequenceClassification,
            pad_token_id=1,
        )
    inputs = batch()
    expected = model(**inputs).logits
    for representation in ("cls", "mean"):
        logits, h = logits_and_representation(model, inputs, representation)
        assert torch.allclose(logits, expected) and h.shape == (2, 16)
    cls_logits, cls = logits_and_representation(model, inputs, "cls")
    hidden = model(**inputs, output_hidden_states=True).hidden_states[-1]
    assert torch.equal(cls, hidden[:, 0])
    if family == "bert":
        _, pooled = logits_and_representation(model, inputs, "pooler")
        assert torch.allclose(pooled, model.bert.pooler(hidden))
    else:  # RoBERTa's classifier has no pooler
        with pytest.raises(RepresentationError, match="has no pooler"):
            check_representation(model, "pooler")
    loss, _ = TripletContrastiveLoss()(cls, cls.flip(0), -cls, torch.ones(2), torch.ones(2))
    loss.backward()
    assert torch.isfinite(loss)


class PooledClassifier(torch.nn.Module):
    """The shape of TextAttack's LSTM/CNN classifiers: features -> dropout -> fc."""

    def __init__(self):
        super().__init__()
        self.emb = torch.nn.Embedding(50, 8)
        self.drop = torch.nn.Dropout(0.0)
        self.fc = torch.nn.Linear(8, 3)

    def forward(self, ids):
        return self.fc(self.drop(self.emb(ids).max(dim=1).values))


def test_textattack_style_models_use_the_features_entering_fc():
    model = PooledClassifier()
    ids = torch.randint(0, 50, (4, 6))
    logits, h = logits_and_representation(model, ids)
    assert torch.allclose(h, model.emb(ids).max(dim=1).values)
    assert torch.allclose(logits, model.fc(h))
    with pytest.raises(RepresentationError, match="only the pooled features"):
        check_representation(model, "mean")
