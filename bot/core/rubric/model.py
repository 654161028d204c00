"""The criterion models: a small sign-constrained linear model per criterion, plus hard caps.

Each criterion reads only the features that should move it, in the direction they should move it
(SPEC); training (bench/train_rubric.py) only learns how much. Caps then make the clear-cut
cases certain: a threat never leaves composed_tone above 20, whatever else the reply says.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bot.core.scores import CRITERIA

log = logging.getLogger(__name__)

WEIGHTS_PATH = Path(__file__).with_name("weights.json")
ENCODER_FEATURES = tuple(f"proto_{c}" for c in CRITERIA) + ("ctx_sim",)
HEAD_FEATURES = tuple(f"head_{c}" for c in CRITERIA)

_NEGATIVE_TONE = {"insult": -1, "sarcasm": -1, "dismissive": -1, "blame": -1, "never_say": -1}
_PATTERN_SPEC: dict[str, dict[str, int]] = {
    "acknowledges_emotion": {
        "validation": 1, "emotion_word": 1, "generic_ack": 1, "apology": 1, "reassurance": 1,
        "length": 1, "but_dismissal": -1, "minimizing": -1, "calm_down": -1, "rules_bare": -1,
        **_NEGATIVE_TONE,
    },
    "shows_understanding": {
        "reflection": 1, "overlap": 1, "validation": 1, "open_question": 1, "length": 1,
        "ignores_question": -1, "but_dismissal": -1, "minimizing": -1, "rules_bare": -1,
        "brevity": -1, **_NEGATIVE_TONE,
    },
    "explores": {
        "question": 1, "open_question": 1, "invite": 1, "offer_question": 1,
        "hostile_question": -1, "command": -1, "threat": -1, **_NEGATIVE_TONE,
    },
    "composed_tone": {
        "courtesy": 1, "validation": 1, "apology": 1, "reassurance": 1, "shouting": -1,
        "profanity": -1, "threat": -1, "ultimatum": -1, "irritation": -1, "hostile_question": -1,
        "condescending": -1, "command": -1, "calm_down": -1, **_NEGATIVE_TONE,
    },
    "non_commanding": {
        "polite_request": 1, "question": 1, "offer": 1, "offer_question": 1, "calm_down": -1,
        "command": -1, "directive": -1, "curt_imperative": -1, "ultimatum": -1, "threat": -1,
        "blame": -1, "never_say": -1,
    },
    "respectful": {
        "courtesy": 1, "apology": 1, "reassurance": 1, "validation": 1, "condescending": -1,
        "rules_bare": -1, "hostile_question": -1, "profanity": -1, "command": -1, "brevity": -1,
        "irritation": -1, "shouting": -1, **_NEGATIVE_TONE,
    },
    "explains_reason": {"reason": 1, "length": 1, "rules_bare": -1, "dismissive": -1},
    "offers_options": {
        "offer": 1, "offer_question": 1, "polite_request": 1, "dismissive": -1, "threat": -1,
        "ultimatum": -1, "rules_bare": -1, "brevity": -1,
    },
    "sets_boundary_respectfully": {
        "limit_calm": 1, "reason": 1, "offer": 1, "ultimatum": -1, "threat": -1, "rules_bare": -1,
        "command": -1, "calm_down": -1, "caves": -1, **_NEGATIVE_TONE,
    },
}  # fmt: skip
# Every criterion also reads its own prototype closeness and the trained head's estimate (heads.py:
# learned from the labelled corpus); understanding also reads how close the reply is in meaning
# to the visitor's line.
SPEC: dict[str, dict[str, int]] = {
    c: {**spec, f"proto_{c}": 1, f"head_{c}": 1, **({"ctx_sim": 1} if c == CRITERIA[1] else {})}
    for c, spec in _PATTERN_SPEC.items()
}

# (cue, criterion, highest score allowed while the cue is present)
CAPS: tuple[tuple[str, str, int], ...] = (
    ("threat", "composed_tone", 20), ("threat", "non_commanding", 15),
    ("threat", "sets_boundary_respectfully", 15), ("threat", "respectful", 30),
    ("ultimatum", "non_commanding", 20), ("ultimatum", "sets_boundary_respectfully", 25),
    ("ultimatum", "composed_tone", 35),
    ("insult", "composed_tone", 20), ("insult", "respectful", 20),
    ("insult", "acknowledges_emotion", 25), ("profanity", "composed_tone", 25),
    ("shouting", "composed_tone", 35), ("sarcasm", "composed_tone", 40),
    ("sarcasm", "respectful", 35), ("sarcasm", "acknowledges_emotion", 30),
    ("calm_down", "non_commanding", 30), ("calm_down", "acknowledges_emotion", 40),
    ("command", "non_commanding", 45), ("blame", "non_commanding", 45), ("blame", "respectful", 40),
    ("dismissive", "respectful", 40), ("but_dismissal", "acknowledges_emotion", 30),
    ("rules_bare", "explains_reason", 15), ("caves", "sets_boundary_respectfully", 30),
    ("threat", "explains_reason", 25), ("ignores_question", "shows_understanding", 25),
    ("never_say", "non_commanding", 40), ("never_say", "respectful", 45),
)  # fmt: skip


# Floors, the other half of the clear-cut cases: (cues that must all be present, cues of which
# one must be, criterion, lowest score allowed), applied only while no cue in NEGATIVE_CUES is
# present. Each is what the labelled corpus says about such replies (python -m
# bench.rubric.floors): a validation with nothing cold beside it was rated 4-5 for emotion 89% of
# the time (305 replies); an offer 86% (521); a calm limit with a reason or an alternative 90%
# for the boundary (21) and 93-96% for composure, asking not ordering, and respect (28). The
# models alone read short replies of that kind as middling.
FLOORS: tuple[tuple[tuple[str, ...], tuple[str, ...], str, int], ...] = (
    (("validation",), (), "acknowledges_emotion", 65),
    (("offer",), (), "offers_options", 65),
    (("limit",), ("offer", "reason"), "sets_boundary_respectfully", 75),
    (("limit",), ("offer", "reason"), "composed_tone", 65),
    (("limit",), ("offer", "reason"), "non_commanding", 65),
    (("limit",), ("offer", "reason"), "respectful", 65),
)
NEGATIVE_CUES = frozenset({
    "threat", "ultimatum", "insult", "profanity", "shouting", "sarcasm", "calm_down", "command",
    "blame", "dismissive", "rules_bare", "but_dismissal", "minimizing", "condescending",
    "hostile_question", "never_say", "irritation", "caves", "curt_imperative", "directive",
})  # fmt: skip


@dataclass(frozen=True)
class CriterionModel:
    """intercept + sum(weight * feature), clipped to 0..100."""

    intercept: float
    weights: Mapping[str, float]

    def predict(self, features: Mapping[str, float]) -> float:
        """The criterion score before caps."""
        value = self.intercept + sum(w * features.get(n, 0.0) for n, w in self.weights.items())
        return max(0.0, min(100.0, value))


def spec_for(criterion: str, with_encoder: bool) -> dict[str, int]:
    """The features (and their signs) a criterion model reads in this mode."""
    spec = SPEC[criterion]
    if with_encoder:
        return dict(spec)
    return {k: v for k, v in spec.items() if k not in ENCODER_FEATURES}


@lru_cache(maxsize=4)
def load_models(path: Path = WEIGHTS_PATH) -> dict[str, dict[str, CriterionModel]]:
    """Trained models per mode ("encoder", "patterns") and criterion, from weights.json."""
    data = json.loads(path.read_text(encoding="utf-8"))
    models: dict[str, dict[str, CriterionModel]] = {}
    for mode, per_criterion in data["modes"].items():
        models[mode] = {
            name: CriterionModel(float(m["intercept"]), dict(m["weights"]))
            for name, m in per_criterion.items()
        }
        missing = set(CRITERIA) - set(models[mode])
        if missing:
            raise ValueError(f"{path}: mode {mode!r} has no model for {sorted(missing)}")
    log.debug("rubric weights loaded from %s (%s)", path, data.get("meta", {}).get("trained_on"))
    return models


def apply_caps(scores: dict[str, float], present: set[str]) -> dict[str, float]:
    """Scores with the hard caps of the cues that are present."""
    out = dict(scores)
    for cue, criterion, cap in CAPS:
        if cue in present and out[criterion] > cap:
            out[criterion] = float(cap)
    return out


def apply_floors(scores: dict[str, float], present: set[str]) -> dict[str, float]:
    """Scores raised to the floors whose cues are present, where nothing cold is."""
    out = dict(scores)
    if present & NEGATIVE_CUES:
        return out
    for every, some, criterion, floor in FLOORS:
        if all(c in present for c in every) and (not some or any(c in present for c in some)):
            out[criterion] = max(out[criterion], float(floor))
    return out
