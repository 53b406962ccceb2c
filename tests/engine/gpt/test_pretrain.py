"""Pre-training the sub-word GPT: the mix, resuming exactly where a run stopped, keeping the best state, leakage."""

import dataclasses
import random
from pathlib import Path

import pytest
import torch

from engine.common import corpora, modern_corpora
from engine.gpt import pretrain, pretrain_data, probe
from engine.gpt.pieces import train_pieces

SENTENCES = [
    "The film was good and the acting was great.",
    "A bad movie with a terrible plot and dull actors.",
    "I loved it, and my friends loved it too!",
    "Nothing happens for two hours; the ending is worse.",
]


# ---- the mix ----------------------------------------------------------------------------------------------------


def test_parse_mix_normalises_the_shares():
    assert pretrain_data.parse_mix("imdb:1,vader:3") == {"imdb": 0.25, "vader": 0.75}
    assert pretrain_data.parse_mix(" imdb : 2 , news:2,") == {"imdb": 0.5, "news": 0.5}
    assert pretrain_data.parse_mix("imdb:1,bbc:0") == {"imdb": 1.0}  # a zero share is no source at all
    mix = pretrain_data.parse_mix(pretrain.PretrainConfig().mix)
    assert set(mix) == {*modern_corpora.SOURCES, "vader"} and sum(mix.values()) == pytest.approx(1.0)


@pytest.mark.parametrize(
    "text",
    [
        "wikipedia:1",  # unknown source
        "imdb:1,books:1",  # one unknown among known ones
        "imdb=1",  # no colon
        "imdb",
        "imdb:x",  # not a number
        "imdb:1:2",
        "imdb:0,vader:0",  # all zeros
        "imdb:-1,vader:2",  # a negative share
        "",
        " , ",
    ],
)
def test_parse_mix_refuses_bad_mixes(text):
    with pytest.raises(ValueError, match="bad mix"):
        pretrain_data.parse_mix(text)


def test_window_counts_give_the_largest_remainders():
    # By hand, batch 48 of the default mix: raw counts imdb 26.4, vader 7.2, chitchat/news/bbc 4.8 each;
    # floors 26 + 7 + 4 + 4 + 4 = 45, so the 3 windows left go to the 3 largest remainders (0.8, 0.8, 0.8),
    # not to imdb (0.4) or vader (0.2): 26, 7, 5, 5, 5.
    shares = {"imdb": 0.55, "vader": 0.15, "chitchat": 0.1, "news": 0.1, "bbc": 0.1}
    assert pretrain_data.window_counts(shares, 48) == {"imdb": 26, "vader": 7, "chitchat": 5, "news": 5, "bbc": 5}
    # batch 4 of 0.5/0.3/0.2: raw 2, 1.2, 0.8 -> floors 2, 1, 0; the one left goes to 0.8's source
    assert pretrain_data.window_counts({"a": 0.5, "b": 0.3, "c": 0.2}, 4) == {"a": 2, "b": 1, "c": 1}
    # a source whose share rounds to no window is left out of the batch
    assert pretrain_data.window_counts({"a": 0.9, "b": 0.05, "c": 0.05}, 4) == {"a": 4}


def test_window_counts_always_fill_the_batch_within_one_of_the_share():
    rng = random.Random(0)
    for _ in range(300):
        raw = {f"s{i}": rng.random() for i in range(rng.randint(1, 6))}
        shares = {k: v / sum(raw.values()) for k, v in raw.items()}
        batch = rng.randint(1, 64)
        counts = pretrain_data.window_counts(shares, batch)
        assert sum(counts.values()) == batch
        assert all(abs(counts.get(k, 0) - v * batch) < 1 for k, v in shares.items())


# ---- pre-training: resume, recipe, best state -------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus():
    pieces = train_pieces(SENTENCES * 3, 300)
    gen = torch.Generator().manual_seed(0)
    ids = {k: torch.randint(0, len(pieces), (400,), generator=gen, dtype=torch.int32) for k in ("imdb", "vader")}
    held = {"modern": "A fine film with a good plot. " * 3, "imdb": "The worst movie I have seen this year. " * 3}
    return {"pieces": pieces, "ids": ids, "held": held}


def config(tmp_path: Path, name: str, **changes) -> pretrain.PretrainConfig:
    (tmp_path / name).mkdir(exist_ok=True)  # prepare() makes it (writing the corpus there) before pretrain() runs
    base = pretrain.PretrainConfig(
        state_dir=str(tmp_path / name),
        mix="imdb:0.5,vader:0.5",
        n_layer=1,
        n_head=2,
        d_model=16,
        context=16,
        batch_size=4,
        warmup=2,
        max_steps=6,
        vocab_size=300,  # not used: the corpus brings its pieces
    )
    return dataclasses.replace(base, **changes)


def saved(cfg: pretrain.PretrainConfig) -> dict:
    return torch.load(Path(cfg.state_dir) / pretrain.STATE_FILE, weights_only=False)


