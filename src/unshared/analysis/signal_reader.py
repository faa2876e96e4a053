"""Signals from the rules and the learned scorer together, with the conversation as context.

The scorer (:mod:`unshared.analysis.signal_scorer`) gives each stage, and the coercion head
("is this a threat, demand, deadline or intimidation at all?"), a probability from the message's
words and from what the rules say about it (which stages a rule fired for, and whether the text
talks *about* sextortion). A message gets key-stage signals (threat, payment_demand, deadline,
escalation) when the coercion head reaches the threshold chosen on the dev split at training
time (``tools/train_signals.py``; ``threshold`` changes it per call), and the stage models say
which (:func:`~unshared.analysis.signal_decision.decide`); contact, platform_switch and
image_request have their own threshold. So a rule that fires on a friend's joke can be
outweighed, and a threat in words no rule knows can still be flagged.

The rules are slow next to the scorer. When no head could reach its threshold even if every
rule that *might* fire did (:func:`~unshared.analysis.signals.possible_stages`: the stages whose
rules' patterns an RE2 pre-filter finds possible, a superset of what the rules find), the message
has no signal and the rules do not run; on ordinary chat that is nearly every message. The
skipped messages are exactly those the full reading gives no signal (a test keeps the reader as
it was before and compares).

Context: a message is scored with its "follows coercion" features switched on, and the coercion
head's odds raised by the model's ``context_shift`` (fitted on labelled conversations), when one
of the previous ``context`` messages from the same sender was flagged with a threat or a demand.
The victim's own messages, when known, are always read alone.

Reasons: a rule's label and words when a rule fired for the stage; otherwise the closest
labelled example ("reads like: ...") and the words that weighed most. Every signal carries its
``score`` and ``by`` (rules+scorer or scorer) in ``details``.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from unshared.analysis.disguise import undisguise
from unshared.analysis.signal_blend import Blend
from unshared.analysis.signal_decision import decide
from unshared.analysis.signal_encoder import EncoderModel, preload_encoder, reads
from unshared.analysis.signal_language import preload
from unshared.analysis.signal_reach import EVERY_STAGE, reach_table, rows_below
from unshared.analysis.signal_reasons import scorer_reason
from unshared.analysis.signal_rules import KEY_STAGES, load_pack
from unshared.analysis.signal_scorer import (
    RULE_FEATURES,
    ScorerModel,
    load_scorer,
    logit,
    sigmoid,
)
from unshared.analysis.signals import (
    DISGUISED,
    DISGUISED_NOTE,
    detect_payments_made,
    detect_signals,
    payment_details,
    possible_stages,
    rule_reading,
)
from unshared.model import Signal

__all__ = ["COERCION", "SignalReader", "read_signals"]

COERCION = frozenset({"threat", "payment_demand"})
"""Stages that make the sender's next messages read in context."""

REMEMBERED = 4096
"""How many distinct texts' rule readings (and scorer reasons) a reader keeps."""

K = TypeVar("K")
V = TypeVar("V")


