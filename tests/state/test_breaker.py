"""Circuit-breaker transitions, pure, as properties over random outcome sequences and an explicit clock."""

from __future__ import annotations

import itertools
import threading

from hypothesis import given, settings
from hypothesis import strategies as st

from modelroute.state import BreakerPolicy, BreakerState, MemoryState
from modelroute.state.breaker import CLOSED, admit, blocked_until, record

# Seeded: the same examples on every run (and in CI), so a failure always reproduces.
PROPS = settings(derandomize=True, max_examples=300, deadline=None)
POLICY = BreakerPolicy(failures=3, failure_rate=0.5, min_calls=6, window_s=10.0, open_s=5.0)

# One event: (seconds since the previous event, what happens). "call" asks admission and, if admitted, reports
# the given outcome at once.
outcomes = st.sampled_from(["ok", "failure", "neutral"])
events = st.lists(st.tuples(st.floats(0, 4, allow_nan=False), outcomes), max_size=60)


def run(seq: list[tuple[float, str]], policy: BreakerPolicy = POLICY) -> list[tuple[float, str, BreakerState]]:
    """Drive one breaker; returns (time, verdict, state after) per event."""
    now, state, out = 0.0, CLOSED, []
    for dt, outcome in seq:
        now += dt
        verdict, state = admit(state, policy, now)
        if verdict != "reject":
            state = record(state, policy, now, outcome, probe=verdict == "probe")  # type: ignore[arg-type]
        out.append((now, verdict, state))
    return out


@PROPS
@given(events)
def test_a_closed_breaker_admits_everyone(seq: list[tuple[float, str]]) -> None:
    state, now = CLOSED, 0.0
    for dt, outcome in seq:
        now += dt
        if state.status == "closed":
            assert admit(state, POLICY, now)[0] == "allow"
        verdict, state = admit(state, POLICY, now)
        if verdict != "reject":
            state = record(state, POLICY, now, outcome, probe=verdict == "probe")  # type: ignore[arg-type]


@PROPS
@given(events)
def test_open_means_rejected_until_reopen_then_exactly_one_probe(seq: list[tuple[float, str]]) -> None:
    for now, _, state in run(seq):
        if state.status == "open":
            assert now < state.reopen_at <= now + POLICY.open_s  # open for exactly open_s from when it opened
            assert admit(state, POLICY, now)[0] == "reject"
            assert admit(state, POLICY, state.reopen_at - 1e-6)[0] == "reject"
            verdict, half = admit(state, POLICY, state.reopen_at)
            assert verdict == "probe" and half.status == "half_open"
            # While the probe is out, nobody else gets in.
            assert admit(half, POLICY, state.reopen_at + 0.1)[0] == "reject"
            assert blocked_until(half, state.reopen_at) == state.reopen_at + POLICY.open_s


@PROPS
@given(events)
def test_consecutive_failures_open_it(seq: list[tuple[float, str]]) -> None:
    run_ = run(seq)
    streak = 0
    for (_, verdict, state), (_, outcome) in zip(run_, seq, strict=True):
        if verdict == "allow":
            streak = streak + 1 if outcome == "failure" else (0 if outcome == "ok" else streak)
            if streak >= POLICY.failures:
                assert state.status == "open"
        if state.status != "closed":
            streak = 0


@PROPS
@given(events)
def test_the_probe_decides(seq: list[tuple[float, str]]) -> None:
    for (_, verdict, state), (_, outcome) in zip(run(seq), seq, strict=True):
        if verdict == "probe":
            assert state.status == ("open" if outcome == "failure" else "closed")


@PROPS
@given(st.integers(0, 200))
def test_failure_rate_opens_after_min_calls(n_ok: int) -> None:
    policy = BreakerPolicy(failures=1000, failure_rate=0.5, min_calls=10, window_s=60, open_s=5)
    state, now = CLOSED, 0.0
    for _ in range(n_ok):
        now += 0.01
        state = record(state, policy, now, "ok", probe=False)
    opened_after = None
    for i in range(1, 400):
        now += 0.01
        state = record(state, policy, now, "failure", probe=False)
        if state.status == "open":
            opened_after = i
            break
    total = n_ok + opened_after if opened_after else None
    assert opened_after is not None and total is not None
    assert total >= policy.min_calls and opened_after / total >= 0.5
    assert len(state.buckets) <= 10


