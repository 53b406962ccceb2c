"""The models `python -m engine.train` and `python -m engine.evaluate` know, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import digits


@dataclass(frozen=True)
class ModelSpec:
    """How to train, save, load and evaluate one shipped model."""

    config: type  # frozen dataclass whose fields become the training flags
    train: Callable[..., tuple[Any, dict]]  # (config, progress) -> (model, history)
    save: Callable[..., Any]  # (model, config, history, metrics, path) -> path
    load: Callable[..., tuple[Any, dict]]  # (path) -> (model, meta)
    evaluate: Callable[..., dict]  # (model, data bytes or None) -> metrics
    data_format: str  # what --data must hold, for --help


MODELS: dict[str, ModelSpec] = {
    "digits": ModelSpec(
        config=digits.DigitsConfig,
        train=digits.train,
        save=digits.save,
        load=digits.load,
        evaluate=digits.evaluate,
        data_format="CSV rows of 64 pixel values 0-16 then a label 0-9 (UCI optdigits)",
    ),
}
