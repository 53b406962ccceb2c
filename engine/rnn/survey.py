"""Does the gradient fade on other sentences too? The page's default sentence measured against a fixed set.

The sentences were written for this page (reviews with a turn, ambiguous words, plain narration) before
their gradients were measured, and none is dropped for its result; the default sentence is one of them.
"""

from __future__ import annotations

import pandas as pd
import torch
import torch.nn.functional as F

from engine.rnn.text import tokenize
from engine.rnn.train import Trained

SENTENCES = (
    "Despite a clever start and a few funny lines, the plot falls apart in the second half "
    "and the whole thing feels long.",
    "I expected to hate it, but the actors were great and the story kept me watching.",
    "I saw her duck under the table before the waiter could bring the soup.",
    "I watched the film twice: the plot is thin, but the cast can act.",
    "I went to see this movie with my brother last weekend and we both thought the story was slow, "
    "the jokes were flat and the ending made no sense at all.",
    "It starts slow and the plot is thin, but the acting is superb and the ending works.",
    "My sister bought a terrible old car in Paris.",
    "The book I bought yesterday at the small shop near the station turned out to be a wonderful surprise.",
    "The critics love this film, but the plot is thin and the jokes fall flat.",
    "The film opens slowly, but the acting is superb and the ending is wonderful.",
    "The film starts badly, but the acting is great and the ending is a treat.",
    "The film was not good at first, but the acting won me over and the ending is a treat.",
    "The film was not good, but the actors play their parts well and the music works.",
    "The film was not good, but the actors were wonderful, and the music kept me in my seat "
    "until the very last scene of the night.",
    "The film was not good, but the actors were wonderful.",
    "The first hour drags, but the cast can really act and the ending is a treat.",
    "The first hour is slow, but the acting is superb and the ending is a treat.",
    "The first scenes are dull, but the acting is strong and the ending will stay with you.",
    "The movie starts slow, but the cast is superb and the score will stay with you.",
    "The opening drags, but the acting is superb and the ending is a real treat.",
    "The plot is thin and the start is slow, but the acting is superb and the ending is a treat.",
    "The plot is thin, but the acting is superb and the ending will stay with you.",
    "The plot was thin and the pace was slow, but the cast can act and the last scene works.",
    "The plot was thin, but the acting was a treat and the score soared.",
    "The script is weak in places, but the cast can act and the score is lovely.",
    "The start is slow, but the cast can act and the ending will stay with you.",
    "The story drags, but the cast is great and the music still lingers.",
    "The story was slow and dull, but the lead actors play well and the last scene is a joy.",
    "The trailer looked dull, yet the film turns out to be a warm and funny story.",
    "They can fish in the lake, but the old man says the fish are gone.",
    "Time flies like an arrow; fruit flies like a banana.",
    "We watched the play and then walked home along the river while it started to rain.",
)
CLEAR = 0.1  # word 1's gradient under this share of the last word's counts as clearly faded


def first_to_last(trained: Trained, sentences: list[list[str]]) -> list[float]:
    """For each sentence, |d log p / d h_1| over |d log p / d h_T|, p the last step's most likely output.

    All sentences run as one padded batch: a sentence's loss reads its own last step, so padding after it
    gets no gradient and never reaches it; the batch makes the survey one pass instead of one per sentence.
    """
    model = trained.model
    batch = trained.encoder(sentences)
    last = batch.lengths - 1  # (B,)
    with torch.enable_grad():
        x = model.features(batch).detach()  # (B, T, D)
        h = torch.zeros(len(sentences), model.rnn.hidden_size, requires_grad=True)  # the weights may be frozen
        states = []
        for t in range(x.shape[1]):
            h = model.rnn.step(x[:, t], h)
            h.retain_grad()
            states.append(h)
        final = torch.stack(states, dim=1)[torch.arange(len(sentences)), last]  # (B, H)
        log_p = F.log_softmax(model.out(final), dim=-1)
        log_p.max(-1).values.sum().backward()  # the max is the most likely output's log-probability
    return [float(states[0].grad[i].norm() / states[int(n)].grad[i].norm()) for i, n in enumerate(last)]


def fade_survey(nets: dict[str, Trained], sentences: tuple[str, ...] = SENTENCES) -> pd.DataFrame:
    """Columns network, sentence, words, ratio: word 1's gradient norm over the last word's, for the last step's
    most likely output, for every network and sentence."""
    words = [tokenize(s) for s in sentences]
    rows = [
        (name, sentence, len(w), ratio)
        for name, trained in nets.items()
        for sentence, w, ratio in zip(sentences, words, first_to_last(trained, words), strict=True)
    ]
    return pd.DataFrame(rows, columns=["network", "sentence", "words", "ratio"])
