"""The saved classifier: plain arrays (NumPy .npz, no pickle) + JSON metadata, written atomically.

Runs at the end of training (save) and at the start of anything that
classifies (load).  Nothing executable is stored: the models are rebuilt from
this package's own feature factories and filled with the fitted arrays
(vocabularies, idf weights, coefficients, the sigmoid), read with
``allow_pickle=False``: safe for files from anywhere, and fast to load.  The
metadata (lexicon, thresholds, operating curve, metrics, library versions) is
covered by the same checksum as the arrays, so an edited threshold or lexicon
is refused like a damaged array.  A model from another scikit-learn version is
refused with a message that says to retrain.  Example::

    save(model, "data/model"); model = load("data/model")
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import sklearn
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import FeatureUnion, Pipeline

from .errors import ModelError
from .features import ColumnNames, feature_names, relevance_features, section_features
from .files import atomic_write

MODEL_FILE = "model.npz"
META_FILE = "meta.json"
LEARNED_LEXICON_FILE = "learned-lexicon.yaml"


@dataclass
class Model:
    relevance: Pipeline  # features + CalibratedClassifierCV (logistic regression + sigmoid)
    section: Pipeline  # features + logistic regression over the list's sections
    meta: dict
    cv: dict[str, float] | None = None  # from training, not saved: out-of-fold probability of each labelled paper

    @property
    def features(self) -> FeatureUnion:
        return self.relevance.named_steps["features"]

    @property
    def calibrated(self) -> CalibratedClassifierCV:
        return self.relevance.named_steps["model"]

    @property
    def estimator(self) -> LogisticRegression:
        """The logistic regression under the calibration (its coefficients explain verdicts)."""
        return self.calibrated.calibrated_classifiers_[0].estimator

    @property
    def threshold(self) -> float:
        return float(self.meta["metrics"]["threshold"])

    @property
    def threshold_title_only(self) -> float:
        return float(self.meta["metrics"].get("threshold_title_only", self.threshold))

    @property
    def fingerprint(self) -> str:
        return self.meta.get("sha256", "")[:12]

    @cached_property
    def feature_names(self) -> np.ndarray:
        return np.array(feature_names(self.features))

    @cached_property
    def column_names(self) -> ColumnNames:
        """Names of chosen columns (``model.column_names([3, 7])``), without naming them all."""
        return ColumnNames(self.features)

    @cached_property
    def cue_columns(self) -> np.ndarray:
        """The columns that are lexicon indicators rather than words."""
        return self.column_names.cues()


def versions() -> dict[str, str]:
    import scipy

    return {"scikit-learn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__}


def model_dir(path: str | Path) -> Path:
    """The configured model path is a folder (a file path inside it means its folder)."""
    path = Path(path)
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
    for part, estimator in (("relevance", model.estimator), ("section", model.section.named_steps["model"])):
        arrays[f"{part}.coef"] = estimator.coef_
        arrays[f"{part}.intercept"] = estimator.intercept_
        arrays[f"{part}.classes"] = estimator.classes_.astype(str) if part == "section" else estimator.classes_
    sigmoid = model.calibrated.calibrated_classifiers_[0].calibrators[0]
    arrays["sigmoid.ab"] = np.array([sigmoid.a_, sigmoid.b_], dtype=np.float64)
    return arrays


def _checksum(blob: bytes, meta: dict) -> str:
    """One checksum over the arrays and every metadata field (but itself)."""
    body = json.dumps({k: v for k, v in meta.items() if k != "sha256"}, sort_keys=True).encode()
    return hashlib.sha256(blob + b"\0" + body).hexdigest()


def save(model: Model, path: str | Path) -> Path:
    """Write model.npz + meta.json (and the learned lexicon as YAML, for people) into the folder."""
    folder = model_dir(path)
    folder.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **_arrays(model))
    blob = buffer.getvalue()
    meta = {k: v for k, v in model.meta.items() if k != "sha256"}
    meta["versions"] = versions()
    meta["sha256"] = _checksum(blob, meta)
    meta_text = json.dumps(meta, indent=1, sort_keys=True).encode()
    if str(meta.get("lexicon", {}).get("source", "")).startswith("learned"):
        from . import lexicon as lexicon_io

        text = lexicon_io.dump(lexicon_io.from_dict(meta["lexicon"]))
        atomic_write(folder / LEARNED_LEXICON_FILE, text.encode("utf-8"))
    atomic_write(folder / MODEL_FILE, blob)
    atomic_write(folder / META_FILE, meta_text)
    model.meta = meta
    return folder


def read_meta(path: str | Path) -> dict | None:
    """The metadata of a saved model (unchecked), or None when there is none."""
    meta_path = model_dir(path) / META_FILE
    if not meta_path.exists():
        return None
    try:
        meta = json.loads(meta_path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelError(f"model metadata {meta_path} is unreadable ({exc})", "run `bot train`") from None
    if not isinstance(meta, dict):
        raise ModelError(f"model metadata {meta_path} is not a JSON object", "run `bot train`")
    return meta


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


def calibrated_from_scores(estimator: LogisticRegression, scores: np.ndarray, y: np.ndarray,
                           sample_weight: np.ndarray) -> CalibratedClassifierCV:
    """What ``CalibratedClassifierCV(estimator, method="sigmoid", cv=folds, ensemble=False).fit(X, y,
    sample_weight=...)`` fits for labels 0/1 (training's), from its two inputs computed once:
    ``estimator`` fitted on every row, and its out-of-fold decision values on the same folds (training
    needs those anyway, for the operating point: the stock class would fit the five folds a second
    time).  A test compares it with the stock class, attribute for attribute.

    Example: calibrated_from_scores(lr.fit(X, y, sample_weight=w), oof_scores, y, w).predict_proba(X)
    """
    from sklearn.calibration import _SigmoidCalibration

    sigmoid = _SigmoidCalibration().fit(np.asarray(scores, dtype=np.float64), y,
                                        np.asarray(sample_weight, dtype=np.float64))
    return _calibrated(estimator, sigmoid.a_, sigmoid.b_)


def _calibrated(estimator: LogisticRegression, a: float, b: float) -> CalibratedClassifierCV:
    """A fitted CalibratedClassifierCV(method="sigmoid", ensemble=False) from its two parts.
    (Its parts are scikit-learn's private classes; the version check above makes that safe.)"""
    from sklearn.calibration import _CalibratedClassifier, _SigmoidCalibration

    sigmoid = _SigmoidCalibration()
    sigmoid.a_, sigmoid.b_ = a, b
    calibrated = CalibratedClassifierCV(LogisticRegression(), method="sigmoid", ensemble=False)
    calibrated.classes_ = estimator.classes_
    calibrated.calibrated_classifiers_ = [_CalibratedClassifier(estimator, [sigmoid], classes=estimator.classes_,
                                                                method="sigmoid")]
    calibrated.n_features_in_ = estimator.n_features_in_
    return calibrated


def load(path: str | Path) -> Model:
    """The saved model, checked: same scikit-learn version, arrays and metadata untouched."""
    folder = model_dir(path)
    meta = read_meta(folder)
    if meta is None or not (folder / MODEL_FILE).exists():
        raise ModelError(f"no trained model at {folder}", "run `bot train` first")
    trained_with = meta.get("versions", {}).get("scikit-learn") if isinstance(meta.get("versions"), dict) else None
    if trained_with != sklearn.__version__:
        raise ModelError(f"the model at {folder} was trained with scikit-learn {trained_with}, "
                         f"this is {sklearn.__version__}", "run `bot train` to retrain it")
    blob = (folder / MODEL_FILE).read_bytes()
    if _checksum(blob, meta) != meta.get("sha256"):
        raise ModelError(f"the model in {folder} does not match its checksum (its arrays or its metadata "
                         "were damaged or edited)", "run `bot train`")
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as stored:
            arrays = {key: stored[key] for key in stored.files}
        features = relevance_features(meta["lexicon"], meta.get("indicators", True))
        section = Pipeline([("features", section_features()), ("model", _estimator(arrays, "section"))])
        estimator = _estimator(arrays, "relevance")
        a, b = (float(v) for v in arrays["sigmoid.ab"])
        relevance = Pipeline([("features", features), ("model", _calibrated(estimator, a, b))])
        for key, vectorizer in _vectorizers(relevance, section).items():
            _fill(vectorizer, arrays[f"{key}.terms"], arrays[f"{key}.idf"])
    except (KeyError, ValueError, TypeError) as exc:
        raise ModelError(f"the model file in {folder} is incomplete ({exc})", "run `bot train`") from None
    return Model(relevance, section, meta)
