"""Checkpoints: weights as safetensors, settings and results as JSON, each written atomically.

The JSON (config, vocabulary, training history, metrics) is stored twice: inside the safetensors
header, so that weights and their description are replaced by one atomic rename, and beside it as
`NAME.json` for people to read. Loading trusts the copy inside the weights file.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, safe_open, save_file

from engine.common.messages import Keyed

# The shipped checkpoints; UNROLLED_ASSETS points a server or a test at another folder.
ASSETS = Path(os.environ.get("UNROLLED_ASSETS") or Path(__file__).resolve().parents[2] / "assets")
_META_KEY = "unrolled"


class CheckpointError(Keyed, RuntimeError):
    """A checkpoint is missing or unreadable; the message says how to rebuild it."""


def checkpoint_path(name: str, directory: Path | None = None) -> Path:
    """The weights file of the shipped checkpoint `name`."""
    return (directory or ASSETS) / f"{name}.safetensors"


def _atomic_write(path: Path, write: Any) -> None:
    """Call write(tmp_path), then rename tmp over path so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; checkpoints are shared files
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def save_checkpoint(path: Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> None:
    """Write weights (with meta in their header) and a readable JSON copy beside them."""
    text = json.dumps(meta, indent=2, sort_keys=True)
    contiguous = {k: v.detach().contiguous().cpu() for k, v in tensors.items()}
    _atomic_write(path, lambda tmp: save_file(contiguous, tmp, metadata={_META_KEY: text}))
    _atomic_write(path.with_suffix(".json"), lambda tmp: Path(tmp).write_text(text + "\n"))


def load_checkpoint(path: Path, rebuild: str) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read weights and meta; raise CheckpointError naming `rebuild` (a command) if unusable."""
    if not path.is_file():
        raise CheckpointError(
            "Checkpoint {name} is missing. Rebuild it with: {rebuild}",
            key="common.errors.checkpoint_missing",
            name=path.name,
            rebuild=rebuild,
        )
    try:
        with safe_open(str(path), framework="pt") as f:
            meta = json.loads((f.metadata() or {})[_META_KEY])
        tensors = load_file(str(path))
    except (SafetensorError, KeyError, ValueError, OSError) as err:
        raise CheckpointError(
            "Checkpoint {name} is unreadable ({reason}). Rebuild it with: {rebuild}",
            key="common.errors.checkpoint_unreadable",
            name=path.name,
            reason=type(err).__name__,
            rebuild=rebuild,
        ) from err
    return tensors, meta


def save_trained(name: str, tensors: dict[str, torch.Tensor], meta: dict[str, Any], path: Path | None = None) -> Path:
    """Save a trained model as checkpoint `name` (or at `path`) with `meta` (config, history, metrics...)."""
    path = path or checkpoint_path(name)
    save_checkpoint(path, tensors, {"name": name, **meta})
    return path


def load_trained(
    name: str, rebuild: str, build: Callable[[dict[str, Any]], torch.nn.Module], path: Path | None = None
) -> tuple[torch.nn.Module, dict[str, Any]]:
    """The module `build(meta)` with the checkpoint's weights, in eval mode and frozen; CheckpointError if unusable."""
    tensors, meta = load_checkpoint(path or checkpoint_path(name), rebuild)
    model = build(meta)
    try:
        model.load_state_dict(tensors)
    except RuntimeError as err:
        raise CheckpointError(
            "Checkpoint {name} does not fit its model ({reason}). Rebuild it with: {rebuild}",
            key="common.errors.checkpoint_mismatch",
            name=name,
            reason=str(err),
            rebuild=rebuild,
        ) from err
    return model.eval().requires_grad_(False), meta
