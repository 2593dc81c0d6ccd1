"""Streaming SpikePoint: events in, one decision per completed window out (no ROS).

Windows of ``window_s`` every ``stride_s`` (0.5 s / 0.25 s), anchored at the first event seen.
Window k, [t_k, t_k + window_s) with t_k = anchor + k stride_s, is complete once an event at or
after its end has arrived (or a packet stamped at or after its end, ``push(..., now_s)``). Its
points are sampled as the offline evaluation samples window k of a recording that starts at the
anchor (same generator, :func:`snn_control.perception.spikepoint.data.window_rng`), and its input
spikes come from a generator of its own (seed and window index); a test holds the two together.

Work per :meth:`StreamRecognizer.push` is bounded: at most ``max_windows_per_push`` windows go
through the network (the newest; older complete windows are reported as skipped, "backlog"), the
buffer keeps only events of windows not yet complete and at most ``max_buffer_events`` of them
(a burst is thinned at random), and a stretch of windows without events is reported as one
skipped decision however long it is. Windows with fewer than ``min_events`` events are skipped
with the reason. Events older than the next window to complete are dropped (counted in
``dropped_late``); a jump back in time by more than a window (a replay restarting) restarts
the stream.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from snn_control.perception.events.types import EVENT_DTYPE
from snn_control.perception.spikepoint.artifact import load_model
from snn_control.perception.spikepoint.data import window_rng
from snn_control.perception.spikepoint.early_exit import run_early_exit
from snn_control.perception.spikepoint.model import SpikePoint
from snn_control.perception.spikepoint.preprocess import preprocess_window, slice_window


@dataclass(frozen=True)
class Decision:
    """The outcome of one window (or, when skipped for lack of events, of a run of windows).

    ``label`` is None when the window was skipped, and ``reason`` says why; ``scores`` are the
    class vote rates in class order (empty when skipped); ``steps_used`` the time steps run.
    """

    label: str | None
    scores: tuple[float, ...]
    window_start_s: float
    window_end_s: float
    n_events: int
    steps_used: int
    reason: str = ""


class StreamRecognizer:
    """SpikePoint over a live event stream (module docstring).

    Args:
        model_artifact: a model path (None: the shipped model) or a loaded :class:`SpikePoint`.
        early_exit: confidence threshold in (0, 1]; None or 0 runs all T steps.
        samplings: K > 1 averages each window's class scores over K independent draws of its points
            and input spikes (K times the work; not with ``early_exit``).
        seed: seeds the point sampling and the input spikes of each window.
        max_windows_per_push: most windows classified per push.
        max_buffer_events: most events held.
        num_threads: sets torch's (process-wide) thread count when given.
    """

    def __init__(self, model_artifact: str | Path | SpikePoint | None = None, early_exit: float | None = None,
                 seed: int = 0, max_windows_per_push: int = 4, max_buffer_events: int = 2_000_000,
                 num_threads: int | None = None, samplings: int = 1) -> None:
        self.model = model_artifact if isinstance(model_artifact, SpikePoint) else load_model(model_artifact)[0]
        self.model.eval()
        self.cfg = self.model.cfg
        if early_exit is not None and not (0.0 <= early_exit <= 1.0 and math.isfinite(early_exit)):
            raise ValueError(f"early_exit must be in (0, 1] (None or 0: off), got {early_exit}")
        if isinstance(samplings, bool) or not isinstance(samplings, int) or samplings < 1:
            raise ValueError(f"samplings must be an integer >= 1, got {samplings!r}")
        if samplings > 1 and early_exit:
            raise ValueError("samplings > 1 does not combine with early_exit (yet)")
        if max_windows_per_push < 1 or max_buffer_events < self.cfg.points:
            raise ValueError("max_windows_per_push must be >= 1 and max_buffer_events >= the model's points")
        self.early_exit = early_exit or None
        self.samplings = samplings
        self.seed = int(seed)
        self.max_windows_per_push = int(max_windows_per_push)
        self.max_buffer_events = int(max_buffer_events)
        if num_threads is not None:
            torch.set_num_threads(int(num_threads))
        self._thin_rng = np.random.default_rng([self.seed, 1])
        self.dropped_late = 0  # events older than the next window to complete (over the recognizer's life)
        self.dropped_burst = 0  # events thinned out of an overfull buffer
        self.restarts = 0  # jumps back in time by more than a window (the stream started over)
        self.reset()

    def reset(self) -> None:
        """Forget the stream (the next event anchors a new window grid); the counters stay."""
        self._buffer = np.empty(0, dtype=EVENT_DTYPE)
        self._anchor: float | None = None
        self._next = 0
        self._latest = -math.inf

    def _start(self, k: int) -> float:
        return self._anchor + k * self.cfg.stride_s

    def push(self, events: np.ndarray, now_s: float | None = None) -> list[Decision]:
        """Add a packet of events; returns the decisions of the windows it completed, oldest first.

        ``now_s`` is the stream time the packet covers up to (a message's stamp): windows that end
        at or before it complete even if no later event has come, and an empty first packet
        anchors the window grid there. Without it, only events move the stream's time.
        """
        if events.dtype != EVENT_DTYPE:
            raise ValueError(f"events must have EVENT_DTYPE, got {events.dtype}")
        if now_s is not None and not math.isfinite(now_s):
            raise ValueError(f"now_s must be finite, got {now_s}")
        if len(events) == 0:
            if now_s is None:
                return []
            if self._anchor is None:
                self._anchor = float(now_s)
            self._latest = max(self._latest, float(now_s))
            return self._emit()
        t = events["t"]
        if np.any(t[1:] < t[:-1]):
            events = events[np.argsort(t, kind="stable")]
        if self._anchor is not None and events["t"][0] < self._latest - self.cfg.window_s:
            self.restarts += 1
            self.reset()
        if self._anchor is None:
            self._anchor = float(events["t"][0])
        late = events["t"] < self._start(self._next)
        if late.any():
            self.dropped_late += int(late.sum())
            events = events[~late]
        if len(events):
            buf = np.concatenate([self._buffer, events])
            if len(self._buffer) and events["t"][0] < self._buffer["t"][-1]:
                buf = buf[np.argsort(buf["t"], kind="stable")]
            if len(buf) > self.max_buffer_events:
                keep = np.sort(self._thin_rng.choice(len(buf), self.max_buffer_events, replace=False))
                self.dropped_burst += len(buf) - len(keep)
                buf = buf[keep]
            self._buffer = buf
            self._latest = max(self._latest, float(buf["t"][-1]))
        if now_s is not None:
            self._latest = max(self._latest, float(now_s))
        return self._emit()

    def _emit(self) -> list[Decision]:
        cfg = self.cfg
        last = math.floor((self._latest - self._anchor - cfg.window_s) / cfg.stride_s + 1e-9)
        if last < self._next:
            return []
        t = self._buffer["t"]
        out: list[tuple[int, Decision]] = []
        ready, k = [], self._next
        while k <= last:
            t0 = self._start(k)
            sl = slice_window(t, t0, t0 + cfg.window_s)
            if sl.stop > sl.start:
                ready.append((k, sl))
                k += 1
                continue
            # no events from t0 on until the next buffered one: every window ending before it is empty
            end = last + 1 if sl.start == len(t) else math.floor(
                (t[sl.start] - self._anchor - cfg.window_s) / cfg.stride_s + 1e-9) + 1
            end = min(max(end, k + 1), last + 1)
            reason = "no events" if end - k == 1 else f"no events ({end - k} windows)"
            out.append((k, Decision(None, (), t0, self._start(end - 1) + cfg.window_s, 0, 0, reason)))
            k = end
        dense = [k for k, sl in ready if sl.stop - sl.start >= cfg.min_events]
        run = set(dense[-self.max_windows_per_push:])
        for k, sl in ready:
            t0, n = self._start(k), sl.stop - sl.start
            if n < cfg.min_events:
                out.append((k, Decision(None, (), t0, t0 + cfg.window_s, n, 0,
                                        f"too few events ({n} < {cfg.min_events})")))
            elif k not in run:
                out.append((k, Decision(None, (), t0, t0 + cfg.window_s, n, 0,
                                        f"backlog (more than {self.max_windows_per_push} windows in one push)")))
            else:
                out.append((k, self._classify(k, self._buffer[sl])))
        self._next = last + 1
        self._buffer = self._buffer[slice_window(t, self._start(self._next), math.inf).start:]
        return [d for _, d in sorted(out, key=lambda kd: kd[0])]

    @torch.no_grad()
    def _classify(self, k: int, events: np.ndarray) -> Decision:
        cfg = self.cfg
        t0, t1 = self._start(k), self._start(k) + cfg.window_s
        rates = None
        for j in range(self.samplings):  # draw j of the points (stream j) and of the input spikes
            local, cent = (torch.from_numpy(a) for a in preprocess_window(events, t0, t1, cfg,
                                                                           window_rng(self.seed, j, k)))
            gen = torch.Generator().manual_seed(self.seed * 1_000_003 + k + 7_919 * j)
            r, steps = run_early_exit(self.model, local, cent, self.early_exit, gen)  # step by step
            rates = r if rates is None else rates + r
        rates = rates / self.samplings
        scores = tuple(float(x) for x in rates[0])
        if max(scores) <= 0.0:  # no voter spiked: argmax would name the first class for nothing
            return Decision(None, scores, t0, t1, len(events), int(steps[0]), "no voter spiked")
        return Decision(cfg.classes[int(np.argmax(scores))], scores, t0, t1, len(events), int(steps[0]))
