#!/usr/bin/env python3
"""Independent reference values for Phi Studio's metrics (docs/design.md section 7).

Computed with scikit-learn (Debian's python3-sklearn 1.2) from deterministic inputs;
the printed JSON is committed as fixtures.json and read by
src/engine/nn/metrics/metrics.test.ts. Run: /usr/bin/python3 reference.py > fixtures.json
"""
import json
import math
import warnings

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    jaccard_score,
    mean_absolute_error,
    mean_squared_error,
    mean_squared_log_error,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)


def clean(values):
    return [None if (v is None or (isinstance(v, float) and math.isnan(v))) else float(v) for v in values]


def classification_case(name, truth, pred, k):
    labels = list(range(k))
    mcm = multilabel_confusion_matrix(truth, pred, labels=labels)  # [[tn, fp], [fn, tp]] per class
    tn, fp, fn, tp = mcm[:, 0, 0], mcm[:, 0, 1], mcm[:, 1, 0], mcm[:, 1, 1]
    prec, rec, f1, _ = precision_recall_fscore_support(truth, pred, labels=labels, average=None, zero_division=0)
    # Specificity and NPV are sensitivity and PPV of the "not class c" label.
    spec = []
    npv = []
    for c in labels:
        t_neg = [0 if t == c else 1 for t in truth]
        p_neg = [0 if p == c else 1 for p in pred]
        _, r_neg, _, _ = precision_recall_fscore_support(t_neg, p_neg, labels=[1], average=None, zero_division=0)
        p_neg_prec, _, _, _ = precision_recall_fscore_support(t_neg, p_neg, labels=[1], average=None, zero_division=0)
        spec.append(r_neg[0])
        npv.append(p_neg_prec[0])
    iou = jaccard_score(truth, pred, labels=labels, average=None, zero_division=0)
    # This sklearn (1.2) cannot return NaN for 0/0, so undefined entries are marked from
    # sklearn's own one-vs-rest counts.
    n = len(truth)
    rec = [None if tp[c] + fn[c] == 0 else rec[c] for c in labels]
    prec = [None if tp[c] + fp[c] == 0 else prec[c] for c in labels]
    f1 = [None if 2 * tp[c] + fp[c] + fn[c] == 0 else f1[c] for c in labels]
    iou = [None if tp[c] + fp[c] + fn[c] == 0 else iou[c] for c in labels]
    spec = [None if tn[c] + fp[c] == 0 else spec[c] for c in labels]
    npv = [None if tn[c] + fn[c] == 0 else npv[c] for c in labels]
    assert n > 0
    acc_by_class = [float((tp[c] + tn[c]) / len(truth)) for c in labels]
    # Phi Studio's rule (docs/networks.md, "Metrics"): a class with no true item in the split has no
    # metrics of its own, so every per-class value of it is undefined.
    absent = [tp[c] + fn[c] == 0 for c in labels]
    rec, prec, f1, iou, spec, npv, acc_by_class = (
        [None if absent[c] else v[c] for c in labels] for v in (rec, prec, f1, iou, spec, npv, acc_by_class)
    )
    return {
        "name": name,
        "classes": k,
        "truth": [int(v) for v in truth],
        "pred": [int(v) for v in pred],
        "confusion": confusion_matrix(truth, pred, labels=labels).tolist(),
        "accuracy": float(accuracy_score(truth, pred)),
        "accuracyByClass": acc_by_class,
        "sensitivity": clean(rec),
        "specificity": clean(spec),
        "ppv": clean(prec),
        "npv": clean(npv),
        "dice": clean(f1),
        "iou": clean(iou),
    }


def regression_case(name, truth, pred, data_range):
    mse = mean_squared_error(truth, pred)
    return {
        "name": name,
        "truth": [float(v) for v in truth],
        "pred": [float(v) for v in pred],
        "range": data_range,
        "mae": float(mean_absolute_error(truth, pred)),
        "mse": float(mse),
        "rmse": float(math.sqrt(mse)),
        "msle": float(mean_squared_log_error(truth, pred)),
        "psnr": float(10 * math.log10(data_range**2 / mse)),
    }


warnings.simplefilter("ignore")
rng = np.random.default_rng(20261123)
cases = []
truth = rng.integers(0, 3, 60)
pred = np.where(rng.random(60) < 0.7, truth, rng.integers(0, 3, 60))
cases.append(classification_case("three classes, 60 items", truth, pred, 3))
truth = rng.integers(0, 2, 40)
pred = np.where(rng.random(40) < 0.8, truth, 1 - truth)
cases.append(classification_case("binary, 40 items", truth, pred, 2))
# Class 2 never occurs and is never predicted: its sensitivity, PPV, Dice, IoU are 0/0.
truth = rng.integers(0, 2, 30)
pred = np.where(rng.random(30) < 0.6, truth, rng.integers(0, 2, 30))
cases.append(classification_case("absent class 2", truth, pred, 3))

reg = []
t = rng.random(200) * 100
p = t + rng.normal(0, 5, 200)
p = np.clip(p, 0, None)
reg.append(regression_case("200 values in [0, 100)", t, p, 100.0))

print(json.dumps({"classification": cases, "regression": reg}, indent=1))
