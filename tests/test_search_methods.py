"""The greedy search that skips gradients which cannot change the word order (issue 25)."""

import pytest
from test_engine import outcome
from textattack.search_methods import GreedyWordSwapWIR
from textattack.shared import AttackedText

from textattack_bat.attack.recipes import AntonymUnderNLI
from textattack_bat.attack.search_methods import GreedyWordSwapWIRRankIfNeeded


@pytest.mark.slow
def test_rank_if_needed_is_textattacks_search_without_the_needless_gradients(
    nli_model_dir, shared_data
):
    """On 100 real SNLI test rows and the fine-tuned MiniLM: the antonym recipe's default search
    gives TextAttack's ``GreedyWordSwapWIR`` word order and attack result on every row, and asks
    for a gradient exactly on the rows with two or more swappable words."""
    from textattack_bat.datasets import load_jsonl_dataset
    from textattack_bat.models import load_classifier

    model = load_classifier(nli_model_dir, num_labels=3)
    rows = load_jsonl_dataset(shared_data / "snli_test.jsonl", limit=100)
    stock = AntonymUnderNLI.build(model, search_method=GreedyWordSwapWIR(wir_method="gradient"))
    ours = AntonymUnderNLI.build(model)
    assert type(ours.search_method) is GreedyWordSwapWIRRankIfNeeded
    assert ours.search_method.wir_method == "gradient"
    gradients = []
    get_grad = model.get_grad
    model.get_grad = lambda text_input: gradients.append(text_input) or get_grad(text_input)
    swappable = []
    for inputs, label in rows:
        text = AttackedText(inputs)
        words = len(stock.get_indices_to_order(text)[1])
        before = len(gradients)
        expected, _ = stock.search_method._get_index_order(text)
        assert len(gradients) == before + 1  # TextAttack's search always asks
        order, search_over = ours.search_method._get_index_order(text)
        assert [int(i) for i in order] == [int(i) for i in expected], inputs
        assert search_over is False
        assert len(gradients) == before + 1 + (words >= 2), (words, inputs)
        assert outcome(ours.attack(text, label)) == outcome(stock.attack(text, label)), inputs
        swappable.append(words)
    # every case occurs: no swappable word, one, several
    assert swappable.count(0) >= 2 and swappable.count(1) >= 5, swappable
    assert sum(n >= 2 for n in swappable) >= 40, swappable