def same_weights(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def flat_score(model, pieces):
    """An evaluation that likes every state the same (the first one recorded is kept as best)."""
    return {"val_score": 0.5}


@pytest.fixture(scope="module")
def straight(corpus, tmp_path_factory):
    """One uninterrupted 6-step run: its final saved state."""
    cfg = config(tmp_path_factory.mktemp("straight"), "run")
    model, state = pretrain.pretrain(cfg, corpus, flat_score)
    assert model is not None and state["step"] == 6
    return saved(cfg)


def paused_then_resumed(corpus, tmp_path, tamper=None, **changes) -> dict:
    cfg = config(tmp_path, "run", pause_at=3)
    model, state = pretrain.pretrain(cfg, corpus, flat_score)
    assert model is None and state["step"] == 3
    if tamper:
        tamper(cfg)
    model, state = pretrain.pretrain(dataclasses.replace(cfg, pause_at=0, resume=1, **changes), corpus, flat_score)
    assert model is not None and state["step"] == 6
    return saved(cfg)


def test_a_paused_and_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(corpus, straight, tmp_path):
    resumed = paused_then_resumed(corpus, tmp_path)
    assert same_weights(resumed["model"], straight["model"])
    assert same_weights(resumed["run"]["best"], straight["run"]["best"])
    assert [r["step"] for r in resumed["run"]["curve"]] == [r["step"] for r in straight["run"]["curve"]] == [0, 6]
    assert resumed["run"]["curve"][-1]["modern_bits_per_char"] == straight["run"]["curve"][-1]["modern_bits_per_char"]
    assert resumed["opt"]["state"].keys() == straight["opt"]["state"].keys()
    for k, v in straight["opt"]["state"].items():
        assert all(torch.equal(v[name], resumed["opt"]["state"][k][name]) for name in v)


def _forget_the_optimiser(cfg):
    """Resume with a fresh optimiser (no moments, step counts at 0), as if its state were not restored."""
    path = Path(cfg.state_dir) / pretrain.STATE_FILE
    state = torch.load(path, weights_only=False)
    fresh = pretrain.Run(cfg, len(state["model"]["embed.weight"]))
    state["opt"] = fresh.opt.state_dict()
    torch.save(state, path)


def _forget_the_window_order(cfg):
    path = Path(cfg.state_dir) / pretrain.STATE_FILE
    state = torch.load(path, weights_only=False)
    state["rng"] = torch.Generator().manual_seed(cfg.seed).get_state()
    torch.save(state, path)


@pytest.mark.parametrize("tamper", [_forget_the_optimiser, _forget_the_window_order])
def test_a_resume_that_does_not_restore_everything_would_be_caught(corpus, straight, tmp_path, tamper):
    resumed = paused_then_resumed(corpus, tmp_path, tamper)
    assert not same_weights(resumed["model"], straight["model"])


def test_a_state_without_its_optimiser_is_refused_not_resumed_from_scratch(corpus, tmp_path):
    def drop_opt(cfg):
        path = Path(cfg.state_dir) / pretrain.STATE_FILE
        state = torch.load(path, weights_only=False)
        del state["opt"]
        torch.save(state, path)

    with pytest.raises(KeyError):
        paused_then_resumed(corpus, tmp_path, drop_opt)


@pytest.mark.parametrize("change", [{"lr": 2e-3}, {"d_model": 32}, {"mix": "imdb:0.25,vader:0.75"}, {"seed": 1}])
def test_resuming_a_state_written_by_another_recipe_is_refused(corpus, tmp_path, change):
    with pytest.raises(ValueError, match="another recipe"):
        paused_then_resumed(corpus, tmp_path, **change)


def test_the_budget_and_pause_fields_are_not_part_of_the_recipe():
    assert {"minutes", "stop_at", "resume", "pause_at"}.isdisjoint(pretrain.RECIPE)
    assert {"lr", "mix", "vocab_size", "d_model", "context", "batch_size", "seed", "max_steps"} <= set(pretrain.RECIPE)


class FakeClock:
    """perf_counter moves one second a call: each training step takes exactly one 'second'."""

    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        self.now += 1.0
        return self.now

    def time(self):
        return 0.0


def test_the_state_with_the_best_validation_score_is_the_one_shipped(corpus, tmp_path, monkeypatch):
    monkeypatch.setattr(pretrain, "time", FakeClock())
    # no step cap: a 1.5-'second' budget (2 steps) and an evaluation every 'second': at steps 0, 1 and 2
    cfg = config(tmp_path, "run", max_steps=0, minutes=1.5 / 60, eval_minutes=0.9 / 60, save_minutes=100)
    scores, snapshots = [0.5, 0.7, 0.6], []

    def evaluate(model, pieces):
        assert pieces is corpus["pieces"] and not model.training
        snapshots.append({k: v.clone() for k, v in model.state_dict().items()})
        return {"val_score": scores[len(snapshots) - 1], "probe_val_100": 0.5}

    best, state = pretrain.pretrain(cfg, corpus, evaluate)
    assert [r["step"] for r in state["curve"]] == [0, 1, 2]
    assert [r["val_score"] for r in state["curve"]] == scores
    assert [r.get("best", False) for r in state["curve"]] == [True, True, False]
    assert state["best_score"] == 0.7
    at_best = {k: v.half().float() for k, v in snapshots[1].items()}  # shipped in half precision
    assert same_weights(best.state_dict(), at_best)
    assert not same_weights(snapshots[1], snapshots[2])  # the last state differs: the best one was kept, not the last
    assert not same_weights(best.state_dict(), {k: v.half().float() for k, v in snapshots[2].items()})
    assert not best.training and not any(p.requires_grad for p in best.parameters())
    assert (Path(cfg.state_dir) / pretrain.CURVE_FILE).is_file()


def test_without_an_evaluation_the_state_with_the_fewest_held_out_bits_is_kept(corpus, tmp_path):
    """evaluate=None scores a state by minus its held-out bits per character (always below -1 for a young model)."""
    best, state = pretrain.pretrain(config(tmp_path, "run"), corpus)
    bits = [r["modern_bits_per_char"] for r in state["curve"]]
    assert [r["val_score"] for r in state["curve"]] == [-b for b in bits]
    assert state["best_score"] == -min(bits)
    assert same_weights(best.state_dict(), {k: v.half().float() for k, v in state["best"].items()})


# ---- leakage ----------------------------------------------------------------------------------------------------
# guard() itself is tested in tests/engine/common/test_modern_corpora.py; here, the VADER text that pre-training reads.


def test_no_validation_or_test_sentence_of_the_sentiment_task_is_in_the_vader_training_text():
    """On the real data (about two seconds): the VADER lines pre-training reads hold no guarded sentence."""
    docs, _dropped, _held = pretrain_data.training_documents({"vader": 1.0})
    text = f" {modern_corpora.normalise(chr(10).join(docs['vader']))} "
    guarded = [modern_corpora.normalise(t) for s in ("val", "test") for t, _ in corpora.movie_review_split(s)]
    long = [g for g in guarded if len(g.split()) >= modern_corpora.MIN_SUBSTRING_WORDS]
    assert len(long) > 1500  # nearly all of the ~2,000 validation and test sentences are this long
    assert [g for g in long if f" {g} " in text] == []
    train = [modern_corpora.normalise(t) for t, _ in corpora.movie_review_split("train")[:200]]
    assert sum(f" {t} " in text for t in train) == 200  # the check can see a sentence when it is there


def test_training_documents_go_through_the_guard_and_keep_the_held_out_ones_apart(monkeypatch):
    guarded = "A thoughtful, provocative, insistently humanizing film."
    docs = [f"Review number {i} of a fine film, nothing more to say." for i in range(300)]
    docs[7] = f"A critic wrote: {guarded.upper()} And so on."
    monkeypatch.setitem(modern_corpora.READERS, "bbc", lambda: tuple(docs))
    monkeypatch.setattr(modern_corpora, "guarded_sentences", lambda: [guarded])
    monkeypatch.setattr(pretrain_data, "modern_text", lambda split: f"VADER {split} text\n")
    modern_corpora.modern_documents.cache_clear()
    try:
        out, dropped, held = pretrain_data.training_documents({"bbc": 0.5, "vader": 0.5})
    finally:
        modern_corpora.modern_documents.cache_clear()
    assert dropped["bbc"] == 1
    assert docs[7] not in out["bbc"]
    held_back = [d for i, d in enumerate(docs) if i != 7 and modern_corpora.held_out(d)]
    assert held_back and not set(held_back) & set(out["bbc"])
    assert sorted(out["bbc"] + held_back) == sorted(d for i, d in enumerate(docs) if i != 7)
    assert out["vader"] == ["VADER train text"]
    assert held == {"modern": "VADER val text\n"}


def test_encode_corpus_starts_every_document_on_a_new_line(corpus):
    pieces = corpus["pieces"]
    out = pretrain_data.encode_corpus(pieces, {"imdb": ["A good film.", "A bad one."]})
    assert out["imdb"].dtype == torch.int32
    assert pieces.decode(out["imdb"].tolist()) == "\nA good film.\nA bad one."


def test_a_saved_pretrained_gpt_loads_with_its_pieces_and_scores_the_same(corpus, tmp_path):
    cfg = config(tmp_path, "run")
    model = pretrain.GPT(len(corpus["pieces"]), pretrain.model_config(cfg)).eval()
    trained = pretrain.Trained(model, corpus["pieces"])
    path = pretrain.save(trained, cfg, {"pretrain_curve": []}, {"bits_per_char": 1.0}, tmp_path / "g.safetensors")
    loaded = pretrain.load(path)
    assert loaded.trained.vocab.spec == corpus["pieces"].spec
    assert loaded.meta["recipe"] == dataclasses.asdict(cfg)
    assert same_weights(loaded.trained.model.state_dict(), {k: v.half().float() for k, v in model.state_dict().items()})
    text = "A fine film with a good plot."
    model.load_state_dict({k: v.half().float() for k, v in model.state_dict().items()})
    expected = round(probe.held_out_bits(model, corpus["pieces"], text), 4)
    assert pretrain.evaluate(loaded.trained, text.encode()) == {"bits_per_char": expected, "n_chars": len(text)}
