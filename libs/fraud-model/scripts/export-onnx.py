#!/usr/bin/env python3
"""Exports a shipped fraud-lr artifact (models/fraud-lr-<version>.json) as the same model for other runtimes.

The TypeScript model computes  score = sigmoid(bias + sum_j w_j * (x_j - mean_j) / std_j)  over featureVector().
This script builds a scikit-learn Pipeline(StandardScaler, LogisticRegression) whose mean_/scale_/coef_/intercept_
are the artifact's numbers (nothing is fitted), checks it computes that formula, and writes:

  models/fraud-lr-<version>.onnx               skl2onnx conversion, FP64 input "features" [N, 24], outputs
                                               "label" [N] and "probabilities" [N, 2] (column 1 = P(fraud))
  mlserver/fraud-lr-<version>/model.joblib     the pipeline, for MLServer's scikit-learn runtime
  mlserver/fraud-lr-<version>/model-settings.json

Reproducible: the same artifact and the pinned packages (scripts/requirements.txt) give byte-identical files.
  python libs/fraud-model/scripts/export-onnx.py [--version 1.0.0] [--out-dir DIR] [--check]
--check exports into a temporary directory and fails, naming the file, when a committed file differs.
"""
import argparse
import filecmp
import hashlib
import json
import shutil
import sys
import tempfile
from pathlib import Path

import joblib
import numpy as np
import onnx
import sklearn
import skl2onnx
from skl2onnx import convert_sklearn
from skl2onnx.common.data_types import DoubleTensorType
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

LIB = Path(__file__).resolve().parent.parent
TARGET_OPSET = {"": 17, "ai.onnx.ml": 3}


def read_artifact(version):
    path = LIB / "models" / f"fraud-lr-{version}.json"
    if not path.exists():
        shipped = sorted(p.name for p in (LIB / "models").glob("fraud-lr-*.json"))
        sys.exit(f"no artifact {path}; shipped: {', '.join(shipped) or 'none'}")
    raw = path.read_bytes()
    artifact = json.loads(raw)
    d = len(artifact["features"])
    for key in ("mean", "std", "weights"):
        if len(artifact[key]) != d:
            sys.exit(f"{path}: {key} has {len(artifact[key])} numbers for {d} features")
    return artifact, hashlib.sha256(raw).hexdigest()


def build_pipeline(artifact):
    """The shipped model as a scikit-learn pipeline: attributes set from the artifact, no fitting."""
    d = len(artifact["features"])
    mean = np.asarray(artifact["mean"], dtype=np.float64)
    std = np.asarray(artifact["std"], dtype=np.float64)
    scaler = StandardScaler()
    scaler.mean_ = mean
    scaler.scale_ = std
    scaler.var_ = std * std
    scaler.n_features_in_ = d
    scaler.n_samples_seen_ = np.int64(artifact["metrics"]["train"]["transactions"])

    training = artifact["training"]
    lr = LogisticRegression(C=1.0 / training["l2"], max_iter=training["iterations"])
    lr.coef_ = np.asarray([artifact["weights"]], dtype=np.float64)
    lr.intercept_ = np.asarray([artifact["bias"]], dtype=np.float64)
    lr.classes_ = np.asarray([0, 1], dtype=np.int64)
    lr.n_features_in_ = d
    lr.n_iter_ = np.asarray([training["iterations"]], dtype=np.int32)
    return Pipeline([("scaler", scaler), ("lr", lr)])


def check_pipeline(pipeline, artifact):
    """The pipeline must compute the TypeScript formula; inputs spread around the training distribution."""
    mean = np.asarray(artifact["mean"])
    std = np.asarray(artifact["std"])
    rng = np.random.default_rng(20260101)
    x = mean + std * rng.normal(0.0, 2.0, size=(2000, len(mean)))
    logit = artifact["bias"] + ((x - mean) / std) @ np.asarray(artifact["weights"])
    expected = 1.0 / (1.0 + np.exp(-logit))
    got = pipeline.predict_proba(x)[:, 1]
    worst = float(np.max(np.abs(got - expected)))
    if worst > 1e-12:
        sys.exit(f"the pipeline does not reproduce the artifact's formula (max difference {worst:.3g})")