@dataclass
class SignalReader:
    """Reads messages in order, remembering each sender's recent flags for context.

    ``context`` is how many previous messages of the same sender count (0: none).
    ``threshold`` overrides the model's default. ``use_scorer=False`` gives the rules alone;
    ``use_encoder=False`` the rules and the n-gram scorer without the sentence encoder.
    """

    lang: str = "en"
    context: int = 0
    threshold: float | None = None
    use_scorer: bool = True
    model: ScorerModel | None = None
    use_encoder: bool = True
    encoder: EncoderModel | None = None  # None: the packaged one
    _blend: Blend | None = None
    _recent: dict[str | None, deque[bool]] = field(default_factory=dict)
    _read: OrderedDict[str, tuple[list[Signal], bool]] = field(default_factory=OrderedDict)
    _reasons: OrderedDict[tuple[str, str, bool], str] = field(default_factory=OrderedDict)
    _sentences: OrderedDict[str, float] = field(default_factory=OrderedDict)

    def __post_init__(self) -> None:
        load_pack(self.lang)  # an unknown language fails here, with the available ones named
        if self.context < 0:
            raise ValueError("context must be 0 or more")
        if self.threshold is not None and not 0.0 < self.threshold < 1.0:
            raise ValueError("threshold must be between 0 and 1")
        if self.use_scorer and self.model is None:
            self.model = load_scorer()
        if self.use_scorer and self.use_encoder and self.model is not None:
            self._blend = Blend.from_meta(self.model.meta.get("blend"))
        if self._blend is not None:
            # the encoder and its language check load in threads while the case is read
            if self.encoder is None:
                preload_encoder()
            preload()

    def _encoder_logits(
        self, texts: Sequence[str], asked: npt.NDArray[np.bool_]
    ) -> npt.NDArray[np.float32] | None:
        """The sentence encoder's coercion logit of the ``asked`` texts (0 elsewhere), or None
        when the packaged encoder is not the one the model's blend was chosen with."""
        from unshared.analysis.signal_encoder import load_encoder

        assert self.model is not None
        if not asked.any():
            return np.zeros(len(texts), dtype=np.float32)
        encoder = self.encoder if self.encoder is not None else load_encoder()
        if encoder is None or encoder.sha256 != self.model.meta.get("encoder_sha256"):
            return None
        out = np.zeros(len(texts), dtype=np.float32)
        idx = [int(i) for i in np.nonzero(asked)[0]]
        # one reading per distinct text, remembered: chats and backlogs repeat themselves
        distinct = list(dict.fromkeys(texts[i] for i in idx))
        new = [t for t in distinct if t not in self._sentences]
        fresh = dict(zip(new, encoder.logits(new).tolist(), strict=True)) if new else {}
        values = {
            t: _remembered(self._sentences, t, partial(fresh.__getitem__, t)) for t in distinct
        }
        for i in idx:
            out[i] = values[texts[i]]
        return out

    def read(
        self,
        texts: Sequence[str],
        senders: Sequence[str | None] | None = None,
        victim: Sequence[bool] | None = None,
    ) -> list[list[Signal]]:
        """Signals of each message, in order (context carries over between calls).

        ``victim`` marks the messages of the person being coerced, when known (a case whose
        owner said which names are theirs): they get no stage, since the one being threatened
        is not the one threatening. Their replies name the sum, the deadline and the police
        ("I can only send 50 today", "delete it by tonight or I go to the police") and read
        like an offender's lines; and a plea that quotes the threat ("please don't send it to
        my family") cannot put their next messages in an offender's context."""
        who: Sequence[str | None] = senders if senders is not None else [None] * len(texts)
        own_side: Sequence[bool] = victim if victim is not None else [False] * len(texts)
        if len(own_side) != len(texts) or len(who) != len(texts):
            raise ValueError("senders and victim need one entry per text")
        if any(own_side):
            texts = ["" if mine else t for t, mine in zip(texts, own_side, strict=True)]
        if not self.use_scorer or self.model is None:
            return [detect_signals(t, self.lang) if t and t.strip() else [] for t in texts]
        model = self.model
        cut, other, pick, logit_cuts = self._cuts(model)
        own, ctx = model.logits(texts, None if self.context else [False] * len(texts))
        heads = model.heads
        boost = reach_table(model.rule_weights)[EVERY_STAGE]  # every positive rule weight, per head
        gate = logit(float(model.meta.get("gate", 0.0))) if model.meta.get("gate") else -np.inf
        shift = float(model.context_shift)
        quiet_alone, quiet_after, masks = self._quiet(texts, own, ctx, logit_cuts)
        c = model.coercion
        readings: dict[tuple[int, bool], tuple[npt.NDArray[np.float32], dict[str, Signal]]] = {}

        def reading(i: int, after: bool) -> tuple[npt.NDArray[np.float32], dict[str, Signal]]:
            """The message's head logits (n-grams, and the rules' inputs when a head could
            reach its cut with them) and the rules that fired, read alone or after coercion."""
            key = (i, after)
            if key not in readings:
                zg = own[i] + ctx[i] if after else own[i]
                z = zg[:heads]
                rules: dict[str, Signal] = {}
                if zg[heads] >= gate and bool((z + boost >= logit_cuts).any()):
                    fired, about = self._rules(texts[i])
                    rules = {s.stage: s for s in fired}
                    inputs = np.zeros(len(RULE_FEATURES), dtype=np.float32)
                    for s in fired:
                        inputs[RULE_FEATURES.index(f"rule:{s.stage}")] = 1.0
                    inputs[RULE_FEATURES.index("about_sextortion")] = float(about)
                    z = z + inputs @ model.rule_weights
                readings[key] = (z, rules)
            return readings[key]

        # The blend, as training chose it: where the coercion logit (with the context shift when
        # read after coercion) reaches the gate, the logit without the shift is mixed with the
        # encoder's, and the shift added after (the encoder reads the message alone).
        blend = self._blend
        sentences: dict[int, float] = {}
        if blend is not None:
            gate_z = blend.gate_logit
            reach = reach_table(model.rule_weights)[:, c]

            def may_reach(i: int, after: bool) -> bool:
                """Whether the message's coercion logit could reach the gate if every rule that
                might fire did: a bound, told before any rule runs."""
                if not texts[i]:
                    return False
                bound = float(own[i, c]) + (float(ctx[i, c]) if after else 0.0)
                if bound + reach[masks[i]] < gate_z or not reads(texts[i]):
                    return False
                if masks[i] == EVERY_STAGE:  # not asked yet which rules might fire
                    masks[i] = self._possible(texts[i])
                return bool(bound + reach[masks[i]] >= gate_z)

            # Read alone, the messages the encoder is needed for are known now: one batch.
            asked = np.array(
                [
                    may_reach(i, False) and reading(i, False)[0][c] >= gate_z
                    for i in range(len(texts))
                ],
                dtype=bool,
            )
            got = self._encoder_logits(texts, asked)
            if got is None:
                blend = None  # the model's blend belongs to another encoder: n-grams alone
            else:
                sentences = {int(i): float(got[i]) for i in np.nonzero(asked)[0]}
                quiet_alone = [
                    q and not a for q, a in zip(quiet_alone, asked.tolist(), strict=True)
                ]
                # read after coercion, a message may need it too (asked then, rarely)
                quiet_after = [q and not may_reach(i, True) for i, q in enumerate(quiet_after)]
        out: list[list[_Draft]] = []
        for i, text in enumerate(texts):
            sender = who[i]
            if not text or not text.strip():
                out.append([])
                self._remember(sender, False)
                continue
            after = not own_side[i] and self._follows_coercion(sender)
            if quiet_after[i] if after else quiet_alone[i]:
                out.append([])  # no head can reach its threshold, whatever the rules say
                self._remember(sender, False)
                continue
            z, rules = reading(i, after)
            lift = shift if after else 0.0
            bare_z = float(z[c]) - lift if after else None
            sentence: float | None = None
            if blend is not None and float(z[c]) >= blend.gate_logit and reads(text):
                unshifted = float(z[c]) - lift
                e = sentences.get(i)
                if e is None:  # read after coercion: not foreseen in the batch
                    got = self._encoder_logits([text], np.ones(1, dtype=bool))
                    if got is not None:
                        e = sentences[i] = float(got[0])
                if e is not None:
                    mixed = blend.mix(unshifted, e)
                    z = z.copy()
                    z[c] = np.float32(mixed + lift)
                    bare_z = mixed if after else None
                    sentence = float(sigmoid(np.array([e], dtype=np.float32))[0])
                else:
                    blend = None  # the model's blend belongs to another encoder: n-grams alone
            p = sigmoid(z)
            bare = (
                float(sigmoid(np.array([bare_z], dtype=np.float32))[0])
                if bare_z is not None
                else None
            )
            drafts = [
                _Draft(
                    stage,
                    score,
                    rules.get(stage),
                    after,
                    sentence if stage in KEY_STAGES else None,
                )
                for stage, score in decide(
                    p, model.stages, KEY_STAGES, cut, other, pick, bare, rules.keys()
                )
                if not (stage == "payment_demand" and stage not in rules and self._paid(text))
            ]  # "I sent 100 by Western Union": a payment made, not a demand
            out.append(drafts)
            self._remember(sender, not own_side[i] and any(d.stage in COERCION for d in drafts))
        # The scorer's reasons of the whole batch from one reading of the flagged texts' features.
        reasons = self._scorer_reasons(
            [(texts[i], d.stage, d.after) for i, ds in enumerate(out) for d in ds if d.rule is None]
        )
        return [
            [
                self._signal(
                    texts[i],
                    d.stage,
                    d.score,
                    d.rule,
                    d.after,
                    d.sentence,
                    reasons.get((texts[i], d.stage, d.after), ""),
                )
                for d in ds
            ]
            for i, ds in enumerate(out)
        ]

    def _cuts(self, model: ScorerModel) -> tuple[float, float, float, npt.NDArray[np.float32]]:
        """The coercion threshold, the other stages' threshold, the key-stage pick, and each
        head's cut as a logit: the coercion head's threshold, the other stages' own, and none for
        the key stages (they are flagged only through the coercion head)."""
        threshold = self.threshold if self.threshold is not None else model.threshold
        other = float(model.meta.get("threshold_other", model.threshold))
        cuts = [np.inf if s in KEY_STAGES else logit(other) for s in model.stages]
        cuts.append(logit(threshold))
        pick = float(model.meta.get("pick", 0.5))
        return threshold, other, pick, np.array(cuts, dtype=np.float32)

    # ------------------------------------------------------------------ helpers
    def _quiet(
        self,
        texts: Sequence[str],
        own: npt.NDArray[np.float32],
        ctx: npt.NDArray[np.float32],
        logit_cuts: npt.NDArray[np.float32],
    ) -> tuple[list[bool], list[bool], npt.NDArray[np.int64]]:
        """Which messages can have no signal (read alone; read after coercion), told before
        any rule runs: each stage's logit plus every positive rule weight of the stages the
        rules *might* find (:func:`possible_stages`, a superset) stays below the stage's cut by
        :data:`QUIET_MARGIN`. What the rules would have added is at most that, so such a message
        would have had no signal either way. Also each message's :func:`possible_stages` mask
        (every stage for those quiet even if every rule fired)."""
        assert self.model is not None
        n = self.model.heads
        table = reach_table(self.model.rule_weights)
        limit = logit_cuts - np.float32(QUIET_MARGIN)
        alone_z = own[:, :n]
        after_z = own[:, :n] + ctx[:, :n] if self.context else alone_z
        # Quiet even if every rule fired: no need to ask which might.
        sure = np.logical_and(
            rows_below(alone_z + table[EVERY_STAGE], limit),
            rows_below(after_z + table[EVERY_STAGE], limit),
        ).tolist()
        masks = np.array(
            [
                EVERY_STAGE if done else self._possible(t)
                for t, done in zip(texts, sure, strict=True)
            ],
            dtype=np.int64,
        )
        reach = table[masks]
        alone = rows_below(alone_z + reach, limit)
        after = rows_below(after_z + reach, limit) if self.context else alone
        return [bool(q) for q in alone.tolist()], [bool(q) for q in after.tolist()], masks

    def _possible(self, text: str) -> int:
        mask = possible_stages(text, self.lang) if text and text.strip() else None
        return EVERY_STAGE if mask is None else mask

    def _follows_coercion(self, sender: str | None) -> bool:
        recent = self._recent.get(sender)
        return bool(self.context and recent and any(recent))

    def _remember(self, sender: str | None, coercive: bool) -> None:
        if not self.context:
            return
        recent = self._recent.get(sender)
        if recent is None:
            recent = self._recent[sender] = deque(maxlen=self.context)
        recent.append(coercive)

    def _rules(self, text: str) -> tuple[list[Signal], bool]:
        """The rules' reading of ``text``, remembered for the last :data:`REMEMBERED` distinct
        texts: chats and backlogs repeat themselves ("ok", "<Media omitted>", spam), and the
        rules are pure, so a text seen again is not read again."""
        return _remembered(self._read, text, lambda: rule_reading(text, self.lang))

    def _paid(self, text: str) -> bool:
        """The rules read ``text`` as saying money was already paid."""
        return bool(detect_payments_made(text, self.lang))

    def _signal(
        self,
        text: str,
        stage: str,
        score: float,
        rule: Signal | None,
        after: bool,
        sentence: float | None,
        scorer_reason: str,
    ) -> Signal:
        """The signal of ``stage``: the rule's words when a rule fired, else ``scorer_reason``."""
        details: list[tuple[str, str]] = [
            ("score", f"{score:.2f}"),
            ("by", "rules+scorer" if rule else "scorer"),
        ]
        if sentence is not None:
            # the sentence encoder's own reading, blended into the score
            details.append(("sentence", f"{sentence:.2f}"))
        if after:
            details.append(("context", "follows a threat or demand from the same sender"))
        if rule is not None:
            return Signal(stage, rule.reason, rule.start, rule.end, (*rule.details, *details))
        if stage == "payment_demand":
            details.extend(payment_details(text, self.lang))
        reason = scorer_reason
        if undisguise(text).changed:
            details.append(DISGUISED)
            reason += DISGUISED_NOTE
        return Signal(stage, reason, -1, -1, tuple(details))

    def _scorer_reasons(
        self, keys: Sequence[tuple[str, str, bool]]
    ) -> dict[tuple[str, str, bool], str]:
        """The scorer's reason for each of ``keys`` (text, stage, read after coercion),
        remembered like the rules' reading (it costs more than the score: the closest labelled
        line and the weightiest words), for the same reason. The texts of those not remembered
        are featurised in one batch: a text alone costs about what a batch of them does."""
        wanted = list(dict.fromkeys(keys))
        # the remembered ones first: remembering the new ones may push them out of the memory
        known: dict[tuple[str, str, bool], str] = {}
        for k in wanted:
            if k in self._reasons:
                self._reasons.move_to_end(k)
                known[k] = self._reasons[k]
        new = [k for k in wanted if k not in known]
        fresh: dict[tuple[str, str, bool], str] = {}
        if new:
            assert self.model is not None
            distinct = list(dict.fromkeys(text for text, _, _ in new))
            where = {text: i for i, text in enumerate(distinct)}
            batch = self.model.spanned(distinct)
            fresh = {
                (text, stage, after): scorer_reason(
                    self.model, text, stage, after, batch.of(where[text])
                )
                for text, stage, after in new
            }
        for k in new:
            known[k] = _remembered(self._reasons, k, partial(fresh.__getitem__, k))
        return known


