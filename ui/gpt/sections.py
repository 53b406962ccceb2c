"""The GPT page's sampling sections: both settings drawn with one seed, and one step of sample A inspected."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from engine.gpt.explain import CANDIDATES, attention_frame, candidates
from engine.gpt.model import Trained
from engine.gpt.sample import Step, sample
from ui import loaders
from ui.gpt import charts as gpt_charts
from ui.gpt.controls import Setting
from ui.text import current_lang, t
from ui.widgets import Limit, download_csv

SAMPLES = "gpt.samples"  # session key: the last Drawn of this session (read by `sampling` only)


@dataclass(frozen=True)
class Request:
    """What to draw: a prompt continued `length` characters with one seed under settings A and B."""

    prompt: str
    length: int
    seed: int
    settings: tuple[Setting, Setting]


@dataclass(frozen=True)
class Drawn:
    """Both continuations of a request, and what the model did at every step of sample A."""

    request: Request
    texts: tuple[str, str]
    steps: tuple[Step, ...]


def _draw(trained: Trained, request: Request, boxes: list) -> Drawn:
    """Draw both samples, streaming them into `boxes`."""
    streams = [
        sample(trained, request.prompt, request.length, s.temperature, s.top_k, s.top_p, request.seed, record=(i == 0))
        for i, s in enumerate(request.settings)
    ]
    texts, steps = ["", ""], []
    bar = st.progress(0.0, text=t("gpt.sample.progress"))
    for n, pair in enumerate(zip(*streams, strict=True), start=1):
        for i, (char, step) in enumerate(pair):
            texts[i] += char
            if step is not None:
                steps.append(step)
        if n % 10 == 0 or n == request.length:
            for box, text in zip(boxes, texts, strict=True):
                box.code(request.prompt + text, language=None, wrap_lines=True)
            bar.progress(n / request.length, text=t("gpt.sample.progress_n", n=n, total=request.length))
    bar.empty()
    return Drawn(request, (texts[0], texts[1]), tuple(steps))


def samples_frame(drawn: Drawn) -> pd.DataFrame:
    """Columns setting, settings, prompt, text: the two samples as downloaded (the settings in English)."""
    labels = [s.label() for s in drawn.request.settings]
    return pd.DataFrame(
        {"setting": ["A", "B"], "settings": labels, "prompt": drawn.request.prompt, "text": drawn.texts}
    )


def sampling(trained: Trained, request: Request) -> Drawn:
    """Both texts stream in as they are drawn with the same seed; the finished pair is returned."""
    boxes = [col.empty() for col in st.columns(2)]
    drawn = st.session_state.get(SAMPLES)
    if drawn is None or drawn.request != request:
        # The same seed draws the same text, so a sample any session finished is reused, not redrawn.
        drawn = loaders.shared_samples().get(request)
        if drawn is None:
            drawn = _draw(trained, request, boxes)
            loaders.shared_samples().put(request, drawn)
        st.session_state[SAMPLES] = drawn
    for box, text in zip(boxes, drawn.texts, strict=True):
        box.code(request.prompt + text, language=None, wrap_lines=True)
    a, b = (s.label(current_lang()) for s in request.settings)
    st.caption(t("gpt.sample.caption", a=a, b=b))
    download_csv(samples_frame(drawn), t("gpt.sample.download"), "samples.csv", "gpt.dl_samples")
    return drawn


def step_metrics(trained: Trained, step: Step) -> dict[str, str]:
    """The five numbers shown for one step, by label."""
    return {
        t("gpt.step.drawn"): gpt_charts.show_char(trained.vocab.chars[step.chosen]),
        t("gpt.step.rank"): str(step.rank),
        t("gpt.step.probability"): f"{float(step.probs[step.chosen]):.3f}",
        t("gpt.step.entropy"): t("gpt.step.entropy_value", bits=step.entropy_bits),
        t("gpt.step.cut"): f"{step.cut_mass:.3f}",
    }


@st.fragment
def one_step(trained: Trained, drawn: Drawn | None, position_limit: Limit) -> None:
    """One drawn character of sample A: candidates, cut mass, entropy, rank, and attention."""
    if drawn is None or not drawn.steps:
        st.info(t("gpt.step.empty"))
        return
    cfg = trained.model.cfg
    st.session_state["gpt.pos"] = min(st.session_state.get("gpt.pos", position_limit.default), len(drawn.steps))
    position = st.slider(t("gpt.step.position"), position_limit.lo, len(drawn.steps), key="gpt.pos")
    step = drawn.steps[position - 1]
    for col, (label, value) in zip(st.columns(5), step_metrics(trained, step).items(), strict=True):
        col.metric(label, value)
    table = candidates(trained, step)
    title = t("gpt.step.candidates_title", n=CANDIDATES)
    st.plotly_chart(gpt_charts.candidates_chart(table, title), key="gpt.cands")
    a, b = st.columns(2)
    layer = a.selectbox(t("gpt.step.layer"), range(1, cfg.n_layer + 1), index=cfg.n_layer - 1, key="gpt.layer")
    head = b.selectbox(t("gpt.step.head"), range(1, cfg.n_head + 1), key="gpt.head")
    attention = attention_frame(step, layer, head)
    title = t("gpt.step.attention_title", layer=layer, head=head)
    st.plotly_chart(gpt_charts.attention_bars(attention, title), key="gpt.attn")
    top = int(attention["attention"].idxmax())
    share, char = attention["attention"][top], gpt_charts.show_char(step.context[top])
    st.caption(t("gpt.step.caption", n=len(step.context), share=share, top=top, char=char))
    download_csv(table, t("gpt.step.download"), "candidates.csv", "gpt.dl_cands")
