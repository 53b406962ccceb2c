"""Delayed recall: the sequences, the first-state gradient against cells written out by hand, and the
Elman cell's gradient fading faster with distance than the gated cell's."""

import pytest
import torch
import torch.nn.functional as F

from engine.rnn import recall

CFG = recall.RecallConfig()


def test_sequences_hold_the_value_then_distractors_then_the_query():
    x, y = recall.sequences(CFG, 5, 300, torch.Generator().manual_seed(0))
    assert x.shape == (300, 7) and y.shape == (300,)
    assert torch.equal(x[:, 0], y)  # the symbol to remember comes first
    assert bool((x[:, -1] == CFG.values).all())  # the query symbol last, an id of its own
    assert bool((x[:, 1:-1] < CFG.values).all())  # distractors from the same symbols as the answers
    assert set(x[:, 1:-1].flatten().tolist()) == set(range(CFG.values))
    assert recall.vocab_size(CFG) == CFG.values + 1
    with pytest.raises(ValueError, match="k must be"):
        recall.sequences(CFG, -1, 3, torch.Generator())


def elman_by_hand(model):
    """h_t = tanh(W_xh e_t + W_hh h_{t-1} + b) through torch's own RNNCell, from h_0 = 0."""
    cell = torch.nn.RNNCell(CFG.embed, CFG.hidden)
    with torch.no_grad():
        cell.weight_ih.copy_(model.cell.W_xh)
        cell.weight_hh.copy_(model.cell.W_hh)
        cell.bias_ih.copy_(model.cell.b)
        cell.bias_hh.zero_()
    return cell


def gru_step(gru, e, h):
    """The GRU equations as torch documents them, from the module's weights."""
    H = CFG.hidden
    gi, gh = e @ gru.weight_ih_l0.T + gru.bias_ih_l0, h @ gru.weight_hh_l0.T + gru.bias_hh_l0
    r = torch.sigmoid(gi[:, :H] + gh[:, :H])
    z = torch.sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    n = torch.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
    return (1 - z) * n + z * h


def reference_gradient(model, x, y) -> float:
    """Mean over sequences of ||dL/dh_1||, L the summed cross-entropy, with the cell stepped by hand."""
    e = model.embed(x).detach()
    step = elman_by_hand(model) if model.kind == "elman" else (lambda et, h: gru_step(model.cell, et, h))
    h1 = step(e[:, 0], torch.zeros(x.shape[0], CFG.hidden)).detach().requires_grad_(True)
    h = h1
    for t in range(1, x.shape[1]):
        h = step(e[:, t], h)
    loss = F.cross_entropy(model.read(h), y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, h1)
    return float(grad.norm(dim=1).mean())


@pytest.mark.parametrize("kind", recall.KINDS)
@pytest.mark.parametrize("k", [1, 6])
def test_first_state_gradient_equals_a_cell_stepped_by_hand(kind, k):
    torch.manual_seed(4)
    model = recall.Recaller(kind, CFG)
    x, y = recall.sequences(CFG, k, 50, torch.Generator().manual_seed(k))
    assert recall.first_state_gradient(model, x, y) == pytest.approx(reference_gradient(model, x, y), rel=1e-4)


def test_the_gated_cell_starts_by_carrying_its_state():
    model = recall.Recaller("gated", CFG)
    update = model.cell.bias_hh_l0[CFG.hidden : 2 * CFG.hidden]
    assert bool((update == 2.0).all())  # z = sigmoid(about 2) = 0.88: most of h_{t-1} is kept


def test_the_elman_gradient_fades_with_distance_far_more_than_the_gated_one():
    race = recall.RecallRace(recall.RecallConfig(ks=(1, 30), seed=0))
    fade = {}
    for kind in recall.KINDS:
        near, far = (recall.first_state_gradient(race.learner(kind, k).model, *race.tests[k]) for k in (1, 30))
        fade[kind] = near / far
    assert fade["elman"] > 100  # orders of magnitude over 30 steps of tanh
    assert fade["elman"] > 10 * fade["gated"], fade


def test_training_lowers_the_loss_at_a_short_distance():
    race = recall.RecallRace(recall.RecallConfig(ks=(2,), seed=1))
    for kind in recall.KINDS:
        learner = race.learner(kind, 2)
        before = race.accuracy(learner.model, 2)
        for _ in range(200):
            race.step(learner, 2)
        assert sum(learner.losses[-10:]) < 0.5 * sum(learner.losses[:10]), kind
        assert race.accuracy(learner.model, 2) > max(0.6, before + 0.3), kind


def test_a_run_reports_one_row_per_cell_and_distance():
    cfg = recall.RecallConfig(ks=(1, 3), seconds=0.2, n_eval=50)
    seen = []
    result = recall.RecallRace(cfg).run(seen.append)
    assert seen == result.rows and not result.stopped
    assert [(r["model"], r["k"]) for r in result.rows] == [("elman", 1), ("gated", 1), ("elman", 3), ("gated", 3)]
    assert all(r["seconds"] >= 0.2 and r["steps"] > 0 for r in result.rows)
    out = result.as_json()
    assert out["k"] == [1, 3]
    assert set(out) == {"k", "elman", "gated"}
    assert out["elman"]["accuracy"] == [result.rows[0]["accuracy"], result.rows[2]["accuracy"]]
    assert out["gated"]["grad_norm"] == [result.rows[1]["grad_norm"], result.rows[3]["grad_norm"]]


def test_a_run_stops_when_asked():
    result = recall.RecallRace(recall.RecallConfig(ks=(1, 3), seconds=5.0)).run(should_stop=lambda: True)
    assert result.stopped and result.rows == []
    assert result.as_json()["k"] == []


@pytest.mark.parametrize(
    ("change", "message"), [({"seconds": 0}, "seconds"), ({"seconds": 11}, "seconds"), ({"ks": (0, 2)}, "ks")]
)
def test_bad_settings_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        recall.RecallRace(recall.RecallConfig(**change))