def to_onnx(pipeline, artifact, artifact_sha256):
    d = len(artifact["features"])
    model = convert_sklearn(
        pipeline,
        name=f"{artifact['name']}-{artifact['version']}",
        initial_types=[("features", DoubleTensorType([None, d]))],
        target_opset=TARGET_OPSET,
        options={id(pipeline.steps[-1][1]): {"zipmap": False}},
    )
    model.doc_string = (
        f"{artifact['name']} {artifact['version']}: P(fraud) = probabilities[:, 1] over featureVector() "
        f"(@spine/fraud-model), exported by libs/fraud-model/scripts/export-onnx.py"
    )
    props = {
        "model.name": artifact["name"],
        "model.version": artifact["version"],
        "features": ",".join(artifact["features"]),
        "source.artifact.sha256": artifact_sha256,
        "exporter": f"scikit-learn {sklearn.__version__}, skl2onnx {skl2onnx.__version__}, onnx {onnx.__version__}",
    }
    for key, value in props.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    return model


def model_settings(artifact):
    d = len(artifact["features"])
    return {
        "name": artifact["name"],
        "implementation": "mlserver_sklearn.SKLearnModel",
        "parameters": {"uri": "./model.joblib", "version": artifact["version"]},
        "inputs": [{"name": "features", "datatype": "FP64", "shape": [-1, d]}],
        "outputs": [{"name": "predict_proba", "datatype": "FP64", "shape": [-1, 2]}],
    }


def export(version, out_dir):
    artifact, sha = read_artifact(version)
    pipeline = build_pipeline(artifact)
    check_pipeline(pipeline, artifact)
    onnx_path = out_dir / "models" / f"fraud-lr-{version}.onnx"
    serving_dir = out_dir / "mlserver" / f"fraud-lr-{version}"
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    serving_dir.mkdir(parents=True, exist_ok=True)
    onnx_path.write_bytes(to_onnx(pipeline, artifact, sha).SerializeToString())
    joblib.dump(pipeline, serving_dir / "model.joblib", compress=0)
    (serving_dir / "model-settings.json").write_text(json.dumps(model_settings(artifact), indent=2) + "\n")
    return [onnx_path, serving_dir / "model.joblib", serving_dir / "model-settings.json"]


def digest(path):
    if not path.exists():
        return "missing"
    data = path.read_bytes()
    return f"{len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()[:16]}"


def same_file(fresh, committed):
    """Byte-equal; an ONNX model also counts as equal when both parse to the same model (a protobuf may encode
    one model in more than one byte order)."""
    if not committed.exists():
        return False
    if filecmp.cmp(fresh, committed, shallow=False):
        return True
    if fresh.suffix != ".onnx":
        return False
    try:
        return onnx.load(str(fresh)).SerializeToString(deterministic=True) == onnx.load(str(committed)).SerializeToString(deterministic=True)
    except Exception:  # a committed file that does not even parse differs
        return False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--version", default="1.0.0")
    parser.add_argument("--out-dir", type=Path, default=LIB, help="root to write models/ and mlserver/ under")
    parser.add_argument("--check", action="store_true", help="compare a fresh export with the committed files")
    args = parser.parse_args()
    if not args.check:
        for path in export(args.version, args.out_dir):
            print(f"wrote {path}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        fresh = [p.relative_to(tmp) for p in export(args.version, Path(tmp))]
        differ = [p for p in fresh if not same_file(Path(tmp) / p, LIB / p)]
        if differ:
            # Keep the fresh export and say how it differs, so a mismatch seen once (e.g. in CI) can be examined.
            kept = LIB.parent.parent / ".spine" / "test-artifacts" / "export-onnx"
            details = []
            for p in differ:
                (kept / p).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(Path(tmp) / p, kept / p)
                details.append(f"{p}: fresh {digest(Path(tmp) / p)}, committed {digest(LIB / p)}")
    if differ:
        names = ", ".join(f"libs/fraud-model/{p}" for p in differ)
        sys.exit(f"not what export-onnx.py produces: {names}; run python libs/fraud-model/scripts/export-onnx.py "
                 f"--version {args.version} (with scripts/requirements.txt installed) and commit the files "
                 f"({'; '.join(details)}; the fresh export is kept in {kept})")
    print(f"fraud-lr {args.version}: committed ONNX and MLServer files match a fresh export")


if __name__ == "__main__":
    main()
