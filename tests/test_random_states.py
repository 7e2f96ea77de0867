"""Generator states for exact resumes: a round trip through a weights-only checkpoint file."""

import random
import warnings

import numpy as np
import pytest
import torch

from textattack_bat.training import random_states


def draws() -> tuple:
    return (torch.rand(3).tolist(), random.random(), np.random.rand(2).tolist())


def test_every_cpu_generator_continues_after_a_weights_only_round_trip(tmp_path):
    torch.manual_seed(1), random.seed(2), np.random.seed(3)
    np.random.randn()  # a cached Gaussian is part of NumPy's state
    torch.save({"random_states": [random_states.capture()]}, tmp_path / "optimizer.pt")
    expected = draws()
    torch.manual_seed(7), random.seed(7), np.random.seed(7)
    assert draws() != expected
    saved = torch.load(tmp_path / "optimizer.pt", weights_only=True)
    random_states.restore(saved["random_states"][0])
    assert draws() == expected


class FakeCuda:
    """Two CUDA devices whose generator states are plain byte tensors."""

    def __init__(self, devices: int):
        self.states = [torch.tensor([10 * d + 1, 10 * d + 2], dtype=torch.uint8) for d in range(2)]
        self.devices = devices
        self.set: dict[int, list[int]] = {}

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
        monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
        monkeypatch.setattr(torch.cuda, "device_count", lambda: self.devices)
        monkeypatch.setattr(torch.cuda, "get_rng_state_all", lambda: list(self.states))
        monkeypatch.setattr(
            torch.cuda,
            "set_rng_state",
            lambda state, device: self.set.__setitem__(device, state.tolist()),
        )


def test_each_cuda_device_generator_is_saved_and_set_back(monkeypatch):
    cuda = FakeCuda(devices=2)
    cuda.install(monkeypatch)
    state = random_states.capture()
    assert [s.tolist() for s in state["cuda"]] == [[1, 2], [11, 12]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        random_states.restore(state)
    assert cuda.set == {0: [1, 2], 1: [11, 12]}


def test_fewer_cuda_devices_on_resume_warn_and_set_the_ones_present(monkeypatch):
    cuda = FakeCuda(devices=2)
    cuda.install(monkeypatch)
    state = random_states.capture()
    cuda.devices = 1
    with pytest.warns(UserWarning, match=r"states for 2 device\(s\), this machine has 1"):
        random_states.restore(state)
    assert cuda.set == {0: [1, 2]}


def test_no_cuda_state_when_cuda_was_never_initialised(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: False)
    assert random_states.capture()["cuda"] == []
