"""A small sentence encoder that reads a message as a whole, beside the n-gram scorer.

The n-gram scorer (:mod:`unshared.analysis.signal_scorer`) knows the words and phrases it was
trained on; an offender's sentence in words it has never seen ("I was paid to make your evening
a short one") shares few of them. A transformer encoder reads the sentence with the meaning of
each word learnt from a large amount of general text, so it holds better on unseen wording. This
one is all-MiniLM-L6-v2 (6 layers, 384 wide, Apache-2.0) fine-tuned on the labelled corpus for
one question, *is this line coercive at all*, by ``tools/train_encoder.py``; its weights ship in
the package (``analysis/data/signals/encoder.npz``, int8 with a scale per row) and run here in
plain numpy, with the Hugging Face ``tokenizers`` library for its WordPiece vocabulary. No model
is downloaded and no deep-learning framework is needed at run time.

It is slow next to the n-gram scorer (milliseconds a message, not microseconds), so the reader
asks it only about messages the n-gram scorer already finds possibly coercive
(:mod:`unshared.analysis.signal_blend`).
"""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np
import numpy.typing as npt

from unshared.analysis.disguise import undisguise
from unshared.analysis.signal_language import encoder_language

__all__ = [
    "DEV_FOLD",
    "MAX_TOKENS",
    "MIN_WORDS",
    "EncoderModel",
    "latin",
    "load_encoder",
    "preload_encoder",
    "plain",
    "quantise",
    "reads",
]

DEV_FOLD = 0
"""The fold (of ``signal_training``'s five) the encoder never trains on: its dev split."""
MAX_TOKENS = 128
"""Word pieces read per message (a longer one is cut: its start carries the threat)."""
BATCH = 32
_HEADS = 12
_EPS = 1e-12
_FILE = "encoder.npz"
_DATE = (2026, 1, 1, 0, 0, 0)


def plain(text: str) -> str:
    """What the encoder reads: the message's plain form (disguised letters undone)."""
    return undisguise(text).text


MIN_WORDS = 4
"""The encoder reads only messages of at least this many words: on two- or three-word lines
("hello world", "who is this") its mean over so few word pieces is unreliable, and the
n-grams' count floor already reads them with care."""
LATIN_SHARE = 0.5
"""The share of a message's letters (in its plain form) that must be Latin for the encoder to
read it. Its vocabulary is English: Hebrew, Arabic, Cyrillic, Greek or Hangul text becomes one
word piece a letter, which it reads as noise (a Hebrew verse once read to it like a threat), so
the words alone read those messages, and the encoder is not trained on them."""


def _is_latin(ch: str) -> bool:
    o = ord(ch)
    return o < 0x250 or 0x1E00 <= o < 0x1F00 or 0x2C60 <= o < 0x2C80 or 0xA720 <= o < 0xA800


def latin(text: str) -> bool:
    """Whether most of the letters of ``text``'s plain form (look-alikes undone) are Latin ones;
    true when it has none."""
    if text.isascii():
        return True
    letters = [ch for ch in plain(text) if ch.isalpha()]
    return sum(map(_is_latin, letters)) >= LATIN_SHARE * len(letters)


def reads(text: str) -> bool:
    """Whether the encoder is asked about ``text`` at all: :data:`MIN_WORDS` words or more,
    :func:`latin`, and in one of the languages it learned
    (:func:`~unshared.analysis.signal_language.encoder_language`)."""
    return len(text.split()) >= MIN_WORDS and latin(text) and encoder_language(text)


def text_key(text: str) -> bytes:
    """A 16-byte key of a corpus line, to store its dev score without its words."""
    return hashlib.sha256(text.encode("utf-8")).digest()[:16]


def quantise(state: Mapping[str, npt.NDArray[np.float32]], max_tokens: int) -> dict[str, Any]:
    """The arrays of the file from a fine-tuned BERT state dict: every matrix as int8 with a
    float32 scale per row, vectors as float32; position embeddings cut to ``max_tokens`` with the
    (only) token type folded in."""
    out: dict[str, Any] = {}
    for name, value in state.items():
        if name.endswith("position_ids") or name.endswith("token_type_embeddings.weight"):
            continue
        value = np.asarray(value, dtype=np.float32)
        if name == "embeddings.position_embeddings.weight":
            value = value[:max_tokens] + state["embeddings.token_type_embeddings.weight"][0]
        if value.ndim == 2:
            scale = np.maximum(np.abs(value).max(axis=1), 1e-12) / 127.0
            out[name + ".q"] = np.round(value / scale[:, None]).astype(np.int8)
            out[name + ".s"] = scale.astype(np.float32)
        else:
            out[name] = value
    return out


