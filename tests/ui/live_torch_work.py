"""A work function whose module imports torch, as the real trainings' modules do (tests/ui/test_live.py)."""

import torch


def threads(config, emit, should_stop):
    return torch.get_num_threads()
