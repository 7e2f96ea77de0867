"""Figures in the paper's style: the per-epoch trade-off and a t-SNE of representations."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

SERIES = {  # metric -> (label, colour)
    "antonym_asr": ("antonym ASR (paper definition)", "tab:red"),
    "antonym_asr_improve_only": ("antonym ASR (improve-only, authors)", "tab:orange"),
    "synonym_asr": ("synonym ASR", "tab:blue"),
}


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: str | Path) -> Path:
    import matplotlib.pyplot as plt

    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
    return path


def plot_tradeoff(history: Sequence[Mapping], path: str | Path, baseline: Mapping | None = None,
                  title: str = "Over/undersensitivity trade-off") -> Path:  # fmt: skip
    """x: epoch; y: antonym ASR (both protocols) and synonym ASR, in %; ``baseline`` (normal
    training's values) as dashed horizontal lines of the same colours."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    epochs = [int(h["epoch"]) for h in history]
    for key, (label, colour) in SERIES.items():
        values = [h.get(key) for h in history]
        if any(v is not None for v in values):
            ax.plot(epochs, [np.nan if v is None else 100 * v for v in values], "o-", color=colour, label=label)
        if baseline and baseline.get(key) is not None:
            ax.axhline(100 * baseline[key], color=colour, linestyle="--", linewidth=1.2, label=f"{label}, normal training")
    ax.set_xlabel("epoch")
    ax.set_ylabel("attack success rate (%)")
    ax.set_xticks(epochs)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path)


def plot_representations(panels: Mapping[str, Mapping[str, np.ndarray]], path: str | Path, seed: int = 0) -> Path:
    """One t-SNE panel per model. ``panels[model] = {"original": X, "synonym": X_o, "antonym": X_u}``
    with one row per example in each (the same examples, so copies can be compared)."""
    from sklearn.manifold import TSNE

    plt = _pyplot()
    colours = {"original": "tab:gray", "synonym": "tab:blue", "antonym": "tab:red"}
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels), 4.8), dpi=110, squeeze=False)
    for ax, (name, groups) in zip(axes[0], panels.items()):
        stacked = np.concatenate([groups[k] for k in colours])
        perplexity = max(2.0, min(30.0, (len(stacked) - 1) / 3))
        points = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(stacked)
        start = 0
        for kind, colour in colours.items():
            count = len(groups[kind])
            ax.scatter(points[start : start + count, 0], points[start : start + count, 1], s=9, alpha=0.7,
                       color=colour, label=kind)  # fmt: skip
            start += count
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=8, markerscale=1.5)
    fig.suptitle("t-SNE of representations before the classification layer")
    return _save(fig, path)
