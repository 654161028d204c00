"""Fitting the rubric heads (bot/core/rubric/heads.py) on a training table.

Linear heads: a ridge regression per criterion score (rows where it applies), a logistic
regression per applicability and LEAPS step, a multinomial one for the strategy, all over one
standardised input. MLP heads: the same outputs from one shared hidden layer (torch), kept for
the comparison in bench/rubric/heldout.py.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression, Ridge

from bench.rubric.corpus import LEAPS, STRATEGIES
from bench.rubric.dataset import Table
from bot.core.rubric.context import OPTIONAL, VISITOR_FEATURES
from bot.core.rubric.features import PATTERN_FEATURES
from bot.core.rubric.heads import BLOCKS, Heads
from bot.core.rubric.model import ENCODER_FEATURES
from bot.core.scores import CRITERIA

# Chosen by leave-one-author-out cross-validation (python -m bench.rubric.heldout --grid).
RIDGE_ALPHA = {"encoder": 300.0, "patterns": 10.0}
LOGISTIC_C = {"encoder": 0.01, "patterns": 0.3}


def scalar_inputs(mode: str) -> tuple[str, ...]:
    """The scalar features a mode's heads read (after the embedding blocks)."""
    base = PATTERN_FEATURES + VISITOR_FEATURES
    return base + (ENCODER_FEATURES if mode == "encoder" else ())


def design(table: Table, mode: str) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """The raw input matrix of a table for a mode, with its scalar names and blocks."""
    inputs = scalar_inputs(mode)
    blocks = BLOCKS if mode == "encoder" else ()
    heads = Heads(inputs, blocks, (), np.zeros(1), np.ones(1), ())
    if mode == "encoder":
        return heads.matrix(table.features, table.replies, table.visitors), inputs, blocks
    return heads.matrix(table.features), inputs, blocks


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    return mean.astype(np.float32), np.where(scale > 1e-6, scale, 1.0).astype(np.float32)


def fit_linear(
    table: Table, idx: np.ndarray, mode: str, alpha: float | None = None, c: float | None = None
) -> Heads:
    """Linear heads fitted on the rows `idx` of the table."""
    alpha = RIDGE_ALPHA[mode] if alpha is None else alpha
    c = LOGISTIC_C[mode] if c is None else c
    x, inputs, blocks = design(table, mode)
    mean, scale = _standardise(x[idx])
    z = (x[idx] - mean) / scale
    cols, bias, names = [], [], []
    for criterion in CRITERIA:
        y = table.score_target(criterion)[idx]
        keep = ~np.isnan(y)
        model = Ridge(alpha=alpha).fit(z[keep], y[keep])
        cols.append(model.coef_)
        bias.append(model.intercept_)
        names.append(f"score:{criterion}")
    binary = [(f"applies:{o}", table.applies_target(o)) for o in OPTIONAL]
    binary += [(f"leaps:{s}", table.leaps_target(s)) for s in LEAPS]
    for name, target in binary:
        y = target[idx]
        keep = ~np.isnan(y)
        if len(set(y[keep])) < 2:  # one class only (tiny tables): a constant answer
            cols.append(np.zeros(z.shape[1]))
            bias.append(8.0 if keep.any() and y[keep][0] == 1 else -8.0)
        else:
            model = LogisticRegression(C=c, max_iter=2000).fit(z[keep], y[keep].astype(int))
            cols.append(model.coef_[0])
            bias.append(model.intercept_[0])
        names.append(name)
    y = table.strategy_target()[idx]
    keep = y >= 0
    model = LogisticRegression(C=c, max_iter=2000).fit(z[keep], y[keep])
    classes = list(model.classes_)
    coef = model.coef_ if len(classes) > 2 else np.vstack([-model.coef_[0], model.coef_[0]]) / 2
    intercept = (model.intercept_ if len(classes) > 2
                 else np.array([-model.intercept_[0], model.intercept_[0]]) / 2)  # fmt: skip
    for k, label in enumerate(STRATEGIES):
        names.append(f"strategy:{label}")
        if k in classes:
            cols.append(coef[classes.index(k)])
            bias.append(intercept[classes.index(k)])
        else:  # a label the rows never use is never predicted
            cols.append(np.zeros(z.shape[1]))
            bias.append(-20.0)
    w = np.stack(cols, axis=1).astype(np.float32)
    b = np.array(bias, dtype=np.float32)
    return Heads(inputs, blocks, tuple(names), mean, scale, ((w, b),))


def fit_mlp(
    table: Table, idx: np.ndarray, mode: str, hidden: int = 128, epochs: int = 60, seed: int = 0
) -> Heads:
    """One shared hidden layer for every output (masked losses), trained with torch."""
    import torch

    torch.manual_seed(seed)
    x, inputs, blocks = design(table, mode)
    mean, scale = _standardise(x[idx])
    z = torch.tensor((x[idx] - mean) / scale, dtype=torch.float32)
    scores = torch.tensor(np.stack([table.score_target(c)[idx] for c in CRITERIA], 1) / 100.0,
                          dtype=torch.float32)  # fmt: skip
    binary_names = [f"applies:{o}" for o in OPTIONAL] + [f"leaps:{s}" for s in LEAPS]
    binary = torch.tensor(np.stack([table.applies_target(o)[idx] for o in OPTIONAL]
                                   + [table.leaps_target(s)[idx] for s in LEAPS], 1),
                          dtype=torch.float32)  # fmt: skip
    strategy = torch.tensor(table.strategy_target()[idx], dtype=torch.long)
    n_out = len(CRITERIA) + len(binary_names) + len(STRATEGIES)
    net = torch.nn.Sequential(
        torch.nn.Dropout(0.2), torch.nn.Linear(z.shape[1], hidden), torch.nn.ReLU(),
        torch.nn.Dropout(0.2), torch.nn.Linear(hidden, n_out),
    )  # fmt: skip
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=0.05)
    k1, k2 = len(CRITERIA), len(CRITERIA) + len(binary_names)
    for _ in range(epochs):
        net.train()
        for batch in torch.randperm(len(z)).split(64):
            out = net(z[batch])
            s_t, s_p = scores[batch], torch.sigmoid(out[:, :k1])
            m = ~torch.isnan(s_t)
            loss = ((s_p - torch.nan_to_num(s_t)) ** 2)[m].mean() * 10 if m.any() else 0.0
            b_t, b_p = binary[batch], out[:, k1:k2]
            m = ~torch.isnan(b_t)
            if m.any():
                loss = loss + torch.nn.functional.binary_cross_entropy_with_logits(
                    b_p[m], torch.nan_to_num(b_t)[m])  # fmt: skip
            st = strategy[batch]
            if (st >= 0).any():
                loss = loss + torch.nn.functional.cross_entropy(out[:, k2:][st >= 0], st[st >= 0])
            opt.zero_grad()
            loss.backward()  # type: ignore[union-attr]
            opt.step()
    net.eval()
    first, second = net[1], net[4]
    w0 = first.weight.detach().numpy().T
    b0 = first.bias.detach().numpy()
    w1 = second.weight.detach().numpy().T.copy()
    b1 = second.bias.detach().numpy().copy()
    names = tuple(f"score:{c}" for c in CRITERIA) + tuple(binary_names) + tuple(
        f"strategy:{s}" for s in STRATEGIES)  # fmt: skip
    return Heads(inputs, blocks, names, mean, scale, ((w0, b0), (w1, b1)), "sigmoid")
