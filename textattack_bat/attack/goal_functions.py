"""The undersensitivity goal: a one-word antonym swap that leaves the prediction unchanged."""

from __future__ import annotations

from collections.abc import Iterable

from textattack.goal_functions import ClassificationGoalFunction

from textattack_bat.errors import UsageError


class UndersensitivityClassification(ClassificationGoalFunction):
    """An attacked text x' succeeds when x' differs from the original x in at least one word and
    ``argmax f(x') == y``, the ground truth, which is also ``argmax f(x)``: misclassified inputs
    and inputs whose label is in ``skip_labels`` are skipped.

    TextAttack's greedy search accepts a swap only if it raises the score. The score therefore
    encodes the goal (``p = f(x')[y]``)::

        improve_only=False (paper definition, default)   improve_only=True (authors' code)
          x' == x                  0                         p
          x' != x, label kept      1 + p   (in (1, 2])      p
          x' != x, label flipped   p - 1   (in [-1, 0))     p

    With the default, any label-keeping swap beats the original, so a swap that keeps the label
    at lower confidence succeeds (Chen et al.'s definition); flipped candidates never get
    accepted. ``improve_only=True`` reproduces the authors' released search, which accepts a
    swap only when it raises ``p`` and so under-counts undersensitivity.

    Args:
        skip_labels: ground-truth label ids that are not attacked (NLI neutral: ``{1}``).
        improve_only: use the authors' score (see above).
    """

    def __init__(
        self, *args, skip_labels: Iterable[int] = (), improve_only: bool = False, **kwargs
    ):
        self.skip_labels = frozenset(int(label) for label in skip_labels)
        self.improve_only = improve_only
        super().__init__(*args, **kwargs)

    def init_attack_example(self, attacked_text, ground_truth_output):
        if not self.initial_text_is_attackable(attacked_text):
            raise UsageError(
                "Cannot attack an empty or whitespace-only text "
                f"({dict(attacked_text._text_input)!r}); remove such rows from the dataset."
            )
        return super().init_attack_example(attacked_text, ground_truth_output)

    @staticmethod
    def initial_text_is_attackable(attacked_text) -> bool:
        return any(column.strip() for column in attacked_text._text_input.values())

    def _changed(self, attacked_text) -> bool:
        return attacked_text.words != self.initial_attacked_text.words

    def _is_goal_complete(self, model_output, attacked_text):
        return (
            self._changed(attacked_text) and int(model_output.argmax()) == self.ground_truth_output
        )

    def _should_skip(self, model_output, attacked_text):
        return (
            self.ground_truth_output in self.skip_labels
            or int(model_output.argmax()) != self.ground_truth_output
        )

    def _get_score(self, model_output, attacked_text):
        p = float(model_output[self.ground_truth_output])
        if self.improve_only:
            return p
        if not self._changed(attacked_text):
            return 0.0
        if int(model_output.argmax()) == self.ground_truth_output:
            return 1.0 + p
        return p - 1.0

    def _process_model_outputs(self, inputs, scores):
        scores = super()._process_model_outputs(inputs, scores)
        num_labels = scores.shape[1]
        if (
            isinstance(self.ground_truth_output, int)
            and not 0 <= self.ground_truth_output < num_labels
        ):
            raise UsageError(
                f"Label {self.ground_truth_output} is outside the model's {num_labels} outputs "
                f"(0..{num_labels - 1}); check the dataset's label column and label order."
            )
        return scores

    def extra_repr_keys(self):
        return ["skip_labels", "improve_only"]


def _register_model_compatibility() -> None:
    """Accept the same models as TextAttack's classification goal functions (no warning)."""
    from textattack.goal_functions import UntargetedClassification
    from textattack.shared import validators

    validators.MODELS_BY_GOAL_FUNCTION[UndersensitivityClassification] = (
        validators.MODELS_BY_GOAL_FUNCTION[UntargetedClassification]
    )


_register_model_compatibility()