def test_old_outcomes_leave_the_window() -> None:
    policy = BreakerPolicy(failures=1000, failure_rate=0.5, min_calls=4, window_s=10, open_s=5)
    state = CLOSED
    for t in (0.0, 0.1, 0.2):
        state = record(state, policy, t, "failure", probe=False)
    state = record(state, policy, 30.0, "failure", probe=False)  # the first three are 30 s old: gone
    assert state.status == "closed" and sum(b[1] for b in state.buckets) == 1


def test_stragglers_do_not_move_an_open_breaker() -> None:
    policy = BreakerPolicy(failures=1, open_s=5)
    opened = record(CLOSED, policy, 0.0, "failure", probe=False)
    assert opened.status == "open"
    assert record(opened, policy, 1.0, "ok", probe=False) is opened
    assert record(opened, policy, 1.0, "failure", probe=False) is opened


def test_disabled_breaker_never_opens() -> None:
    policy = BreakerPolicy(failures=1, enabled=False)
    assert record(CLOSED, policy, 0.0, "failure", probe=False) is CLOSED


@settings(derandomize=True, max_examples=20, deadline=None)
@given(st.integers(2, 8))
def test_memory_state_hands_out_one_probe_across_threads(n: int) -> None:
    store = MemoryState()
    policy = BreakerPolicy(failures=1, open_s=5)
    store.breaker_record("p/m", policy, 0.0, "failure", probe=False)
    verdicts: list[str] = []
    barrier = threading.Barrier(n)

    def ask() -> None:
        barrier.wait()
        verdicts.append(store.breaker_admit("p/m", policy, 6.0))

    threads = [threading.Thread(target=ask) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(verdicts) == ["probe"] + ["reject"] * (n - 1)
    store.breaker_record("p/m", policy, 6.5, "ok", probe=True)
    assert store.breaker("p/m").status == "closed"


def test_a_probe_holds_the_half_open_state_for_its_lease() -> None:
    """A probe waiting on a hung target (its attempt may take 30 s) keeps every other call out for that long,
    not just open_s: a dead target never has two probes in flight."""
    policy = BreakerPolicy(failures=1, open_s=5)
    opened = record(CLOSED, policy, 0.0, "failure", probe=False)
    verdict, half = admit(opened, policy, 5.0, lease_s=30.0)
    assert verdict == "probe" and half.probe_until == 35.0
    assert admit(half, policy, 20.0, lease_s=30.0)[0] == "reject"  # the probe is still waiting on its answer
    verdict, again = admit(half, policy, 35.0, lease_s=30.0)  # it never reported: abandoned, replaced
    assert verdict == "probe" and again.probe_until == 65.0
    assert admit(opened, policy, 5.0, lease_s=1.0)[1].probe_until == 10.0  # never shorter than open_s


@settings(derandomize=True, max_examples=100, deadline=None)
@given(st.floats(5, 600, allow_nan=False), st.floats(0.1, 2.0, allow_nan=False))
def test_default_breaker_probes_a_dead_target_once_per_open_s_and_recovers_within_it(
    outage_s: float, gap_s: float
) -> None:
    """With the default policy, calls every ``gap_s`` against a target dead for ``outage_s``: after the
    failures that open the breaker, at most one probe per open_s reaches it, and once it recovers, a call is
    served by it within open_s (+ one gap)."""
    policy = BreakerPolicy()
    assert policy.open_s == 5.0
    state, now, sent, recovered_at = CLOSED, 0.0, [], None
    while recovered_at is None:
        verdict, state = admit(state, policy, now, lease_s=30.0)
        if verdict != "reject":
            sent.append(now)
            alive = now >= outage_s
            state = record(state, policy, now, "ok" if alive else "failure", probe=verdict == "probe")
            if alive:
                recovered_at = now
        now += gap_s
    probes = [t for t in sent[policy.failures :] if t < outage_s]
    assert all(b - a >= policy.open_s for a, b in itertools.pairwise(probes))
    assert recovered_at - outage_s <= policy.open_s + gap_s


def test_a_cancelled_probe_frees_the_half_open_state_at_once() -> None:
    from modelroute.state.breaker import release

    policy = BreakerPolicy(failures=1, open_s=5)
    opened = record(CLOSED, policy, 0.0, "failure", probe=False)
    _, half = admit(opened, policy, 5.0, lease_s=30.0)
    assert admit(half, policy, 6.0)[0] == "reject"
    freed = release(half, 6.0)
    assert freed.status == "half_open" and admit(freed, policy, 6.0)[0] == "probe"
    assert release(opened, 6.0) is opened and release(CLOSED, 6.0) is CLOSED  # only a half-open state moves
