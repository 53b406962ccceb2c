"""The tagger and the sentiment RNN: shipped quality, user files, parsing, and what the page shows."""

import pytest
import torch
import torch.nn.functional as F

from engine.common.inputs import InputError
from engine.rnn import explain as unroll
from engine.rnn import sentiment, tagger
from engine.rnn.text import UPOS, tokenize
from engine.rnn.words import last_step


def test_shipped_tagger_meets_its_recorded_accuracy(tag_model):
    trained, meta = tag_model
    assert meta["metrics"]["accuracy"] >= 0.90
    measured = tagger.evaluate(trained)
    assert abs(measured["accuracy"] - meta["metrics"]["accuracy"]) < 1e-3
    assert measured["n"] == meta["metrics"]["n"] > 10_000  # a changed split changes the count


def test_shipped_sentiment_meets_its_recorded_accuracy(sent_model):
    trained, meta = sent_model
    assert meta["metrics"]["accuracy"] >= 0.72
    measured = sentiment.evaluate(trained)
    assert abs(measured["accuracy"] - meta["metrics"]["accuracy"]) < 1e-3
    assert measured["n"] == meta["metrics"]["n"] > 800


def test_tagger_on_a_user_file(tag_model):
    data = b"The\tDET\ncat\tNOUN\nsleeps\tVERB\n.\tPUNCT\n\nShe\tPRON\nruns\tVERB\n"
    result = tagger.evaluate(tag_model[0], data)
    predicted = [t for w in (["The", "cat", "sleeps", "."], ["She", "runs"]) for _, t, _ in tagger.tag(tag_model[0], w)]
    gold = ["DET", "NOUN", "VERB", "PUNCT", "PRON", "VERB"]
    assert result["n"] == 6
    assert result["accuracy"] == round(sum(p == g for p, g in zip(predicted, gold, strict=True)) / 6, 4)


def test_sentiment_on_a_user_file(sent_model):
    data = b"pos\tA wonderful, moving film.\nneg\tDull and far too long.\n\nneg\tThe worst thing I have seen.\n"
    result = sentiment.evaluate(sent_model[0], data)
    judged = [
        sentiment.positive_after_each_word(sent_model[0], tokenize(s))[-1] >= 0.5
        for s in ("A wonderful, moving film.", "Dull and far too long.", "The worst thing I have seen.")
    ]
    assert result["n"] == 3
    assert result["accuracy"] == round(sum(j == g for j, g in zip(judged, [True, False, False], strict=True)) / 3, 4)


@pytest.mark.parametrize(
    ("parse", "text", "reason"),
    [
        (tagger.parse_tagged_tsv, "The\tDET\ncat NOUN\n", "Line 2"),
        (tagger.parse_tagged_tsv, "The\tDETERMINER\n", "Line 1"),
        (tagger.parse_tagged_tsv, "\tNOUN\n", "Line 1"),
        (tagger.parse_tagged_tsv, "\n\n", "no tagged words"),
        (sentiment.parse_labelled_tsv, "pos\tfine\nmeh\tbad\n", "Line 2"),
        (sentiment.parse_labelled_tsv, "pos fine\n", "Line 1"),
        (sentiment.parse_labelled_tsv, "neg\t   \n", "Line 1"),
        (sentiment.parse_labelled_tsv, "\n", "no labelled sentences"),
    ],
)
def test_tsv_errors_name_the_line(parse, text, reason):
    with pytest.raises(InputError, match=reason):
        parse(text)


def test_tags_are_upos_with_probabilities(tag_model):
    rows = tagger.tag(tag_model[0], tokenize("The dog barked at a stranger."))
    assert [w for w, _, _ in rows] == ["The", "dog", "barked", "at", "a", "stranger", "."]
    assert all(t in UPOS and 0 < p <= 1 for _, t, p in rows)
    assert [t for _, t, _ in rows][:2] == ["DET", "NOUN"] and rows[-1][1] == "PUNCT"


