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
from ui.text import raw, t
from ui.translator.labels import effect, header, headers
from ui.widgets import Limit, cannot_read, download_csv, mirror_to_url, slider, toggle

LIMITS = {
    "width": Limit(1, 8, TRANSFORMER.beam, 1),  # beam width
    "alpha": Limit(0.0, 2.0, BEAM_ALPHA, 0.1),  # length penalty exponent (Wu et al., 2016)
    "beta": Limit(0.0, 1.0, TRANSFORMER.guards.coverage, 0.05),  # coverage penalty weight
    "ratio": Limit(0.0, 1.5, TRANSFORMER.guards.min_ratio, 0.1),  # minimum output tokens per source token
}
TATOEBA_CREDIT = raw("Tatoeba Project (tatoeba.org), CC BY 2.0 FR")
UNSURE = (255, 140, 0)  # orange: the less likely a word, the stronger its background
CHIP = raw(  # one word of the translation: large, its probability small beneath it, on its colour
    '<span style="display:inline-block;text-align:center;margin:0 .3em .3em 0;padding:.1em .3em;'
    'border-radius:.3em;background:{background}"><span style="font-size:1.35em;font-weight:600">'
    "{word}</span><br><small>{p:.2f}</small></span>"
)
_MARKDOWN = str.maketrans({c: f"&#{ord(c)};" for c in "&<>\\`*_{}[]()#+-.!|~$:"})  # as numeric HTML entities


def cannot_translate(sentence: str) -> bool:
    """When most words of the sentence are in a script the model never read, say so in one line and return True."""
    return cannot_read(check_words(sentence), t("translator.reads"))


def unsure_colour(prob: float) -> str:
    """A CSS background: transparent for a word the model is sure of, orange for one it is not."""
    return f"rgba({UNSURE[0]}, {UNSURE[1]}, {UNSURE[2]}, {0.8 * (1 - prob):.2f})"


def literal(text: str) -> str:
    """Model output as inert HTML inside st.markdown: no tag, markdown mark or $ (LaTeX) is interpreted."""
    return text.translate(_MARKDOWN)


