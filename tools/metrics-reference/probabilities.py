#!/usr/bin/env python3
"""Independent reference values for Phi Studio's probability metrics (docs/metrics.md).

Deterministic inputs (numpy's seeded generator) and the values scikit-learn computes for
them: roc_curve, roc_auc_score, precision_recall_curve, average_precision_score,
brier_score_loss, and an unpenalised LogisticRegression for the calibration slope and
intercept. The expected calibration error, the multi-class Brier score and DeLong's
variance have no scikit-learn function and are computed here directly in numpy from their
definitions (DeLong by the O(m n) pairwise form, not the midrank algorithm under test).
src/engine/nn/metrics/probabilities.test.ts and the phi metrics test run it and read its output.
Run: /usr/bin/python3 probabilities.py
"""
import json
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    average_precision_score,
    brier_score_loss,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)


def ece_bins(confidence, outcome, bins):
    """Equal-width bins of [0, 1]: bin floor(p * bins), p = 1 in the last bin."""
    index = np.minimum(np.floor(confidence * bins).astype(int), bins - 1)
    rows = []
    ece = 0.0
    for b in range(bins):
        inside = index == b
        count = int(inside.sum())
        if count:
            mean_conf = float(confidence[inside].mean())
            freq = float(outcome[inside].mean())
            ece += count / len(confidence) * abs(freq - mean_conf)
            rows.append({"count": count, "meanConfidence": mean_conf, "observedFrequency": freq})
        else:
            rows.append({"count": 0, "meanConfidence": None, "observedFrequency": None})
    return float(ece), rows


def delong_variance(outcome, score):
    """DeLong's structural components from every positive-negative pair."""
    x = score[outcome == 1]
    y = score[outcome == 0]
    psi = (x[:, None] > y[None, :]) + 0.5 * (x[:, None] == y[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    return float(np.var(v10, ddof=1) / len(x) + np.var(v01, ddof=1) / len(y))


def recalibration(outcome, p):
    logit = np.log(p / (1 - p))[:, None]
    fit = LogisticRegression(penalty="none", solver="newton-cholesky", tol=1e-15, max_iter=1000)
    fit.fit(logit, outcome)
    return float(fit.coef_[0][0]), float(fit.intercept_[0])


def case(name, truth, probs, bins):
    k = probs.shape[1]
    onehot = np.eye(k, dtype=int)[truth]
    per_class = []
    for c in range(k):
        y = onehot[:, c]
        p = probs[:, c]
        fpr, tpr, _ = roc_curve(y, p)
        precision, recall, _ = precision_recall_curve(y, p)
        ece, reliability = ece_bins(p, y, bins)
        slope, intercept = recalibration(y, p)
        per_class.append(
            {
                "auc": float(roc_auc_score(y, p)),
                "fpr": fpr.tolist(),
                "tpr": tpr.tolist(),
                "averagePrecision": float(average_precision_score(y, p)),
                "precision": precision.tolist(),
                "recall": recall.tolist(),
                "brier": float(brier_score_loss(y, p)),
                "ece": ece,
                "reliability": reliability,
                "calibrationSlope": slope,
                "calibrationIntercept": intercept,
                "delongVariance": delong_variance(y, p),
            }
        )
    top = probs.max(axis=1)
    correct = (probs.argmax(axis=1) == truth).astype(float)
    top_ece, top_reliability = ece_bins(top, correct, bins)
    out = {
        "name": name,
        "classes": k,
        "bins": bins,
        "truth": truth.tolist(),
        "probs": probs.tolist(),
        "perClass": per_class,
        "brierMulticlass": float(np.mean(np.sum((probs - onehot) ** 2, axis=1))),
        "topLabelEce": top_ece,
        "topLabelReliability": top_reliability,
    }
    if k > 2:
        out["aucMacro"] = float(roc_auc_score(onehot, probs, average="macro"))
        out["aucMicro"] = float(roc_auc_score(onehot, probs, average="micro"))
        out["averagePrecisionMacro"] = float(average_precision_score(onehot, probs, average="macro"))
        out["averagePrecisionMicro"] = float(average_precision_score(onehot, probs, average="micro"))
    return out


def softmax_probs(rng, truth, k, separation, decimals):
    logits = rng.normal(0, 1, (len(truth), k))
    logits[np.arange(len(truth)), truth] += separation
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    # Rounded so that scores tie, as real model outputs written to CSV do; kept inside (0, 1).
    return np.clip(np.round(p, decimals), 10.0**-decimals, 1 - 10.0**-decimals)


warnings.simplefilter("ignore")
rng = np.random.default_rng(20261206)
cases = []
truth = rng.integers(0, 2, 200)
cases.append(case("binary, 200 items, 2-decimal scores", truth, softmax_probs(rng, truth, 2, 1.2, 2), 10))
truth = rng.integers(0, 3, 150)
cases.append(case("three classes, 150 items, 15 bins", truth, softmax_probs(rng, truth, 3, 1.5, 3), 15))
truth = rng.integers(0, 4, 90)
cases.append(case("four classes, 90 items", truth, softmax_probs(rng, truth, 4, 2.0, 2), 10))
print(json.dumps({"cases": cases}))