def test_sentiment_is_read_at_the_last_word_only(sent_model):
    model, encoder = sent_model[0].model, sent_model[0].encoder
    words = tokenize("Not bad at all, a fine film.")
    curve = sentiment.positive_after_each_word(sent_model[0], words)
    batch = encoder([words, words[:3]])
    final = F.softmax(last_step(model(batch).logits, batch.lengths), -1)[:, 1]
    assert final[0].item() == pytest.approx(curve[-1], abs=1e-5)
    assert final[1].item() == pytest.approx(curve[2], abs=1e-5)  # a shorter sentence ends at its own last word


def test_trace_and_gradients(sent_model):
    model, encoder = sent_model[0].model, sent_model[0].encoder
    words = tokenize("The plot is thin but the acting is superb.")
    run = unroll.trace(model, encoder, words)
    assert run.hidden.shape == (len(words), model.rnn.hidden_size)
    torch.testing.assert_close(run.probs.sum(-1), torch.ones(len(words)))
    grads = unroll.gradient_norms(model, encoder, words, target=1)
    # Reference: autograd through the module's own forward, with h_t read from the hidden states.
    x = model.features(encoder([words]))[0]
    h = torch.zeros(1, model.rnn.hidden_size, requires_grad=True)
    states = []
    with torch.enable_grad():
        for t in range(len(words)):
            h = torch.tanh(x[t : t + 1] @ model.rnn.W_xh.T + h @ model.rnn.W_hh.T + model.rnn.b)
            states.append(h)
        target = F.log_softmax(model.out(h), -1)[0, 1]
        reference = torch.autograd.grad(target, states)
    assert grads["grad_norm"].tolist() == pytest.approx([float(g.norm()) for g in reference], rel=1e-4)
    assert grads["grad_norm"].iloc[0] < grads["grad_norm"].iloc[-1]  # the far past gets less gradient


def test_scaling_w_hh_leaves_the_shared_model_unchanged(sent_model):
    model, encoder = sent_model[0].model, sent_model[0].encoder
    before = {k: v.clone() for k, v in model.state_dict().items()}
    words = tokenize("A slow start, then a great ending.")
    base, scaled = unroll.trace(model, encoder, words), unroll.trace(model, encoder, words, 1.7)
    assert (base.hidden[1:] - scaled.hidden[1:]).norm(dim=1).min() > 0
    assert all(torch.equal(v, model.state_dict()[k]) for k, v in before.items())


def test_edits(sent_model):
    model, encoder = sent_model[0].model, sent_model[0].encoder
    words = tokenize("I did not like this film at all")
    same = unroll.change_after_edit(model, encoder, words, 2, "not")
    assert same["hidden_change"].max() == 0 and list(same["step"]) == list(range(4, len(words) + 1))
    dropped = unroll.change_after_edit(model, encoder, words, 2, None)
    assert dropped["hidden_change"].min() > 0 and list(dropped["word"]) == words[3:]


def test_parameters_vs_length_by_hand(sent_model):
    rnn = sent_model[0].model.rnn
    hidden, inputs = rnn.W_xh.shape
    frame = unroll.parameters_vs_length(rnn, [1, 10, 40]).pivot(index="length", columns="model", values="parameters")
    assert set(frame.iloc[:, 1 if "RNN" in frame.columns[1] else 0]) == {hidden * inputs + hidden * hidden + hidden}
    dense = frame[next(c for c in frame.columns if c.startswith("dense"))]
    assert list(dense) == [n * inputs * hidden + hidden for n in (1, 10, 40)]


def test_tag_and_score_matches_both_heads(tag_model, sent_model):
    sentences = [tokenize("What a lovely day."), tokenize("This was a waste of time.")]
    frame = unroll.tag_and_score(tag_model[0], sent_model[0], sentences)
    for row, words in zip(frame.itertuples(), sentences, strict=True):
        assert row.tagged == " ".join(f"{w}/{t}" for w, t, _ in tagger.tag(tag_model[0], words))
        assert row.p_positive == pytest.approx(sentiment.positive_after_each_word(sent_model[0], words)[-1], abs=1e-4)
