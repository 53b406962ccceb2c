"""Section 1 of the translator page: the shipped translation with each word's probability, how often this model
is right, what the model has seen, and decoding controls (beam width, length penalty and the guards, each with its
effect on this sentence)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from engine.common.scripts import check_words
from engine.translator import explain, vocabulary
from engine.translator.guards import EXAMPLE, Guards
from engine.translator.train import BEAM_ALPHA, TRANSFORMER, Shipped
from ui import loaders
from ui.widgets import Limit, cannot_read, download_csv, mirror_to_url, slider, toggle

LIMITS = {
    "width": Limit(1, 8, TRANSFORMER.beam, 1),  # beam width
    "alpha": Limit(0.0, 2.0, BEAM_ALPHA, 0.1),  # length penalty exponent (Wu et al., 2016)
    "beta": Limit(0.0, 1.0, TRANSFORMER.guards.coverage, 0.05),  # coverage penalty weight
    "ratio": Limit(0.0, 1.5, TRANSFORMER.guards.min_ratio, 0.1),  # minimum output tokens per source token
}
TATOEBA_CREDIT = "Tatoeba Project (tatoeba.org), CC BY 2.0 FR"
READS = "This translator reads English only"
UNSURE = (255, 140, 0)  # orange: the less likely a word, the stronger its background
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\\`*_{}[]()#+-.!|~$:"})  # as numeric HTML entities


def cannot_translate(sentence: str) -> bool:
    """When most words of the sentence are in a script the model never read, say so in one line and return True."""
    return cannot_read(check_words(sentence), READS)


def unsure_colour(prob: float) -> str:
    """A CSS background: transparent for a word the model is sure of, orange for one it is not."""
    return f"rgba({UNSURE[0]}, {UNSURE[1]}, {UNSURE[2]}, {0.8 * (1 - prob):.2f})"


def literal(text: str) -> str:
    """Model output as inert HTML inside st.markdown: no tag, markdown mark or $ (LaTeX) is interpreted."""
    return text.translate(_MARKDOWN)


def word_chips(words: pd.DataFrame) -> str:
    """The translation as HTML: each word large, its probability small beneath it, coloured by unsure_colour."""
    chips = [
        '<span style="display:inline-block;text-align:center;margin:0 .3em .3em 0;padding:.1em .3em;'
        f'border-radius:.3em;background:{unsure_colour(p)}"><span style="font-size:1.35em;font-weight:600">'
        f"{literal(w)}</span><br><small>{p:.2f}</small></span>"
        for w, p in zip(words["word"], words["prob"], strict=True)
    ]
    return "<div>" + "".join(chips) + "</div>"


def _greedy_disagrees(sentence: str, shown: str) -> None:
    """When greedy decoding writes something else, show its words with the ones that differ in bold."""
    greedy = loaders.greedy(sentence)
    diffs = explain.differing_words(shown, greedy)
    if not diffs:
        return
    marked = explain.marked_words(shown, greedy)
    words = " ".join(f"**{literal(w)}**" if differs else literal(w) for w, differs in marked)
    dropped = [a for a, b in diffs if a and not b]
    left_out = f" and leaves out “{literal(' '.join(dropped))}”" if dropped else ""
    st.markdown(f"Greedy decoding disagrees: “{words}” (bold: words that differ){left_out}.", unsafe_allow_html=True)


def shipped_translation(result: explain.Translation, shipped: Shipped, sentence: str) -> None:
    """The translation every section below explains, each word with its probability; how often the model is right;
    where greedy decoding differs; and the words of the sentence as training saw them."""
    words = explain.word_probabilities(result)
    decoding = f"beam search, width {TRANSFORMER.beam}" if TRANSFORMER.beam else "greedy"
    st.markdown(f"**Translation** ({decoding})")
    st.markdown(word_chips(words) if len(words) else "(empty)", unsafe_allow_html=True)
    m = shipped.meta["metrics"]
    st.caption(
        "Under each word: the model's probability for it, given the words before (orange: unsure). "
        f"It gets {m['exact']:.0%} of {m['n']:,} unseen everyday sentences exactly right (chrF {m['chrf']:.1f})."
    )
    _greedy_disagrees(sentence, result.text)
    _seen(shipped, sentence)


def _seen(shipped: Shipped, sentence: str) -> None:
    """Per-word warnings for words training never saw; the counts and pieces of every word in an expander."""
    counts = shipped.transformer.words
    if counts is None:
        st.info("This checkpoint has no word counts; retrain it to see what the model has seen.")
        return
    table = vocabulary.seen_table(sentence, counts, shipped.transformer.tokenizer)
    for note in table["note"]:
        if note:
            st.warning(note)
    with st.expander("What the model has seen: each word's count in the training English, and its pieces"):
        st.dataframe(table, hide_index=True)
        st.caption(
            f"everyday: Tatoeba ({TATOEBA_CREDIT}) and auf-deutsch sentences, read every epoch; dictionary: Ding "
            "example sentences and phrases, of which each epoch samples a few; generated: the grammar's sentences. "
            "The model reads BPE pieces, not whole words."
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


def _merged_note(hyps: pd.DataFrame) -> None:
    """Say when hypotheses that differ only in their pieces were merged into one row."""
    total = int(hyps["spellings"].sum())
    if total > len(hyps):
        st.caption(
            f"{total - len(hyps)} of {total} hypotheses spelled the same German in other pieces (merged: spellings)."
        )


def _guard_effects(sentence: str, width: int, alpha: float, guards: Guards) -> None:
    """Each guard's effect on this sentence; when none changes it, one line and a sentence where they do."""
    if not guards.any:
        st.caption("Switch a guard on (or move a slider above 0) to see what it changes in this translation.")
        return
    effects = loaders.guard_effects(sentence, width, alpha, guards)
    if effects["translation"].nunique() == 1:
        example = loaders.guard_effects(EXAMPLE, TRANSFORMER.beam, BEAM_ALPHA, TRANSFORMER.guards)["translation"]
        st.markdown(
            f"No guard changed this sentence. On “{literal(EXAMPLE)}” plain beam search writes "
            f"“{literal(example.iloc[0])}”, the guards “{literal(example.iloc[-1])}”.",
            unsafe_allow_html=True,
        )
    with st.expander("Each guard alone on this sentence, and why beam search needs them"):
        st.markdown(
            "A small model's most likely continuation is often a loop (“bitte bitte bitte”) or an early stop, and "
            "beam search, which hunts for the most likely output, finds those too. Each guard closes one door."
        )
        st.dataframe(effects, hide_index=True)
        download_csv(effects, "Each guard's effect (CSV)", "guard_effects.csv", "mt.dl_guards")


@st.fragment
def decoding_section(sentence: str) -> None:
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
    a.markdown("**Greedy** (no guards)")
    a.text(loaders.greedy(sentence) or "(empty)")
    b.markdown(f"**Beam search**, width {width}, with the guards chosen")
    b.text(hyps["translation"].iloc[0] or "(empty)")
    st.dataframe(hyps, hide_index=True)
    _merged_note(hyps)
    download_csv(hyps, "Beam hypotheses (CSV)", "beams.csv", "mt.dl_beams")
    _guard_effects(sentence, width, alpha, guards)
