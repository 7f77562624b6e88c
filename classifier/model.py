"""The saved classifier: skops model file + JSON metadata, written atomically.

Runs at the end of ``bot train`` (save) and at the start of anything that
classifies (load).  The model file is skops, never pickle: loading checks that
it holds only the types this project writes.  The metadata records when and
on what the model was trained, the library versions, metrics and the
threshold; a model from another scikit-learn version is refused with a
message that says to retrain.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.errors import ModelError

MODEL_FILE = "model.skops"
META_FILE = "meta.json"
TRUSTED = {
    "classifier.features.indicator_features",
    "classifier.features.title_only",
    "builtins.dict",
    "numpy.dtype",
    "numpy.float32",
    "numpy.float64",
    "numpy.int64",
    "numpy.uint8",
    "scipy.sparse._csr.csr_matrix",
}


@dataclass
class Model:
    relevance: Pipeline  # features + logistic regression: decision scores
    calibrator: LogisticRegression  # Platt scaling of the scores, fitted out-of-fold
    section: Pipeline  # features + logistic regression over the list's sections
    threshold: float  # on the calibrated probability
    meta: dict = field(default_factory=dict)

    def probability(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(calibrated probability, raw decision score) for each text."""
        scores = self.relevance.decision_function(texts)
        return self.calibrator.predict_proba(scores.reshape(-1, 1))[:, 1], scores

    @property
    def fingerprint(self) -> str:
        return self.meta.get("model_sha256", "")[:12]


def versions() -> dict[str, str]:
    import scipy

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__,
            "skops": sio.__name__ and __import__("skops").__version__}


def _atomic_write(path: Path, data: bytes) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def model_dir(path: Path) -> Path:
    """The configured model path is a folder (a '.skops' file path means its folder)."""
    return path.parent if path.suffix == ".skops" else path


def _vectorizers(parts: dict) -> dict[str, TfidfVectorizer]:
    """Every fitted TfidfVectorizer in the model, by a stable path."""
    found = {}
    for part in ("relevance", "section"):
        for name, transformer in parts[part].named_steps["features"].transformer_list:
            if isinstance(transformer, Pipeline):
                transformer = transformer.steps[-1][1]
            if isinstance(transformer, TfidfVectorizer):
                found[f"{part}/{name}"] = transformer
    return found


def _pack_vocabularies(parts: dict) -> dict[str, np.ndarray]:
    """Vocabularies as UTF-8 byte arrays: skops stores a 160k-entry dict as 160k objects
    (56 MB and 4 s to load); as one array it is 2 MB and loads in milliseconds."""
    packed = {}
    for key, vectorizer in _vectorizers(parts).items():
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        packed[key] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
    return packed


def save(model: Model, path: Path) -> Path:
    folder = model_dir(Path(path))
    folder.mkdir(parents=True, exist_ok=True)
    parts = {"relevance": model.relevance, "calibrator": model.calibrator, "section": model.section}
    vocabularies = _pack_vocabularies(parts)
    kept = {key: v.vocabulary_ for key, v in _vectorizers(parts).items()}
    try:
        for vectorizer in _vectorizers(parts).values():
            vectorizer.vocabulary_ = {}
        blob = sio.dumps({**parts, "vocabularies": vocabularies})
    finally:
        for key, vectorizer in _vectorizers(parts).items():
            vectorizer.vocabulary_ = kept[key]
    meta = dict(model.meta, threshold=model.threshold, versions=versions(),
                model_sha256=hashlib.sha256(blob).hexdigest())
    _atomic_write(folder / MODEL_FILE, blob)
    _atomic_write(folder / META_FILE, json.dumps(meta, indent=2, sort_keys=True).encode())
    model.meta = meta
    return folder


def read_meta(path: Path) -> dict | None:
    meta_path = model_dir(Path(path)) / META_FILE
    if not meta_path.exists():
        return None
    try:
        return json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model metadata {meta_path} is unreadable ({exc})", "run `bot train`") from None


def load(path: Path) -> Model:
    folder = model_dir(Path(path))
    meta = read_meta(folder)
    if meta is None or not (folder / MODEL_FILE).exists():
        raise ModelError(f"no trained model at {folder}", "run `bot train` first")
    trained_with = meta.get("versions", {}).get("scikit-learn")
    if trained_with != sklearn.__version__:
        raise ModelError(f"the model at {folder} was trained with scikit-learn {trained_with}, "
                         f"this is {sklearn.__version__}", "run `bot train` to retrain it")
    blob = (folder / MODEL_FILE).read_bytes()
    if hashlib.sha256(blob).hexdigest() != meta.get("model_sha256"):
        raise ModelError(f"the model file in {folder} does not match its metadata (damaged or replaced)",
                         "run `bot train`")
    untrusted = set(sio.get_untrusted_types(data=blob))
    if untrusted - TRUSTED:
        raise ModelError(f"the model file holds unexpected types: {sorted(untrusted - TRUSTED)}",
                         "do not load model files from untrusted places; run `bot train`")
    parts = sio.loads(blob, trusted=sorted(untrusted))
    for key, vectorizer in _vectorizers(parts).items():
        terms = parts["vocabularies"][key].tobytes().decode("utf-8").split("\n")
        vectorizer.vocabulary_ = {term: index for index, term in enumerate(terms)}
    return Model(parts["relevance"], parts["calibrator"], parts["section"], float(meta["threshold"]), meta)
