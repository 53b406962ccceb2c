"""The models `python -m engine.train` and `python -m engine.evaluate` know, by name."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from engine.convolution import digits
from engine.density import explain as density_explain
from engine.density import train as density_train
from engine.density.pixelcnn import PixelCNNConfig as DensityConfig
from engine.gpt import curve as gpt_curve
from engine.gpt import finetune as gpt_finetune
from engine.gpt import model as gpt
from engine.gpt import pretrain as gpt_pretrain
from engine.gpt import train as gpt_train
from engine.rnn import charlm, sentiment, tagger
from engine.translator.train import GRU, TRANSFORMER, TranslatorTraining


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
    per_sentence: bool = False  # evaluate takes per_sentence=True (--per-sentence adds one row per sentence)
    record: Callable[..., dict] | None = None  # (path) -> metrics written into the checkpoint (--record)


TEXT = "UTF-8 text"
PAIRS = "TSV english<TAB>german[<TAB>german ...] (every German field an accepted translation)"
LABELLED = "TSV pos|neg<TAB>sentence"
IMAGES = "an image file (PNG, JPEG, WebP, GIF) or a folder of them"
GPT_SENTIMENT = ModelSpec(
    gpt_finetune.FinetuneConfig,
    gpt_curve.train,
    gpt_finetune.save,
    gpt_finetune.load,
    gpt_finetune.evaluate,
    LABELLED,
)
MODELS: dict[str, ModelSpec] = {
    "digits": ModelSpec(
        digits.DigitsConfig,
        digits.train,
        digits.save,
        digits.load,
        digits.evaluate,
        "CSV rows of 64 pixel values 0-16 then a label 0-9 (optdigits)",
    ),
    "tagger": ModelSpec(
        tagger.TaggerConfig,
        tagger.train,
        tagger.save,
        tagger.load,
        tagger.evaluate,
        "TSV word<TAB>UPOS, a blank line between sentences",
    ),
    "sentiment": ModelSpec(
        sentiment.SentimentConfig, sentiment.train, sentiment.save, sentiment.load, sentiment.evaluate, LABELLED
    ),
    "markov": ModelSpec(
        charlm.MarkovConfig, charlm.train_markov, charlm.save_markov, charlm.load_markov, charlm.evaluate_markov, TEXT
    ),
    "char_rnn": ModelSpec(
        charlm.CharRNNConfig,
        charlm.train_char_rnn,
        charlm.save_char_rnn,
        charlm.load_char_rnn,
        charlm.evaluate_char_rnn,
        TEXT,
    ),
    "translator": ModelSpec(
        TranslatorTraining,
        TRANSFORMER.train,
        TRANSFORMER.save,
        TRANSFORMER.load,
        TRANSFORMER.evaluate,
        PAIRS,
        per_sentence=True,
        record=TRANSFORMER.record,
    ),
    "rnn_translator": ModelSpec(
        TranslatorTraining, GRU.train, GRU.save, GRU.load, GRU.evaluate, PAIRS, per_sentence=True, record=GRU.record
    ),
    "gpt": ModelSpec(
        gpt.GPTConfig,
        gpt_train.train_gpt,
        gpt_train.save_gpt,
        gpt_train.load_gpt,
        gpt_train.evaluate_gpt,
        TEXT,
        record=gpt_train.record_gpt,
    ),
    # The sub-word GPT pre-trained on modern English (resumable) that the sentiment classifier starts from.
    "gpt_pretrain": ModelSpec(
        gpt_pretrain.PretrainConfig,
        gpt_pretrain.train,
        gpt_pretrain.save,
        gpt_pretrain.load,
        gpt_pretrain.evaluate,
        TEXT,
        record=gpt_pretrain.record,
    ),
    # Trains the label-count curves and the shipped classifier, saved as gpt_sentiment (both names work).
    "gpt_finetune": GPT_SENTIMENT,
    "gpt_sentiment": GPT_SENTIMENT,
    "density": ModelSpec(
        DensityConfig,
        density_train.train,
        density_train.save,
        density_train.load,
        density_explain.evaluate,
        IMAGES,
        folders=True,
        record=density_explain.record,
    ),
}
