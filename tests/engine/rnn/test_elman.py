"""The written-out Elman RNN: against torch.nn.RNN, a step-by-step recomputation, and hand counts."""

import torch
import torch.nn.functional as F

from engine.common.metrics import parameter_count
from engine.rnn.elman import ElmanRNN


def test_matches_torch_nn_rnn():
    torch.manual_seed(0)
    ours = ElmanRNN(5, 7)
    reference = torch.nn.RNN(5, 7, nonlinearity="tanh", batch_first=True)
    with torch.no_grad():
        reference.weight_ih_l0.copy_(ours.W_xh)
        reference.weight_hh_l0.copy_(ours.W_hh)
        reference.bias_ih_l0.copy_(ours.b)
        reference.bias_hh_l0.zero_()
    x, h0 = torch.randn(3, 11, 5), torch.randn(3, 7)
    expected, _ = reference(x, h0.unsqueeze(0))
    torch.testing.assert_close(ours(x, h0), expected, atol=1e-6, rtol=1e-5)


def test_equals_a_step_by_step_recomputation_with_the_same_three_tensors():
    torch.manual_seed(1)
    rnn = ElmanRNN(4, 6)
    x = torch.randn(2, 9, 4)
    states = rnn(x)
    h = torch.zeros(2, 6)
    for t in range(9):
        h = torch.tanh(x[:, t] @ rnn.W_xh.T + h @ rnn.W_hh.T + rnn.b)
        torch.testing.assert_close(states[:, t], h)


def test_every_step_uses_the_one_w_hh():
    torch.manual_seed(2)
    rnn = ElmanRNN(3, 5)
    x = torch.randn(1, 6, 3)
    states = rnn(x)
    grads = torch.autograd.grad(states[0, -1].sum(), rnn.W_hh)[0]
    # Three tensors in all, whatever the length, and the last state depends on W_hh through every step.
    assert [p.numel() for p in rnn.parameters()] == [5 * 3, 5 * 5, 5]
    assert grads.abs().sum() > 0


def test_override_w_hh_changes_every_step_after_the_first_and_leaves_the_module_alone():
    torch.manual_seed(3)
    rnn = ElmanRNN(3, 4)
    before = rnn.W_hh.detach().clone()
    x = torch.randn(1, 5, 3)
    base, scaled = rnn(x), rnn(x, W_hh=rnn.W_hh * 0.5)
    torch.testing.assert_close(base[:, 0], scaled[:, 0])  # h_0 = 0, so step 1 cannot see W_hh
    assert all((base[:, t] - scaled[:, t]).abs().max() > 1e-6 for t in range(1, 5))
    assert torch.equal(rnn.W_hh, before)


def test_parameter_count_does_not_depend_on_length():
    rnn = ElmanRNN(10, 20)
    assert parameter_count(rnn) == 20 * 10 + 20 * 20 + 20
    for steps in (1, 5, 50):
        rnn(torch.randn(1, steps, 10))
        assert parameter_count(rnn) == 20 * 10 + 20 * 20 + 20


def test_gradient_through_one_step_is_the_chain_rule_by_hand():
    torch.manual_seed(4)
    rnn = ElmanRNN(3, 4)
    x = torch.randn(1, 6, 3)
    h = torch.zeros(1, 4, requires_grad=True)
    states = []
    for t in range(6):
        h = rnn.step(x[:, t], h)
        states.append(h)
    target = F.log_softmax(states[-1], -1)[0, 0]
    d_h5, d_h6 = torch.autograd.grad(target, [states[4], states[5]])
    by_hand = (d_h6 * (1 - states[5] ** 2)) @ rnn.W_hh  # d h_6 / d h_5 = diag(1 - h_6^2) W_hh
    torch.testing.assert_close(d_h5, by_hand)
    torch.testing.assert_close(torch.stack(states, 1), rnn(x))
