"""The sensing-to-action coordinator (PAPERS.md section 5): watch every stream, keep the blimp flying.

Terminology:
    stream: one input topic's samples (altitude range, place matches, gesture labels, event packets);
        a *spec* says its rate, deadline and plausibility, a *monitor* its state (streams).
    health: whether the SNN controller answers in time with finite, bounded, converging commands (health).
    mode: NOMINAL, DEGRADED, FALLBACK or SAFE, from the stream and health states, with hysteresis (modes).
    arbiter: picks the command that flies: the SNN's, the warm PID's, or the safe descent (fallback).
    policy: action-to-sensing: which place modules to search, how much of the event stream to keep,
        how tight the altitude deadline is (policies); gestures map to set-points (gestures).
    decision: what one ``Coordinator.tick(now_s)`` returns (coordinator); report: per-fault times.

No ROS here: the coordinator node is an adapter that feeds messages in and publishes decisions.
"""
