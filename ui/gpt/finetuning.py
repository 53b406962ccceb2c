"""The GPT page's last section: a private copy of the character GPT, fine-tuned on the learner's own text."""

from __future__ import annotations

import streamlit as st

from engine.common.inputs import InputError
from engine.gpt.explain import MAX_ADAPT_CHARS
from engine.gpt.model import Trained
from engine.gpt.sample import sample
from engine.gpt.train import MIN_ADAPT_CHARS, Adapted, adapt
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.controls import MAX_ADAPT_PROMPT_CHARS, adapt_steps_label
from ui.gpt.likelihood import read_text, readable
from ui.text import t
from ui.text import table as tables
from ui.widgets import Limit, uploaded

ADAPT_TEMPERATURE = 0.8  # both models of "make it yours" sample at this temperature


def _adapt_under_lock(trained: Trained, text: str, steps: int) -> Adapted | None:
    lock = loaders.finetune_lock()
    if not lock.acquire(blocking=False):
        st.warning(t("gpt.adapt.busy"))
        return None
    try:
        bar, chart = st.progress(0.0, text=t("gpt.adapt.progress")), st.empty()
        losses: list[float] = []

        def on_step(step: int, total: int, loss: float) -> None:
            losses.append(loss)
            if step % 5 == 0 or step == total:
                bar.progress(step / total, text=t("gpt.adapt.progress_step", step=step, total=total))
                chart.plotly_chart(gpt_charts.loss_curve(losses, total), key=f"gpt.live_loss{step}")

        return adapt(trained, text, steps, on_step=on_step)
    finally:
        lock.release()


def english(key: str) -> str:
    """The English template of `key`, unfilled."""
    return tables("en")[key]


def adapt_text(data: bytes) -> tuple[str, str | None]:
    """A text file to fine-tune on (its first MAX_ADAPT_CHARS characters) and a note if it was cut."""
    text, note = read_text(data, MAX_ADAPT_CHARS)
    if len(text) < MIN_ADAPT_CHARS:
        key = "gpt.errors.upload_too_short"  # its English template is the English table's
        raise InputError(english(key), key=key, n=len(text), least=MIN_ADAPT_CHARS)
    return text, note


def _both_samples(trained: Trained, adapted: Adapted, table: dict[str, Limit]) -> None:
    """The original and the fine-tuned copy continue one prompt with one seed."""
    prompt = st.text_input(t("gpt.adapt.prompt"), "", key="gpt.adapt_prompt", max_chars=MAX_ADAPT_PROMPT_CHARS)
    seeds = table["adapt_seed"]
    seed = st.number_input(t("gpt.adapt.seed"), seeds.lo, seeds.hi, seeds.default, key="gpt.adapt_seed")
    length = table["adapt_chars"].default
    titles = (t("gpt.adapt.original"), t("gpt.adapt.yours"))
    for col, title, model in zip(st.columns(2), titles, (trained, adapted.trained), strict=True):
        text = "".join(c for c, _ in sample(model, prompt, length, ADAPT_TEMPERATURE, seed=int(seed)))
        col.markdown(f"**{title}**")
        col.code(prompt + text, language=None, wrap_lines=True)


@st.fragment
def make_it_yours(trained: Trained, table: dict[str, Limit]) -> None:
    """Fine-tune a private copy on an uploaded text, then sample from it next to the original."""
    label = t("gpt.adapt.upload", least=MIN_ADAPT_CHARS, most=MAX_ADAPT_CHARS)
    upload = uploaded(label, ["txt"], "gpt.adapt_upload", adapt_text)
    steps_limit = table["steps"]
    steps = st.slider(
        adapt_steps_label(trained),
        steps_limit.lo,
        steps_limit.hi,
        steps_limit.default,
        steps_limit.step,
        key="gpt.steps",
    )
    if upload is None and st.session_state.get("gpt.adapt_upload") is not None:
        return  # a file was refused, and `uploaded` said why
    if upload is not None and readable(trained, upload[0]):
        text, note = upload
        if note:
            st.info(note)
        if st.button(t("gpt.adapt.button"), key="gpt.adapt_go", type="primary"):
            adapted = _adapt_under_lock(trained, text, steps)
            if adapted is not None:
                st.session_state["gpt.mine"] = (st.session_state["gpt.adapt_upload"].name, adapted)
    mine = st.session_state.get("gpt.mine")
    if mine is None:
        st.caption(t("gpt.adapt.private"))
        return
    name, adapted = mine
    st.plotly_chart(gpt_charts.loss_curve(adapted.losses, len(adapted.losses)), key="gpt.loss")
    st.text(t("gpt.adapt.fine_tuned_on", name=name))
    st.markdown(t("gpt.adapt.result", before=adapted.before_bpc, after=adapted.after_bpc))
    _both_samples(trained, adapted, table)
