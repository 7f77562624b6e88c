"""The saved classifier: plain arrays (NumPy .npz, no pickle) + JSON metadata, written atomically.

Runs at the end of ``bot train`` (save) and at the start of anything that
classifies (load).  Nothing executable is stored: the models are rebuilt from
this package's own feature factories and filled with the fitted arrays
(vocabularies, idf weights, coefficients), read with ``allow_pickle=False``.
That is safe for files from anywhere, and loads in milliseconds without the
cost of importing a serializer (skops alone takes 0.4 s to import).  The
metadata records when and on what the model was trained, the library
versions, metrics and the threshold; a model from another scikit-learn
version is refused with a message that says to retrain.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from bot.errors import ModelError
from bot.store import atomic_write

from .features import relevance_features, section_features

MODEL_FILE = "model.npz"
META_FILE = "meta.json"


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

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}


def model_dir(path: Path) -> Path:
    """The configured model path is a folder (a file path inside it means its folder)."""
    return path.parent if path.suffix in (".npz", ".json") else path


def _vectorizers(relevance: Pipeline, section: Pipeline) -> dict[str, TfidfVectorizer]:
    """Every TfidfVectorizer of the two models, by a stable name."""
    found = {}
    for part, pipeline in (("relevance", relevance), ("section", section)):
        for name, transformer in pipeline.named_steps["features"].transformer_list:
            if isinstance(transformer, Pipeline):
                transformer = transformer.steps[-1][1]
            if isinstance(transformer, TfidfVectorizer):
                found[f"{part}.{name}"] = transformer
    return found


def _arrays(model: Model) -> dict[str, np.ndarray]:
    arrays: dict[str, np.ndarray] = {}
    for key, vectorizer in _vectorizers(model.relevance, model.section).items():
        terms = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.get)
        arrays[f"{key}.terms"] = np.frombuffer("\n".join(terms).encode("utf-8"), dtype=np.uint8)
        arrays[f"{key}.idf"] = vectorizer.idf_
    for part, estimator in (("relevance", model.relevance.named_steps["model"]),
                            ("section", model.section.named_steps["model"]), ("calibrator", model.calibrator)):
        arrays[f"{part}.coef"] = estimator.coef_
        arrays[f"{part}.intercept"] = estimator.intercept_
        arrays[f"{part}.classes"] = estimator.classes_.astype(str) if part == "section" else estimator.classes_
    return arrays


def _fill(vectorizer: TfidfVectorizer, terms: np.ndarray, idf: np.ndarray) -> None:
    words = terms.tobytes().decode("utf-8").split("\n") if terms.size else []
    vectorizer.vocabulary_ = {word: index for index, word in enumerate(words)}
    vectorizer.fixed_vocabulary_ = False
    vectorizer.idf_ = idf


def _estimator(arrays, part: str) -> LogisticRegression:
    estimator = LogisticRegression()
    estimator.coef_, estimator.intercept_ = arrays[f"{part}.coef"], arrays[f"{part}.intercept"]
    estimator.classes_ = arrays[f"{part}.classes"]
    estimator.n_features_in_ = estimator.coef_.shape[1]
    return estimator


def save(model: Model, path: Path) -> Path:
    folder = model_dir(Path(path))
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **_arrays(model))
    blob = buffer.getvalue()
    meta = dict(model.meta, threshold=model.threshold, versions=versions(),
                model_sha256=hashlib.sha256(blob).hexdigest())
    atomic_write(folder / MODEL_FILE, blob)
    atomic_write(folder / META_FILE, json.dumps(meta, indent=2, sort_keys=True).encode())
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
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        relevance = Pipeline([("features", relevance_features(meta["lexicons"], meta.get("indicators", True))),
                              ("model", _estimator(arrays, "relevance"))])
        section = Pipeline([("features", section_features()), ("model", _estimator(arrays, "section"))])
        for key, vectorizer in _vectorizers(relevance, section).items():
            _fill(vectorizer, arrays[f"{key}.terms"], arrays[f"{key}.idf"])
        calibrator = _estimator(arrays, "calibrator")
    except (KeyError, ValueError) as exc:
        raise ModelError(f"the model file in {folder} is incomplete ({exc})", "run `bot train`") from None
    return Model(relevance, calibrator, section, float(meta["threshold"]), meta)
