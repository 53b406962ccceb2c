"""The models `python -m engine.train` and `python -m engine.evaluate` know, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine import charlm, digits, mt_models, sentiment, tagger
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


MODELS: dict[str, ModelSpec] = {
    "digits": ModelSpec(
        config=digits.DigitsConfig,
        train=digits.train,
        save=digits.save,
        load=digits.load,
        evaluate=digits.evaluate,
        data_format="CSV rows of 64 pixel values 0-16 then a label 0-9 (UCI optdigits)",
    ),
    "tagger": ModelSpec(
        config=tagger.TaggerConfig,
        train=tagger.train,
        save=tagger.save,
        load=tagger.load,
        evaluate=tagger.evaluate,
        data_format="TSV word<TAB>UPOS, a blank line between sentences",
    ),
    "sentiment": ModelSpec(
        config=sentiment.SentimentConfig,
        train=sentiment.train,
        save=sentiment.save,
        load=sentiment.load,
        evaluate=sentiment.evaluate,
        data_format="TSV pos|neg<TAB>sentence",
    ),
    "markov": ModelSpec(
        config=charlm.MarkovConfig,
        train=charlm.train_markov,
        save=charlm.save_markov,
        load=charlm.load_markov,
        evaluate=charlm.evaluate_markov,
        data_format="UTF-8 text",
    ),
    "char_rnn": ModelSpec(
        config=charlm.CharRNNConfig,
        train=charlm.train_char_rnn,
        save=charlm.save_char_rnn,
        load=charlm.load_char_rnn,
        evaluate=charlm.evaluate_char_rnn,
        data_format="UTF-8 text",
    ),
    "translator": ModelSpec(
        config=TranslatorTraining,
        train=mt_models.train_transformer,
        save=mt_models.save_transformer,
        load=mt_models.load_transformer,
        evaluate=mt_models.evaluate_transformer,
        data_format="TSV english<TAB>german",
    ),
    "rnn_translator": ModelSpec(
        config=TranslatorTraining,
        train=mt_models.train_gru,
        save=mt_models.save_gru,
        load=mt_models.load_gru,
        evaluate=mt_models.evaluate_gru,
        data_format="TSV english<TAB>german",
    ),
}
