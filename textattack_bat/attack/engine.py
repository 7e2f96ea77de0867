"""A batched attack engine: TextAttack's own attacks, many examples at a time.

TextAttack's ``Attacker`` attacks one example at a time, so every model call holds one example's
candidates (six or seven for an antonym swap). :class:`BatchedAttacker` runs the same
``Attack`` on up to ``examples`` rows at once: each row runs TextAttack's unmodified
``Attack.attack`` (goal function, constraints, transformation, search) in a worker of its own,
and whenever a worker needs the model (logits, or the gradient of gradient word ranking) or the
``context`` sense policy's sentence encoder, it hands the request over and waits. When every
worker in flight waits, the engine serves all requests together: one model call per
``batch_size`` inputs (sorted by length, so padding is short), one batched gradient pass, one
encoder call for every new text. Workers run one after another, never at the same time, in
row order, so a run is deterministic and each row gets exactly what ``attack.attack`` gives
alone: the same search, the same candidates, the same query counts. Only the floating-point
noise of batching differs (padding and matrix shapes move logits by about 1e-6), which decides
an outcome only where two candidates' probabilities, or the model's confidence and the
original's, tie to that precision.
"""

from __future__ import annotations

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np
import torch
import tqdm
from textattack import Attack
from textattack.shared import AttackedText

from textattack_bat.errors import UsageError
from textattack_bat.lexicon.senses import ContextSenses

DEFAULT_BATCH_SIZE = {"cpu": 64, "cuda": 512}  # model inputs per call
EXAMPLES_PER_BATCH = 2  # rows in flight per model input of a call (measured: bench/README.md)
MAX_EXAMPLES = 256  # rows in flight at most by default (one thread each)


def default_batch_size(device: torch.device | str) -> int:
    """Model inputs per call: 64 on CPU, 512 on a GPU."""
    return DEFAULT_BATCH_SIZE["cuda" if torch.device(device).type == "cuda" else "cpu"]


class _Abort(Exception):
    """Ends a waiting worker when the run stops early (an error elsewhere)."""


_current = threading.local()  # .worker: the _Worker whose thread this is


def _ask(request: tuple, directly: Callable[[], object]):
    """From a worker: hand ``request`` to the engine and wait for its answer; from any other
    thread: ``directly()``."""
    worker = getattr(_current, "worker", None)
    return directly() if worker is None else worker.ask(request)