def _erf(x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """erf to 1.5e-7 (Abramowitz and Stegun 7.1.26), for the exact GELU BERT uses; computed in
    place on a few buffers (it is a tenth of the encoder's time)."""
    a = np.abs(x)
    t = a * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    a *= a
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a
    np.subtract(np.float32(1.0), poly, out=poly)
    np.copysign(poly, x, out=poly)
    return poly


def _layer_norm(
    x: npt.NDArray[Any], gamma: npt.NDArray[np.float32], beta: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + _EPS) * gamma + beta, dtype=np.float32)


@dataclass(frozen=True)
class _Layer:
    qkv: npt.NDArray[np.float32]  # (384, 3 * 384)
    qkv_bias: npt.NDArray[np.float32]
    out: npt.NDArray[np.float32]
    out_bias: npt.NDArray[np.float32]
    norm1: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]
    up: npt.NDArray[np.float32]
    up_bias: npt.NDArray[np.float32]
    down: npt.NDArray[np.float32]
    down_bias: npt.NDArray[np.float32]
    norm2: tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]


class EncoderModel:
    """The fine-tuned encoder: :meth:`logits` of "coercive at all" for a batch of texts."""

    def __init__(self, arrays: Mapping[str, Any], tokenizer_json: bytes, meta: dict[str, Any]):
        from tokenizers import Tokenizer

        self.meta = meta
        self.sha256 = ""  # of the file it was read from
        self.max_tokens = int(meta.get("max_tokens", MAX_TOKENS))
        self._tok = Tokenizer.from_str(tokenizer_json.decode("utf-8"))
        self._tok.enable_truncation(self.max_tokens)
        self._tok.no_padding()

        def mat(name: str, transpose: bool = True) -> npt.NDArray[np.float32]:
            w = arrays[name + ".q"].astype(np.float32) * arrays[name + ".s"][:, None]
            return np.ascontiguousarray(w.T if transpose else w, dtype=np.float32)

        def vec(name: str) -> npt.NDArray[np.float32]:
            return np.asarray(arrays[name], dtype=np.float32)

        # Word embeddings stay int8 (30,522 rows): only the rows a batch uses are scaled.
        self._words_q = np.asarray(arrays["embeddings.word_embeddings.weight.q"], dtype=np.int8)
        self._words_s = np.asarray(arrays["embeddings.word_embeddings.weight.s"], dtype=np.float32)
        self._positions = mat("embeddings.position_embeddings.weight", transpose=False)
        self._norm0 = (vec("embeddings.LayerNorm.weight"), vec("embeddings.LayerNorm.bias"))
        layers = []
        k = 0
        while f"encoder.layer.{k}.attention.self.query.weight.q" in arrays:
            p = f"encoder.layer.{k}."
            att = p + "attention."
            layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(
                        np.concatenate(
                            [mat(att + f"self.{n}.weight") for n in ("query", "key", "value")],
                            axis=1,
                        )
                    ),
                    qkv_bias=np.concatenate(
                        [vec(att + f"self.{n}.bias") for n in ("query", "key", "value")]
                    ),
                    out=mat(att + "output.dense.weight"),
                    out_bias=vec(att + "output.dense.bias"),
                    norm1=(
                        vec(att + "output.LayerNorm.weight"),
                        vec(att + "output.LayerNorm.bias"),
                    ),
                    up=mat(p + "intermediate.dense.weight"),
                    up_bias=vec(p + "intermediate.dense.bias"),
                    down=mat(p + "output.dense.weight"),
                    down_bias=vec(p + "output.dense.bias"),
                    norm2=(vec(p + "output.LayerNorm.weight"), vec(p + "output.LayerNorm.bias")),
                )
            )
            k += 1
        self._layers = tuple(layers)
        self._head = vec("head.weight")
        self._head_bias = float(vec("head.bias")[0])
        keys = arrays.get("dev_keys")
        self.dev: dict[bytes, float] = (
            {
                # numpy's fixed-width bytes drop trailing zero bytes: put them back
                bytes(k).ljust(16, b"\0"): float(v)
                for k, v in zip(keys, arrays["dev_logits"], strict=True)
            }
            if keys is not None
            else {}
        )

    def logits(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """The coercion logit of each text (read in its plain form), in batches of similar
        length so that little padding is computed."""
        out = np.zeros(len(texts), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tok.encode_batch([plain(t) for t in texts])]
        order = sorted(range(len(texts)), key=lambda i: len(ids[i]))
        for start in range(0, len(order), BATCH):
            idx = order[start : start + BATCH]
            out[idx] = self._forward([ids[i] for i in idx])
        return out

    def _forward(self, batch: Sequence[Sequence[int]]) -> npt.NDArray[np.float32]:
        n, width = len(batch), max(len(b) for b in batch)
        tokens = np.zeros((n, width), dtype=np.int64)
        mask = np.zeros((n, width), dtype=np.float32)
        for i, b in enumerate(batch):
            tokens[i, : len(b)] = b
            mask[i, : len(b)] = 1.0
        words = self._words_q[tokens].astype(np.float32) * self._words_s[tokens][:, :, None]
        x = _layer_norm(words + self._positions[:width], *self._norm0)
        hidden = x.shape[-1]
        size = hidden // _HEADS
        pad = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self._layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            qkv = qkv.reshape(n, width, 3, _HEADS, size).transpose(2, 0, 3, 1, 4)
            q, k, v = qkv[0], qkv[1], qkv[2]
            scores = (q @ k.transpose(0, 1, 3, 2)) * np.float32(1.0 / np.sqrt(size)) + pad
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(n, width, hidden)
            x = _layer_norm(x + context @ layer.out + layer.out_bias, *layer.norm1)
            h = x @ layer.up + layer.up_bias
            h = np.asarray(
                np.float32(0.5) * h * (np.float32(1.0) + _erf(h * np.float32(0.7071067811865476))),
                dtype=np.float32,
            )
            x = _layer_norm(x + h @ layer.down + layer.down_bias, *layer.norm2)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return np.asarray(pooled @ self._head + self._head_bias, dtype=np.float32)

    # ------------------------------------------------------------------ file
    @staticmethod
    def save(
        fh: Any, arrays: Mapping[str, Any], tokenizer_json: bytes, meta: dict[str, Any]
    ) -> None:
        """One zip with fixed dates: each array as ``.npy``, ``tokenizer.json``, ``meta.json``."""
        with zipfile.ZipFile(fh, "w", zipfile.ZIP_DEFLATED) as zf:
            for name in sorted(arrays):
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.asarray(arrays[name]), allow_pickle=False)
                # stored, not deflated: int8 weights hardly compress, and inflating them would
                # double the load time
                zf.writestr(
                    zipfile.ZipInfo(name + ".npy", _DATE), buf.getvalue(), zipfile.ZIP_STORED
                )
            zf.writestr(
                zipfile.ZipInfo("tokenizer.json", _DATE), tokenizer_json, zipfile.ZIP_DEFLATED
            )
            meta_bytes = json.dumps(meta, sort_keys=True).encode()
            zf.writestr(zipfile.ZipInfo("meta.json", _DATE), meta_bytes, zipfile.ZIP_DEFLATED)

    @classmethod
    def read(cls, fh: Any) -> EncoderModel:
        with zipfile.ZipFile(fh) as zf:
            arrays = {
                n[: -len(".npy")]: np.lib.format.read_array(
                    io.BytesIO(zf.read(n)), allow_pickle=False
                )
                for n in zf.namelist()
                if n.endswith(".npy")
            }
            return cls(arrays, zf.read("tokenizer.json"), json.loads(zf.read("meta.json")))

    @staticmethod
    def read_meta(path: Any) -> dict[str, Any]:
        with zipfile.ZipFile(path) as zf:
            meta: dict[str, Any] = json.loads(zf.read("meta.json"))
            return meta


_loading = threading.Lock()


@lru_cache(maxsize=1)
def _packaged() -> EncoderModel | None:
    ref = resources.files("unshared.analysis") / "data" / "signals" / _FILE
    if not ref.is_file():
        return None
    data = ref.read_bytes()
    model = EncoderModel.read(io.BytesIO(data))
    model.sha256 = hashlib.sha256(data).hexdigest()
    return model


def load_encoder() -> EncoderModel | None:
    """The packaged encoder, or None if this install has none (read once, whichever thread
    asks first)."""
    with _loading:
        return _packaged()


def preload_encoder() -> None:
    """Read the packaged encoder in a background thread (the first :func:`load_encoder` waits
    for it): numpy unpacks its weights mostly without holding the interpreter."""
    if _packaged.cache_info().currsize == 0:
        threading.Thread(target=load_encoder, name="unshared-encoder", daemon=True).start()