def word_chips(words: pd.DataFrame) -> str:
    """The translation as HTML: each word large, its probability small beneath it, coloured by unsure_colour."""
    chips = [
        CHIP.format(background=unsure_colour(p), word=literal(w), p=p)
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
    left_out = t("translator.decoding.left_out", words=literal(" ".join(dropped))) if dropped else ""
    st.markdown(t("translator.decoding.disagrees", words=words, left_out=left_out), unsafe_allow_html=True)


def shipped_translation(result: explain.Translation, shipped: Shipped, sentence: str) -> None:
    """The translation every section below explains, each word with its probability; how often the model is right;
    where greedy decoding differs; and the words of the sentence as training saw them."""
    words = explain.word_probabilities(result)
    beam = TRANSFORMER.beam
    decoding = t("translator.decoding.beam_width", width=beam) if beam else t("translator.decoding.greedy")
    st.markdown(t("translator.decoding.translation", decoding=decoding))
    st.markdown(word_chips(words) if len(words) else t("translator.decoding.empty"), unsafe_allow_html=True)
    m = shipped.meta["metrics"]
    st.caption(t("translator.decoding.chips", exact=m["exact"], n=m["n"], chrf=m["chrf"]))
    _greedy_disagrees(sentence, result.text)
    _seen(shipped, sentence)


def _seen(shipped: Shipped, sentence: str) -> None:
    """Per-word warnings for words training never saw; the counts and pieces of every word in an expander."""
    counts = shipped.transformer.words
    if counts is None:
        st.info(t("translator.seen.no_counts"))
        return
    table = vocabulary.seen_table(sentence, counts, shipped.transformer.tokenizer)
    notes = [_note(row) for row in table.itertuples()]
    for note in notes:
        if note:
            st.warning(note)
    with st.expander(t("translator.seen.expander")):
        st.dataframe(headers(table.assign(note=notes)), hide_index=True)
        st.caption(t("translator.seen.caption", credit=TATOEBA_CREDIT))
        download_csv(table, t("translator.seen.download"), "words_seen.csv", "mt.dl_seen")


def _note(row) -> str:
    """The engine's note on one word (vocabulary.seen_table), in the learner's language."""
    if not (row.everyday or row.dictionary or row.generated):
        return t("translator.seen.never", word=row.word)
    return "" if row.everyday else t("translator.seen.not_everyday", word=row.word)


def _chosen_guards() -> Guards:
    """The guard controls, started at the shipped decoding's guards (or the URL's)."""
    shipped = TRANSFORMER.guards
    a, b = st.columns(2)
    with a:
        no_repeat = toggle(t("translator.guards.no_repeat"), "mt.norepeat", "norep", shipped.no_repeat)
        no_trigram = toggle(t("translator.guards.no_trigram"), "mt.notri", "notri", shipped.no_trigram)
    with b:
        ratio = slider(t("translator.guards.ratio"), "mt.ratio", "ratio", LIMITS["ratio"])
        beta = slider(t("translator.guards.beta"), "mt.beta", "beta", LIMITS["beta"])
    mirror_to_url({"norep": int(no_repeat), "notri": int(no_trigram), "ratio": ratio, "beta": beta})
    return Guards(no_repeat, no_trigram, round(ratio, 2), round(beta, 2))


def _merged_note(hyps: pd.DataFrame) -> None:
    """Say when hypotheses that differ only in their pieces were merged into one row."""
    total = int(hyps["spellings"].sum())
    if total > len(hyps):
        st.caption(t("translator.guards.merged", merged=total - len(hyps), total=total, column=header("spellings")))


def _guard_effects(sentence: str, width: int, alpha: float, guards: Guards) -> None:
    """Each guard's effect on this sentence; when none changes it, one line and a sentence where they do."""
    if not guards.any:
        st.caption(t("translator.guards.none_on"))
        return
    effects = loaders.guard_effects(sentence, width, alpha, guards)
    if effects["translation"].nunique() == 1:
        example = loaders.guard_effects(EXAMPLE, TRANSFORMER.beam, BEAM_ALPHA, TRANSFORMER.guards)["translation"]
        plain, guarded = literal(example.iloc[0]), literal(example.iloc[-1])
        said = t("translator.guards.unchanged", example=literal(EXAMPLE), plain=plain, guarded=guarded)
        st.markdown(said, unsafe_allow_html=True)
    with st.expander(t("translator.guards.expander")):
        st.markdown(t("translator.guards.why"))
        st.dataframe(headers(effects.assign(decoding=effects["decoding"].map(effect))), hide_index=True)
        download_csv(effects, t("translator.guards.download"), "guard_effects.csv", "mt.dl_guards")


@st.fragment
def decoding_section(sentence: str) -> None:
    """Beam width, length penalty and guards: this setting's beams, greedy next to it, each guard's effect."""
    a, b = st.columns(2)
    with a:
        width = slider(t("translator.beams.width"), "mt.width", "w", LIMITS["width"])
    with b:
        alpha = slider(t("translator.beams.alpha"), "mt.alpha", "alpha", LIMITS["alpha"])
    mirror_to_url({"w": width, "alpha": alpha})
    guards = _chosen_guards()
    hyps = loaders.beams(sentence, width, alpha, guards)
    a, b = st.columns(2)
    a.markdown(t("translator.beams.greedy"))
    a.text(loaders.greedy(sentence) or t("translator.decoding.empty"))
    b.markdown(t("translator.beams.beam", width=width))
    b.text(hyps["translation"].iloc[0] or t("translator.decoding.empty"))
    st.dataframe(headers(hyps), hide_index=True)
    _merged_note(hyps)
    download_csv(hyps, t("translator.beams.download"), "beams.csv", "mt.dl_beams")
    _guard_effects(sentence, width, alpha, guards)
