"""Figures in the paper's style: the per-epoch trade-off and a t-SNE of representations."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

SERIES = {  # metric -> (label, colour)
    "antonym_asr": ("antonym ASR (paper definition)", "tab:red"),
    "antonym_asr_improve_only": ("antonym ASR (improve-only, authors)", "tab:orange"),
    "negation_asr": ("negation ASR (paper definition)", "tab:purple"),
    "synonym_asr": ("synonym ASR", "tab:blue"),
}


def _figure(**kwargs):
    """A figure that is not registered with pyplot: the user's matplotlib backend is untouched."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def _save(fig, path: str | Path) -> Path:
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    return path


REPRESENTATION_SERIES = {  # metric -> (label, colour)
    "representation_pull": ("pull: d(x, synonym copy)", "tab:blue"),
    "representation_push": ("push: d(x, antonym copy)", "tab:red"),
}


def _panel(ax, history, series, baseline, scale, with_intervals):
    epochs = [int(h["epoch"]) for h in history]
    for key, (label, colour) in series.items():
        values = [h.get(key) for h in history]
        if any(v is not None for v in values):
            y = np.array([np.nan if v is None else scale * v for v in values])
            intervals = [h.get(f"{key}_ci95") for h in history] if with_intervals else []
            if intervals and all(i is not None for i in intervals):
                low = y - scale * np.array([i[0] for i in intervals])
                high = scale * np.array([i[1] for i in intervals]) - y
                ax.errorbar(
                    epochs, y, yerr=[low, high], fmt="o-", color=colour, capsize=3, label=label
                )
            else:
                ax.plot(epochs, y, "o-", color=colour, label=label)
        if baseline and baseline.get(key) is not None:
            ax.axhline(
                scale * baseline[key],
                color=colour,
                linestyle="--",
                linewidth=1.2,
                label=f"{label}, normal training",
            )
    ax.set_xlabel("epoch")
    ax.set_xticks(epochs)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")


def plot_tradeoff(
    history: Sequence[Mapping],
    path: str | Path,
    baseline: Mapping | None = None,
    title: str = "Over/undersensitivity trade-off",
) -> Path:
    """x: epoch; left: antonym ASR (both protocols), negation ASR (when evaluated) and synonym ASR in %, with 95% intervals
    (``KEY_ci95``) as error bars; right, when the history has them: the representation probe's
    pull and push (mean distance of h(x) to its synonym and antonym copies). ``baseline``
    (normal training's values) as dashed horizontal lines of the same colours."""
    has_probe = any(h.get("representation_pull") is not None for h in history)
    fig = _figure(figsize=(11.5 if has_probe else 6.4, 4.2), dpi=120)
    axes = fig.subplots(1, 2 if has_probe else 1, squeeze=False)
    _panel(axes[0][0], history, SERIES, baseline, 100, with_intervals=True)
    axes[0][0].set_ylabel("attack success rate (%, 95% CI)")
    axes[0][0].set_title(title, fontsize=9)
    if has_probe:
        _panel(axes[0][1], history, REPRESENTATION_SERIES, baseline, 1, with_intervals=False)
        axes[0][1].set_ylabel("mean distance in h-space")
        axes[0][1].set_title("representation: synonym vs antonym copies", fontsize=9)
    return _save(fig, path)


def plot_sensitivities(
    arms: Mapping[str, Mapping], path: str | Path, title: str = "Over- vs undersensitivity"
) -> Path:
    """:func:`sensitivity_figure`, saved to ``path``."""
    return _save(sensitivity_figure(arms, title), path)


def sensitivity_figure(arms: Mapping[str, Mapping], title: str = "Over- vs undersensitivity"):
    """The trade-off in one panel (the paper's Figure 3): one point per training arm at
    x = synonym ASR, y = antonym ASR (paper definition: filled; improve-only: hollow), with both
    95% intervals as error bars; right, each arm's probe pull and push when present. ``arms[name]``
    holds :meth:`RobustnessReport.metrics` keys."""
    has_probe = any(m.get("representation_pull") is not None for m in arms.values())
    fig = _figure(figsize=(11.0 if has_probe else 6.0, 4.6), dpi=120)
    axes = fig.subplots(1, 2 if has_probe else 1, squeeze=False)
    ax = axes[0][0]
    colours = itertools.cycle(("tab:gray", "tab:blue", "tab:red", "tab:green", "tab:purple"))

    def bars(metrics, key):
        """(value, error bars) in %, or None for a rate with no attacked row."""
        if metrics.get(key) is None or metrics.get(f"{key}_ci95") is None:
            return None
        value, (low, high) = 100 * metrics[key], metrics[f"{key}_ci95"]
        return value, [[value - 100 * low], [100 * high - value]]

    for (name, metrics), colour in zip(arms.items(), colours):
        x = bars(metrics, "synonym_asr")
        for key, face, label in (
            ("antonym_asr", colour, f"{name} (paper definition)"),
            ("antonym_asr_improve_only", "white", f"{name} (improve-only)"),
        ):
            y = bars(metrics, key)
            if x is None or y is None:  # a rate that cannot be computed is named, not drawn
                ax.plot([], [], " ", label=f"{label}: no attacked row, not plotted")
                continue
            ax.errorbar(x[0], y[0], xerr=x[1], yerr=y[1], fmt="o", color=colour, mfc=face,
                        capsize=3, markersize=7, label=label)  # fmt: skip
    ax.set_xlabel("synonym ASR (%, 95% CI): oversensitivity")
    ax.set_ylabel("antonym ASR (%, 95% CI): undersensitivity")
    ax.set_title(title, fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    if has_probe:
        ax = axes[0][1]
        names = list(arms)
        positions = np.arange(len(names))
        for offset, (key, (label, colour)) in zip((-0.2, 0.2), REPRESENTATION_SERIES.items()):
            values = [arms[n].get(key) or 0.0 for n in names]
            ax.bar(positions + offset, values, width=0.4, color=colour, label=label)
        ax.set_xticks(positions)
        ax.set_xticklabels(names)
        ax.set_ylabel("mean distance in h-space")
        ax.set_title("representation: synonym vs antonym copies", fontsize=9)
        ax.legend(fontsize=7, loc="best")
    return fig


def plot_representations(
    panels: Mapping[str, Mapping[str, np.ndarray]],
    path: str | Path,
    seed: int = 0,
    title: str = "",
) -> Path:
    """One t-SNE panel per model. ``panels[model] = {"original": X, "synonym": X_o, "antonym": X_u}``
    with one row per example in each (the same examples, so copies can be compared); ``title``
    says which copies they are."""
    from sklearn.manifold import TSNE

    colours = {"original": "tab:gray", "synonym": "tab:blue", "antonym": "tab:red"}
    fig = _figure(figsize=(5.2 * len(panels), 4.8), dpi=110)
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, (name, groups) in zip(axes[0], panels.items()):
        stacked = np.concatenate([groups[k] for k in colours])
        perplexity = max(2.0, min(30.0, (len(stacked) - 1) / 3))
        points = TSNE(
            n_components=2, perplexity=perplexity, init="pca", random_state=seed
        ).fit_transform(stacked)
        start = 0
        for kind, colour in colours.items():
            count = len(groups[kind])
            ax.scatter(
                points[start : start + count, 0],
                points[start : start + count, 1],
                s=9,
                alpha=0.7,
                color=colour,
                label=kind,
            )
            start += count
        ax.set_title(name)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.legend(fontsize=8, markerscale=1.5)
    heading = "t-SNE of representations before the classification layer"
    fig.suptitle(f"{heading}\n{title}" if title else heading, fontsize=10)
    return _save(fig, path)
