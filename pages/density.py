"""Deep generative models for images: learn p(x), then generate, score and represent."""

import math

import streamlit as st

from ui import loaders
from ui.density.generation import CLASSES, CLEAR, generation
from ui.density.sections import PIXELS, SHAPE, estimation, representation
from ui.density.words import comparison
from ui.frame import inside_frame, loaded
from ui.navigation import learning_path, link
from ui.text import t

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
N = str(PIXELS).translate(SUBSCRIPTS)
N_1 = str(PIXELS - 1).translate(SUBSCRIPTS)

inside_frame()
st.title(t("density.page.title"))
st.markdown(t("density.page.claim", shape=SHAPE, n=N, n_1=N_1))
shipped = loaded(loaders.density_model)
trained, meta = shipped.trained, shipped.meta
metrics, study, cfg = meta["metrics"], meta["history"]["representation"], meta["config"]
test = loaders.density_test()
recognised = round(metrics["samples_recognised"] * metrics["samples"])  # the share was recorded; the count is exact

st.header(t("density.page.generation"))
st.markdown(t("density.page.generation_intro"))
generation(trained, loaders.density_gallery(), metrics)
with st.expander(t("density.page.judge_more")):
    st.markdown(t("density.page.judge_more_text", clear=CLEAR))

st.header(t("density.page.estimation"))
st.markdown(t("density.page.estimation_intro", shape=SHAPE, pixels=PIXELS))
link("pages/gpt.py", t("density.page.gpt_link"), ":material/edit_note:")
estimation(trained, test)

st.header(t("density.page.representation"))
representation(study)

st.header(t("density.page.meaning"))
st.markdown(
    t(
        "density.page.meaning_text",
        samples=metrics["samples"],
        temperature=metrics["sample_temperature"],
        recognised=recognised,
        classes=metrics["sample_classes"],
        digits=CLASSES,
        nats=metrics["nats_per_image"],
        baseline=metrics["baseline_nats_per_image"],
        coin=PIXELS * math.log(2),
        comparison=comparison(study),
    )
)

with st.expander(t("density.page.how")):
    st.markdown(
        t(
            "density.page.how_text",
            layers=cfg["layers"] + 1,
            channels=cfg["channels"],
            n=metrics["n"],
            carried=len(test.images),
            judge=metrics["judge_accuracy"],
            bpd=metrics["bits_per_dim"],
            baseline_bpd=metrics["baseline_bits_per_dim"],
            stochastic=metrics["nats_per_image_stochastic"],
        )
    )

learning_path("pages/density.py")
