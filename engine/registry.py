"""The models `python -m engine.train` and `python -m engine.evaluate` know, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from engine import charlm, density, digits, gpt, gpt_finetune, mt_models, sentiment, tagger
from engine.translator import TranslatorTraining


@dataclass(frozen=True)
class ModelSpec:
    """How to train, save, load and evaluate one shipped model."""

    config: type  # frozen dataclass whose fields become the training flags
    train: Callable[..., tuple[Any, dict]]  # (config, progress) -> (model, history)
    save: Callable[..., Any]  # (model, config, history, metrics, path) -> path
    load: Callable[..., tuple[Any, dict]]  # (path) -> (model, meta)
    evaluate: Callable[..., dict]  # (model, data bytes or None) -> metrics
    data_format: str  # what --data must hold, for --help
    folders: bool = False  # --data may name a folder: evaluate gets {file name: bytes}


def _spec(config: type, module: ModuleType, suffix: str, data_format: str, folders: bool = False) -> ModelSpec:
    """A spec from the module's train/save/load/evaluate functions (named with `suffix`)."""
    verbs = (getattr(module, f"{verb}{suffix}") for verb in ("train", "save", "load", "evaluate"))
    return ModelSpec(config, *verbs, data_format, folders)


TEXT = "UTF-8 text"
PAIRS = "TSV english<TAB>german"
LABELLED = "TSV pos|neg<TAB>sentence"
MODELS: dict[str, ModelSpec] = {
    "digits": _spec(digits.DigitsConfig, digits, "", "CSV rows of 64 pixel values 0-16 then a label 0-9 (optdigits)"),
    "tagger": _spec(tagger.TaggerConfig, tagger, "", "TSV word<TAB>UPOS, a blank line between sentences"),
    "sentiment": _spec(sentiment.SentimentConfig, sentiment, "", LABELLED),
    "markov": _spec(charlm.MarkovConfig, charlm, "_markov", TEXT),
    "char_rnn": _spec(charlm.CharRNNConfig, charlm, "_char_rnn", TEXT),
    "translator": _spec(TranslatorTraining, mt_models, "_transformer", PAIRS),
    "rnn_translator": _spec(TranslatorTraining, mt_models, "_gru", PAIRS),
    "gpt": _spec(gpt.GPTConfig, gpt, "_gpt", TEXT),
    # Trains the label-count curves and the shipped classifier, saved as gpt_sentiment.
    "gpt_finetune": _spec(gpt_finetune.FinetuneConfig, gpt_finetune, "", LABELLED),
    "gpt_sentiment": _spec(gpt_finetune.FinetuneConfig, gpt_finetune, "", LABELLED),
    "density": _spec(
        density.DensityConfig, density, "", "an image file (PNG, JPEG, WebP, GIF) or a folder of them", True
    ),
}