class _Worker:
    """One row's attack in a thread of its own that runs only while the engine waits for it."""

    def __init__(self, index: int, job: Callable[[], object]):
        self.index, self.job = index, job
        self.request: tuple | None = None
        self.reply = None
        self.done, self.value, self.error = False, None, None
        self._go, self._back = threading.Semaphore(0), threading.Semaphore(0)
        self._thread = threading.Thread(target=self._main, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        _current.worker = self
        self._go.acquire()
        try:
            self.value = self.job()
        except _Abort:
            pass
        except BaseException as error:  # handed to the engine, which raises it
            self.error = error
        self.done, self.request = True, None
        self._back.release()

    def resume(self) -> None:
        """Engine side: run until the next request or the end."""
        self._go.release()
        self._back.acquire()

    def ask(self, request: tuple):
        """Worker side: post ``request``, wait for the engine to answer and resume."""
        self.request, self.reply = request, None
        self._back.release()
        self._go.acquire()
        reply, self.request = self.reply, None
        if isinstance(reply, _Abort):
            raise reply
        return reply


class _QueuedModel:
    """The model wrapper as a worker sees it: calls become requests; the rest is the wrapper's."""

    def __init__(self, wrapper):
        self._wrapper = wrapper

    def __call__(self, text_inputs):
        return _ask(("logits", list(text_inputs)), lambda: self._wrapper(text_inputs))

    def get_grad(self, text_input):
        return _ask(("grad", text_input), lambda: self._wrapper.get_grad(text_input))

    def __getattr__(self, name):
        return getattr(self._wrapper, name)


def _sense_policies(transformation) -> list[ContextSenses]:
    """The ``context`` sense policies a transformation consults (their encoder is batched)."""
    found = []
    for part in [transformation, *getattr(transformation, "transformations", ())]:
        policy = getattr(getattr(part, "antonyms", None), "policy", None)
        if isinstance(policy, ContextSenses) and policy not in found:
            found.append(policy)
    return found


def _device(wrapper) -> torch.device:
    """Where the wrapped model's parameters are (CPU when it has none, or no torch model)."""
    model = getattr(wrapper, "model", None)
    if isinstance(model, torch.nn.Module):
        for parameter in model.parameters():
            return parameter.device
    return torch.device("cpu")


def attacked_text(inputs) -> AttackedText:
    """A row's inputs as ``Attack.attack`` takes them: a string, a dict of columns (in their
    order) or an ``AttackedText``."""
    if isinstance(inputs, AttackedText):
        return inputs
    return AttackedText(OrderedDict(inputs) if isinstance(inputs, dict) else inputs)


def _length(text_input) -> int:
    return sum(map(len, text_input)) if isinstance(text_input, tuple) else len(text_input)


class BatchedAttacker:
    """``attack`` on many rows at once; :meth:`attack_rows` returns what
    ``[attack.attack(x, y) for x, y in rows]`` returns (see the module docstring).

    Args:
        attack: a built TextAttack ``Attack`` (any recipe; it is not modified).
        batch_size: model inputs per model call (default: :func:`default_batch_size` of the
            model's device).
        examples: rows in flight (default: ``2 * batch_size``, at most 256).
        progress: a progress bar labelled ``desc``.
    """

    def __init__(
        self,
        attack: Attack,
        batch_size: int | None = None,
        examples: int | None = None,
        progress: bool = False,
        desc: str = "attack",
    ):
        self.attack = attack
        self.wrapper = attack.goal_function.model
        if batch_size is None:
            batch_size = default_batch_size(_device(self.wrapper))
        if batch_size < 1 or (examples is not None and examples < 1):
            raise UsageError(
                f"batch_size={batch_size}, examples={examples}: both must be at least 1."
            )
        self.batch_size = batch_size
        self.examples = examples or min(MAX_EXAMPLES, batch_size * EXAMPLES_PER_BATCH)
        self.progress, self.desc = progress, desc
        self._policies = _sense_policies(attack.transformation)

    def _clone(self) -> Attack:
        """The attack with its own goal function (per-example state, model cache) and search,
        sharing the transformation and constraints, its model calls queued."""
        attack = self.attack
        goal = copy.copy(attack.goal_function)
        goal.model = _QueuedModel(self.wrapper)
        if goal.use_cache:
            goal._call_model_cache = type(goal._call_model_cache)(goal._call_model_cache.get_size())
        return Attack(
            goal,
            [*attack.pre_transformation_constraints, *attack.constraints],
            attack.transformation,
            copy.copy(attack.search_method),
            attack.transformation_cache_size,
            attack.constraint_cache_size,
        )

    def attack_rows(self, rows: Sequence[tuple]) -> list:
        """TextAttack ``AttackResult`` of each ``(inputs, label)`` row, in row order; ``inputs``
        as ``Attack.attack`` takes them, or a dict of columns."""
        results: list = [None] * len(rows)
        live: list[_Worker] = []
        following = 0
        bar = tqdm.tqdm(
            total=len(rows), desc=self.desc, disable=not self.progress, dynamic_ncols=True
        )
        for policy in self._policies:
            policy._encode_new = self._queued_encoder(policy)
        try:
            while live or following < len(rows):
                while len(live) < self.examples and following < len(rows):
                    live.append(_Worker(following, self._job(rows[following])))
                    following += 1
                for worker in live:
                    worker.resume()
                for worker in live:
                    if worker.done:
                        if worker.error is not None:
                            raise worker.error
                        results[worker.index] = worker.value
                        bar.update()
                live = [worker for worker in live if not worker.done]
                self._serve(live)
        finally:
            for policy in self._policies:
                policy.__dict__.pop("_encode_new", None)
            for worker in live:
                if not worker.done:
                    worker.reply = _Abort()
                    worker.resume()
            bar.close()
        return results

    def _job(self, row: tuple) -> Callable[[], object]:
        inputs, label = row
        text = attacked_text(inputs)
        return lambda: self._clone().attack(text, label)

    @staticmethod
    def _queued_encoder(policy: ContextSenses):
        def encode_new(texts):
            return _ask(
                ("encode", policy, list(texts)), lambda: type(policy)._encode_new(policy, texts)
            )

        return encode_new

    def _serve(self, workers: list[_Worker]) -> None:
        """Answer every pending request: logits, gradients, sentence encodings."""
        by_kind: dict[str, list[_Worker]] = {"logits": [], "grad": [], "encode": []}
        for worker in workers:
            by_kind[worker.request[0]].append(worker)
        if by_kind["logits"]:
            self._serve_logits(by_kind["logits"])
        if by_kind["grad"]:
            self._serve_grads(by_kind["grad"])
        if by_kind["encode"]:
            self._serve_encodings(by_kind["encode"])

    def _serve_logits(self, workers: list[_Worker]) -> None:
        items = [(w, i, x) for w in workers for i, x in enumerate(w.request[1])]
        items.sort(key=lambda item: _length(item[2]))  # stable: ties keep row order
        outputs: dict[tuple[int, int], torch.Tensor] = {}
        for start in range(0, len(items), self.batch_size):
            chunk = items[start : start + self.batch_size]
            logits = self.wrapper([x for _, _, x in chunk])
            logits = torch.as_tensor(np.asarray(logits) if isinstance(logits, list) else logits)
            logits = logits.detach().cpu()
            for (worker, i, _), row in zip(chunk, logits):
                outputs[(worker.index, i)] = row
        for worker in workers:
            worker.reply = torch.stack(
                [outputs[(worker.index, i)] for i in range(len(worker.request[1]))]
            )

    def _serve_grads(self, workers: list[_Worker]) -> None:
        get_grads = getattr(self.wrapper, "get_grads", None)
        if get_grads is None:  # a wrapper without batched gradients: one call each
            for worker in workers:
                worker.reply = self.wrapper.get_grad(worker.request[1])
            return
        ordered = sorted(workers, key=lambda w: _length(w.request[1]))
        for start in range(0, len(ordered), self.batch_size):
            chunk = ordered[start : start + self.batch_size]
            for worker, grad in zip(chunk, get_grads([w.request[1] for w in chunk])):
                worker.reply = grad

    def _serve_encodings(self, workers: list[_Worker]) -> None:
        for policy in dict.fromkeys(w.request[1] for w in workers):
            mine = [w for w in workers if w.request[1] is policy]
            texts = list(dict.fromkeys(t for w in mine for t in w.request[2]))
            vectors = dict(zip(texts, type(policy)._encode_new(policy, texts)))
            for worker in mine:
                worker.reply = np.stack([vectors[t] for t in worker.request[2]])