@dataclass(frozen=True, slots=True)
class _Draft:
    """A stage decided for a message, before its reason is written."""

    stage: str
    score: float
    rule: Signal | None
    after: bool
    sentence: float | None


def _remembered(memory: OrderedDict[K, V], key: K, work: Callable[[], V]) -> V:
    """``work()``'s answer for ``key``, kept in ``memory`` for the last :data:`REMEMBERED` keys
    (the least recently used is dropped first)."""
    seen = memory.get(key)
    if seen is not None:
        memory.move_to_end(key)
        return seen
    seen = memory[key] = work()
    if len(memory) > REMEMBERED:
        memory.popitem(last=False)
    return seen


QUIET_MARGIN = 1e-3
"""How far below its cut (in logits) a stage must stay for a message to be skipped: far more than
float32 rounding, so a skipped message is one the full reading gives no signal."""


def read_signals(
    texts: Sequence[str],
    senders: Sequence[str | None] | None = None,
    *,
    lang: str = "en",
    context: int = 0,
    threshold: float | None = None,
    use_scorer: bool = True,
    use_encoder: bool = True,
) -> list[list[Signal]]:
    """Signals of each message in ``texts`` (one conversation, in order)."""
    reader = SignalReader(
        lang=lang,
        context=context,
        threshold=threshold,
        use_scorer=use_scorer,
        use_encoder=use_encoder,
    )
    return reader.read(texts, senders)
