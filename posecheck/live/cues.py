"""What to say and when: checker events become spoken cues, one at a time, never nagging.

Policy
------
- One cue at a time: nothing starts while the voice is still speaking.
- By priority: the exercise's name > setup guidance > form faults > "switch sides" > "ten seconds left" > rep counts.
- Each cue has a cooldown (default 8 s): the same words are never spoken twice within it.
- Conditions (setup guidance, an active fault) stay offered while they last, so a fault that
  persists is repeated at most once per cooldown.
- One-shot instructions ("Go", a rest announcement, "ten seconds left", "Well done") wait in a
  queue, by priority and then in the order they were decided; they are never dropped. Two
  decided in the same frame ("Hold still for a moment", "Go") are said in that order.
- A one-shot cue whose words were said within the cooldown is skipped (a fault that comes
  back is not repeated sooner).
- A rep count still waiting when the next count of the same side arrives is replaced by it
  ("left three" instead of "left two, left three"); the replaced count is recorded in
  :attr:`CueScheduler.skipped` with the reason, so every cue decided is said or skipped.
- Silent while form is fine: nothing is said except counts and milestones.

Example
-------
>>> from posecheck.live.speech import NullVoice
>>> cues = CueScheduler(NullVoice(), cooldown=8.0)
>>> cues.offer("fault:knee", "Knee to hip height", "fault", now=0.0)
>>> cues.tick(0.0).text
'Knee to hip height'
>>> cues.offer("fault:knee", "Knee to hip height", "fault", now=1.0)
>>> cues.tick(1.0) is None
True
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable

from posecheck.live.speech import Voice

#: Higher speaks first.
PRIORITY: dict[str, int] = {"title": 60, "setup": 50, "fault": 40, "side_switch": 35, "ready": 32,
                            "time_left": 30, "done": 25, "rep": 20}
#: Seconds left in a hold at which "ten seconds left" is said.
TIME_LEFT_AT = 10.0

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()


def number_words(n: int) -> str:
    """0..999 in English words ("twenty one"); larger numbers as digits."""
    if n < 0 or n > 999:
        return str(n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        return _TENS[n // 10] + ("" if n % 10 == 0 else " " + _ONES[n % 10])
    rest = n % 100
    return _ONES[n // 100] + " hundred" + ("" if rest == 0 else " and " + number_words(rest))


@dataclass(frozen=True)
class Cue:
    """A cue: ``key`` identifies the offer, ``kind`` sets its priority and tone; the cooldown
    applies to its ``text``. ``order`` breaks ties: earlier decisions first. ``replaces``: a
    waiting one-shot cue with this key is superseded by this one (a newer rep count)."""

    key: str
    text: str
    kind: str
    offered: float
    order: int = 0
    replaces: str = ""

    @property
    def priority(self) -> int:
        return PRIORITY.get(self.kind, 0)


@dataclass(frozen=True)
class Said:
    """A cue that was spoken (``time`` on the session clock) or deliberately skipped
    (``reason`` says why)."""

    time: float
    key: str
    text: str
    kind: str
    reason: str = ""


@dataclass
class CueScheduler:
    """Chooses the one cue to speak now.

    voice : plays the cue (non-blocking); asked ``busy()`` before each new cue.
    cooldown : seconds before the same words may be spoken again (whatever offered them).
    clock : seconds; only used when ``tick``/``offer`` get no explicit ``now``.
    spoken, skipped : what was said, and the one-shot cues deliberately not said (with why).
    """

    voice: Voice
    cooldown: float = 8.0
    clock: Callable[[], float] = time.monotonic
    spoken: list[Said] = field(default_factory=list)
    skipped: list[Said] = field(default_factory=list)
    _pending: dict[str, Cue] = field(default_factory=dict)
    _conditions: dict[str, Cue] = field(default_factory=dict)
    _last: dict[str, float] = field(default_factory=dict)
    _order: int = 0

    def _cue(self, key: str, text: str, kind: str, now: float | None, replaces: str = "") -> Cue:
        self._order += 1
        return Cue(key, text, kind, self.clock() if now is None else now, self._order, replaces)

    def offer(self, key: str, text: str, kind: str, now: float | None = None,
              replaces: str = "") -> None:
        """Queue a one-shot cue: it is said once, when its turn comes. ``replaces``: the key
        of a waiting cue this one makes obsolete (that one is skipped, and recorded)."""
        if key in self._pending:
            return
        cue = self._cue(key, text, kind, now, replaces)
        since = cue.offered - self._last.get(text, -float("inf"))
        if since < self.cooldown:
            self._skip(cue, cue.offered, f"said {since:.1f} s before (cooldown)")
            return
        old = self._pending.pop(replaces, None) if replaces else None
        if old is not None:
            self._skip(old, cue.offered, f"replaced by {text!r}")
        self._pending[key] = cue

    def hold(self, key: str, text: str, kind: str, now: float | None = None) -> None:
        """Start a condition cue, offered until :meth:`release` (repeats once per cooldown)."""
        if key not in self._conditions:
            self._conditions[key] = self._cue(key, text, kind, now)

    def _skip(self, cue: Cue, now: float, reason: str) -> None:
        self.skipped.append(Said(now, cue.key, cue.text, cue.kind, reason))

    def abandon(self, now: float, reason: str) -> None:
        """Skip every cue still waiting (the session ends), recording ``reason``."""
        for cue in sorted(self._pending.values(), key=lambda c: c.order):
            self._skip(cue, now, reason)
        self._pending.clear()

    def release(self, key: str) -> None:
        """End a condition cue (the fault is fixed, the user is in view)."""
        self._conditions.pop(key, None)

    def release_kind(self, kind: str) -> None:
        """End every condition cue of one kind."""
        for key in [k for k, c in self._conditions.items() if c.kind == kind]:
            self.release(key)

    def reset(self) -> None:
        """End every condition (a new exercise starts); one-shot cues already offered may
        still be said, and cooldowns are kept."""
        self._conditions.clear()

    def tick(self, now: float | None = None) -> Cue | None:
        """Speak the most important cue that may be spoken now; return it, or None."""
        now = self.clock() if now is None else now
        if self.voice.busy():
            return None
        ready = [c for c in (*self._conditions.values(), *self._pending.values())
                 if now - self._last.get(c.text, -float("inf")) >= self.cooldown]
        if not ready:
            return None
        cue = max(ready, key=lambda c: (c.priority, -c.order))
        self._pending.pop(cue.key, None)
        for other in [c for c in self._pending.values() if c.text == cue.text]:
            del self._pending[other.key]            # the same words, decided again: said now
        self._last[cue.text] = now
        self.spoken.append(Said(now, cue.key, cue.text, cue.kind))
        self.voice.say(cue.text, cue.kind)
        return cue


@dataclass
class EventCues:
    """Turns checker events into offers on a :class:`CueScheduler`.

    sides : the spec's side mode ("alternating", "both", "left", ...). Alternating exercises
        name the side in the count ("left three") and do not announce each side change.
    hold_target : seconds of a hold, for "ten seconds left" (None: not a hold).

    Faults of experimental rules are shown, never spoken (they may be wrong).
    """

    scheduler: CueScheduler
    sides: str = "alternating"
    hold_target: float | None = None
    _reps: dict[str, int] = field(default_factory=dict)
    _held_sides: set[str] = field(default_factory=set)
    _time_left_said: bool = False

    def reset(self) -> None:
        """Start counting again (new side or exercise)."""
        self._reps.clear()
        self._held_sides.clear()
        self._time_left_said = False
        self.scheduler.reset()

    def on_event(self, event: Any, now: float | None = None) -> None:
        """Fold one checker event (posecheck.checking.events.Event) into the cue offers."""
        s = self.scheduler
        kind, side, data = event.kind, event.side, event.data
        if kind == "setup":
            s.release_kind("setup")
            if event.message:
                s.hold(f"setup:{event.message}", event.message, "setup", now)
        elif kind in ("ready", "calibrated"):
            s.release_kind("setup")
            if event.message:
                s.offer(f"{kind}:{event.time:.2f}", event.message, "ready", now)
        elif kind == "fault_started" and event.message and \
                data.get("status") != "experimental":
            key = f"fault:{event.rule}:{side}"
            s.hold(key, event.message, "fault", now)
            s.offer(key + ":once", event.message, "fault", now)   # heard even if brief
        elif kind == "fault_ended":
            s.release(f"fault:{event.rule}:{side}")
        elif kind == "rep_rejected" and event.message:
            s.offer(f"rejected:{event.time:.2f}", event.message, "fault", now)
        elif kind == "rep_completed":
            key = side or "total"
            self._reps[key] = int(data.get("count", self._reps.get(key, 0) + 1))
            count = number_words(self._reps[key])
            text = f"{side} {count}" if self.sides == "alternating" and side else count
            s.offer(f"rep:{key}:{self._reps[key]}", text, "rep", now,
                    replaces=f"rep:{key}:{self._reps[key] - 1}")
        elif kind == "side_switch" and self.sides != "alternating" and event.message:
            s.offer(f"switch:{event.time:.2f}", event.message, "side_switch", now)
        elif kind == "hold_started":
            self._time_left_said = False
            if event.message:
                s.offer(f"hold:{event.time:.2f}", event.message, "ready", now)
        elif kind == "hold_progress" and self.hold_target and not self._time_left_said:
            left = self.hold_target - float(data.get("seconds", 0.0))
            if 0.0 < left <= TIME_LEFT_AT < self.hold_target:
                self._time_left_said = True      # progress comes in steps: say what is left
                text = f"{number_words(int(round(left))).capitalize()} seconds left"
                s.offer(f"time_left:{event.time:.2f}", text, "time_left", now)
        elif kind == "hold_completed":
            self._held_sides.add(side or "both")
            other_side_left = self.sides == "alternating" and len(self._held_sides) < 2
            text = "Switch sides" if other_side_left else (event.message or "Done")
            s.offer(f"done:{event.time:.2f}", text, "side_switch" if other_side_left else "done",
                    now)
