"""Greedy word-importance search: TextAttack's, without gradients that cannot change the order;
for evaluation, both antonym-ASR protocols from one pass over the candidates."""

from __future__ import annotations

import copy

import numpy as np
from textattack.goal_function_results import GoalFunctionResultStatus
from textattack.search_methods import GreedyWordSwapWIR


class GreedyWordSwapWIRRankIfNeeded(GreedyWordSwapWIR):
    """TextAttack's ``GreedyWordSwapWIR``, except that gradient ranking skips the gradient when
    fewer than two words can be swapped: one word (or none) has one order, whatever the
    gradient. TextAttack counts no query for a gradient, so results, perturbed texts and query
    counts are the stock search's; only the forward-backward pass is saved. Recipes whose
    transformation offers only the words it can swap (the antonym recipes) have such rows often.
    """

    def _get_index_order(self, initial_text, max_len=-1):
        if self.wir_method != "gradient":
            return super()._get_index_order(initial_text, max_len)
        found = self.get_indices_to_order(initial_text)
        indices = found[1]
        if getattr(self, "truncate_words_to", None) is not None:
            indices = sorted(indices)[: self.truncate_words_to]
        if len(indices) < 2:
            return np.array(indices, dtype=int), False
        ranking = copy.copy(self)  # the stock ranking, on the indices found above
        ranking.get_indices_to_order = lambda text, **kwargs: (found[0], list(found[1]))
        return GreedyWordSwapWIR._get_index_order(ranking, initial_text, max_len)


class GreedyWordSwapWIRProtocols(GreedyWordSwapWIRRankIfNeeded):
    """TextAttack's greedy WIR search for one-swap attacks, deciding both protocols at once.

    Goes through the words in ``wir_method`` order and evaluates every allowed swap of the
    original text at each, until both outcomes are known:

    - paper definition (what ``GreedyWordSwapWIR`` returns with the default
      ``UndersensitivityClassification`` score): success at the first word with a
      label-keeping swap;
    - improve-only (the authors' protocol): the search accepts the first word whose best swap
      raises p(label); success iff that swap keeps the label. After an accepted swap the
      one-word limit blocks every other word, so nothing later can change the outcome.

    Returns the paper-definition result, with ``improve_only_succeeded`` and the query counts at
    which each outcome was decided (``paper_queries``, ``improve_only_queries``) attached. With
    gradient word ranking (the default for Hugging Face models) the order does not depend on the
    score, so this equals two separate runs exactly; with score-based ranking (``delete``,
    ``unk``) both protocols here share the paper-mode order.
    """

    def perform_search(self, initial_result):
        text = initial_result.attacked_text
        label = initial_result.ground_truth_output
        p_original = float(initial_result.raw_output[label])
        index_order, search_over = self._get_index_order(text)
        paper = improve_only = None  # None: not decided yet
        paper_queries = improve_queries = None
        for index in index_order:
            if search_over or (paper is not None and improve_only is not None):
                break
            candidates = self.get_transformations(
                text, original_text=text, indices_to_modify=[index]
            )
            if not candidates:
                continue
            results, search_over = self.get_goal_results(candidates)
            if not results:
                continue
            queries = results[-1].num_queries
            if paper is None:
                kept = [r for r in results if r.goal_status == GoalFunctionResultStatus.SUCCEEDED]
                if kept:
                    paper, paper_queries = max(kept, key=lambda r: r.score), queries
            if improve_only is None:
                best = max(results, key=lambda r: float(r.raw_output[label]))
                if float(best.raw_output[label]) > p_original:
                    improve_only = best.goal_status == GoalFunctionResultStatus.SUCCEEDED
                    improve_queries = queries
        final = paper if paper is not None else initial_result
        total = self.goal_function.num_queries
        final.improve_only_succeeded = bool(improve_only)
        final.paper_queries = paper_queries if paper_queries is not None else total
        final.improve_only_queries = improve_queries if improve_queries is not None else total
        return final
