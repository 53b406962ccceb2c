"""engine.rnn.explain against independent references: torch.nn.RNN for the recurrence, autograd on an added
zero vector for the gradients, hand counts for the fade and the script check of an uploaded text."""

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from engine.rnn import explain as unroll
from engine.rnn import survey
from engine.rnn.text import tokenize

SENTENCES = [
    "The film starts badly, but the acting is great and the ending is a treat.",
    "I saw her duck under the table before the waiter could bring the soup.",
    "Time flies like an arrow; fruit flies like a banana.",
    "Good.",
]


def torch_rnn(trained) -> torch.nn.RNN:
    """torch's own tanh RNN holding the model's W_xh, W_hh and b (its second bias is zero)."""
    cell = trained.model.rnn
    rnn = torch.nn.RNN(cell.W_xh.shape[1], cell.hidden_size, batch_first=True)
    with torch.no_grad():
        rnn.weight_ih_l0.copy_(cell.W_xh)
        rnn.weight_hh_l0.copy_(cell.W_hh)
        rnn.bias_ih_l0.copy_(cell.b)
        rnn.bias_hh_l0.zero_()
    return rnn


def reference_gradients(trained, words: list[str], target: int, scale: float) -> list[float]:
    """|d log p(target at the last step) / d h_t|, as the gradient with respect to a zero vector added to h_t,
    with torch.nn.RNN run one step at a time."""
    rnn = torch_rnn(trained)
    with torch.no_grad():
        rnn.weight_hh_l0.mul_(scale)
    x = trained.model.features(trained.encoder([words])).detach()  # (1, T, D)
    added = torch.zeros(len(words), trained.model.rnn.hidden_size, requires_grad=True)
    h = torch.zeros(1, 1, trained.model.rnn.hidden_size)
    for t in range(len(words)):
        _, h = rnn(x[:, t : t + 1], h)
        h = h + added[t]
    log_p = F.log_softmax(trained.model.out(h[0]), dim=-1)[0, target]
    (grad,) = torch.autograd.grad(log_p, added)
    return grad.norm(dim=1).tolist()


@pytest.mark.parametrize("sentence", SENTENCES)
@pytest.mark.parametrize("scale", [1.0, 0.5, 1.7])
def test_gradient_norms_match_autograd_through_torch_rnn(tag_model, sent_model, sentence, scale):
    words = tokenize(sentence)
    for trained, target in ((tag_model[0], 12), (sent_model[0], 1)):
        got = unroll.gradient_norms(trained.model, trained.encoder, words, target, scale)
        assert list(got["word"]) == words
        assert got["grad_norm"].tolist() == pytest.approx(
            reference_gradients(trained, words, target, scale), rel=1e-4, abs=1e-12
        )


@pytest.mark.parametrize("scale", [0.0, 0.5, 2.0])
def test_scale_change_matches_torch_rnn(sent_model, scale):
    trained = sent_model[0]
    words = tokenize(SENTENCES[0])
    x = trained.model.features(trained.encoder([words])).detach()
    rnn = torch_rnn(trained)
    with torch.no_grad():
        base, _ = rnn(x)
        rnn.weight_hh_l0.mul_(scale)
        scaled, _ = rnn(x)
    expected = (scaled - base)[0].norm(dim=1).tolist()
    assert unroll.scale_change(trained.model, trained.encoder, words, scale)["change"].tolist() == pytest.approx(
        expected, abs=1e-5
    )


def test_gradient_fade_by_hand():
    grads = pd.DataFrame({"step": [3, 1, 2], "grad_norm": [1.0, 0.01, 0.1]})  # unsorted on purpose
    ratio, per_step = unroll.gradient_fade(grads)
    assert ratio == pytest.approx(0.01)
    assert per_step == pytest.approx(0.1)  # 0.01 over two steps back: 0.1 each
    assert unroll.gradient_fade(pd.DataFrame({"step": [1], "grad_norm": [0.3]})) == (1.0, 1.0)


def test_uploaded_korean_text_is_not_tagged(tag_model, sent_model):
    data = "나는 학교에 간다. 그는 영화를 좋아한다.".encode()
    table, note, report = unroll.own_text_table(data, tag_model[0], sent_model[0])
    assert table is None and note == ""
    assert (report.units, report.foreign, report.script) == (6, 6, "Hangul")


def test_uploaded_english_text_with_a_foreign_name_is_tagged(tag_model, sent_model):
    data = "I met 민수 in Paris. The film was great!".encode()
    table, _, report = unroll.own_text_table(data, tag_model[0], sent_model[0])
    assert (report.units, report.foreign) == (9, 1)
    assert list(table["sentence"]) == ["I met 민수 in Paris .", "The film was great !"]


def test_fade_survey_matches_autograd_and_holds_the_default(tag_model, sent_model):
    nets = {"tagger": tag_model[0], "sentiment": sent_model[0]}
    picked = SENTENCES[:3]
    frame = survey.fade_survey(nets, picked)
    assert len(frame) == 6 and list(frame["network"]) == ["tagger"] * 3 + ["sentiment"] * 3
    for row in frame.itertuples():
        trained, words = nets[row.network], tokenize(row.sentence)
        target = int(trained.model(trained.encoder([words])).logits[0, -1].argmax())
        norms = reference_gradients(trained, words, target, 1.0)
        assert row.words == len(words)
        assert row.ratio == pytest.approx(norms[0] / norms[-1], rel=1e-4)
    assert SENTENCES[0] in survey.SENTENCES  # the page's default sentence is one of the surveyed ones


def test_a_foreign_sentence_in_an_english_file_is_not_tagged(tag_model, sent_model):
    data = "I loved it.\n나는 학교에 간다.\nThe ending was awful! What a day.".encode()  # sentences end at capitals
    table, _, report = unroll.own_text_table(data, tag_model[0], sent_model[0])
    assert not report.unreadable and (report.units, report.foreign) == (13, 3)
    assert list(table["label"])[1] == "not read: 3 of 3 words are Korean (Hangul)"
    assert table["tagged"][1] == "" and pd.isna(table["p_positive"][1])
    english = unroll.tag_and_score(tag_model[0], sent_model[0], [tokenize(s) for s in ("I loved it.", "What a day.")])
    assert [table["tagged"][0], table["tagged"][3]] == list(english["tagged"])
