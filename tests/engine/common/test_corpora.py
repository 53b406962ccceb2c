"""Leakage guard for the Shakespeare corpus: scenes are split whole, and no scene reaches two splits."""

from collections import Counter

import pytest

from engine.common import corpora

SPLITS = ("train", "val", "test")


@pytest.fixture(scope="module")
def texts():
    return {split: corpora.shakespeare_text(split) for split in SPLITS}


@pytest.fixture(scope="module")
def holders(texts):
    """For every scene, the splits whose text contains it (found by searching the texts, not by the hash)."""
    return [
        (play, title, [s for s in SPLITS if text in texts[s]]) for play, title, text in corpora.shakespeare_scenes()
    ]


def test_every_scene_lands_in_exactly_one_split(texts, holders):
    assert all(len(splits) == 1 for _, _, splits in holders), [h for h in holders if len(h[2]) != 1][:3]
    assert min(Counter(splits[0] for _, _, splits in holders).values()) > 10  # whole scenes in every split
    scenes = corpora.shakespeare_scenes()
    assert sum(len(t) for t in texts.values()) == sum(len(t) for _, _, t in scenes) + len(scenes) - len(SPLITS)


def test_a_play_and_scene_heading_never_spans_two_splits(holders):
    by_key: dict[tuple[str, str], set[str]] = {}
    for play, title, splits in holders:
        by_key.setdefault((play, title), set()).update(splits)
    assert all(len(splits) == 1 for splits in by_key.values())


def test_held_out_splits_are_small_and_from_many_plays():
    by_split: dict[str, set[str]] = {s: set() for s in SPLITS}
    counts = Counter()
    for play, title, _ in corpora.shakespeare_scenes():
        split = corpora.split_of(f"{play}/{title}")
        by_split[split].add(play)
        counts[split] += 1
    total = sum(counts.values())
    assert 0.02 < counts["test"] / total < 0.09 and 0.02 < counts["val"] / total < 0.09
    assert len(by_split["test"]) > 10  # split by scene, not by play: most plays are in training too
