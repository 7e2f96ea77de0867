"""Every random generator a training run draws from, captured and restored for exact resumes.

A checkpoint holds, per process, the state of torch's CPU generator, of each CUDA device's
generator (when CUDA was initialised: dropout on a GPU draws from it), of Python's ``random`` and
of NumPy's global generator. :func:`capture` returns them in a form ``torch.load(...,
weights_only=True)`` reads back (tensors, numbers, tuples, lists); :func:`restore` sets them.
"""

from __future__ import annotations

import random
import warnings

import numpy as np
import torch


def capture() -> dict:
    """This process's generator states."""
    kind, keys, position, has_gauss, cached = np.random.get_state()
    cuda = (
        [state.clone() for state in torch.cuda.get_rng_state_all()]
        if torch.cuda.is_available() and torch.cuda.is_initialized()
        else []
    )
    return {
        "torch": torch.get_rng_state(),
        "cuda": cuda,
        "python": random.getstate(),
        "numpy": {
            "kind": kind,
            "keys": torch.from_numpy(keys.astype(np.int64)),
            "position": int(position),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
    }


def restore(state: dict) -> None:
    """Set the generators to ``state`` (from :func:`capture`). CUDA states are set for the
    devices both the checkpoint and this machine have; a mismatch is warned about, since dropout
    on the missing devices then differs from an uninterrupted run."""
    torch.set_rng_state(state["torch"])
    cuda = state["cuda"]
    if cuda:
        available = torch.cuda.device_count() if torch.cuda.is_available() else 0
        for device, device_state in enumerate(cuda[:available]):
            torch.cuda.set_rng_state(device_state, device)
        if available != len(cuda):
            warnings.warn(
                f"The checkpoint holds CUDA generator states for {len(cuda)} device(s), this "
                f"machine has {available}: the resumed run is not an exact continuation.",
                stacklevel=2,
            )
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    numpy = state["numpy"]
    np.random.set_state(
        (
            numpy["kind"],
            numpy["keys"].numpy().astype(np.uint32),
            numpy["position"],
            numpy["has_gauss"],
            numpy["cached_gaussian"],
        )
    )
