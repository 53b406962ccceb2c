"""Section 1 of the translator page: the shipped translation, what the model has seen, and decoding controls
(beam width, length penalty and the guards, each with its effect on this sentence)."""

from __future__ import annotations

import streamlit as st

from engine.translator import explain, vocabulary
from engine.translator.guards import Guards
from engine.translator.train import TRANSFORMER, Shipped
from ui import loaders
from ui.widgets import Limit, download_csv, mirror_to_url, slider, toggle

LIMITS = {
    "width": Limit(1, 8, TRANSFORMER.beam, 1),  # beam width
    "alpha": Limit(0.0, 2.0, 0.6, 0.1),  # length penalty exponent (Wu et al., 2016)
    "beta": Limit(0.0, 1.0, TRANSFORMER.guards.coverage, 0.05),  # coverage penalty weight
    "ratio": Limit(0.0, 1.5, TRANSFORMER.guards.min_ratio, 0.1),  # minimum output tokens per source token
}
TATOEBA_CREDIT = "Tatoeba Project (tatoeba.org), CC BY 2.0 FR"


def shipped_translation(result: explain.Translation, shipped: Shipped, sentence: str) -> None:
    """The translation every section below explains, and the words of the sentence as training saw them."""
    st.markdown(f"**Translation** ({TRANSFORMER.decoding})")
    st.text(result.text or "(empty)")
    words = shipped.transformer.words
    if words is None:
        st.info("This checkpoint has no word counts; retrain it to see what the model has seen.")
        return
    table = vocabulary.seen_table(sentence, words, shipped.transformer.tokenizer)
    st.markdown(
        "**What the model has seen:** each English word, how often it occurred in the training English, "
        "and the BPE pieces the model reads instead of whole words."
    )
    for note in table["note"]:
        if note:
            st.warning(note)
    st.dataframe(table, hide_index=True)
    st.caption(
        f"everyday: Tatoeba ({TATOEBA_CREDIT}) and auf-deutsch sentences, read every epoch; dictionary: Ding "
        "example sentences and phrases, of which each epoch samples a few; generated: the grammar's sentences."
    )
    download_csv(table, "Word counts and pieces (CSV)", "words_seen.csv", "mt.dl_seen")


def _chosen_guards() -> Guards:
    """The guard controls, started at the shipped decoding's guards (or the URL's)."""
    shipped = TRANSFORMER.guards
    a, b = st.columns(2)
    with a:
        no_repeat = toggle("No word repeated back to back", "mt.norepeat", "norep", shipped.no_repeat)
        no_trigram = toggle("No repeated word trigram", "mt.notri", "notri", shipped.no_trigram)
    with b:
        ratio = slider("Minimum length (output tokens per source token)", "mt.ratio", "ratio", LIMITS["ratio"])
        beta = slider("Coverage penalty β (0 = off)", "mt.beta", "beta", LIMITS["beta"])
    mirror_to_url({"norep": int(no_repeat), "notri": int(no_trigram), "ratio": ratio, "beta": beta})
    return Guards(no_repeat, no_trigram, round(ratio, 2), round(beta, 2))


@st.fragment
def decoding_section(sentence: str, result: explain.Translation) -> None:
    """Beam width, length penalty and guards: this setting's beams, greedy next to it, each guard's effect."""
    a, b = st.columns(2)
    with a:
        width = slider("Beam width", "mt.width", "w", LIMITS["width"])
    with b:
        alpha = slider("Length penalty α (score = log p / ((5 + length) / 6)^α)", "mt.alpha", "alpha", LIMITS["alpha"])
    mirror_to_url({"w": width, "alpha": alpha})
    guards = _chosen_guards()
    hyps = loaders.beams(sentence, width, alpha, guards)
    a, b = st.columns(2)
    a.markdown("**Greedy** (the most likely piece at each step, no guards)")
    a.text(loaders.greedy(sentence) or "(empty)")
    b.markdown(f"**Beam search**, width {width}, with the guards chosen")
    b.text(hyps["translation"].iloc[0] or "(empty)")
    st.dataframe(hyps, hide_index=True)
    download_csv(hyps, "Beam hypotheses (CSV)", "beams.csv", "mt.dl_beams")
    st.markdown(
        "**Why beam search needs guards.** A small model's most likely continuation is often a loop "
        '("bitte bitte bitte") or an early stop, and beam search, which hunts for the most likely output, '
        "finds those too. Each guard below closes one door; the table shows what each does alone on this sentence."
    )
    if not guards.any:
        st.caption("Switch a guard on (or move a slider above 0) to see what it changes in this translation.")
        return
    effects = loaders.guard_effects(sentence, width, alpha, guards)
    st.dataframe(effects, hide_index=True)
    download_csv(effects, "Each guard's effect (CSV)", "guard_effects.csv", "mt.dl_guards")
