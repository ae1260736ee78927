#!/usr/bin/env python3
"""Tracing tests: the interrupt timeline (--trace-file) and what --trace explains.

    trace_tests.py --build-dir BUILD TEST

Each test boots a small kernel under minivmm with --trace-file FILE.json,
loads the file with Python's json module and checks its structure and the
interrupt story it tells: the PIC's initialisation, the PIT's rate, then
for every IRQ0 a request, an INTA, the handler and its EOI.  Counts and
order only, never durations.  The route (real KVM here, or inside a
throwaway Linux under QEMU) is guest_tests.py's, whose harness this file
shares.
"""

import json
import os
import re
import signal
import subprocess
import sys
import tempfile

import guest_tests as gt
from guest_tests import EXIT_GUEST_FAULT, EXIT_SETUP, Failure, check, test

# Tracks (vmm/trace_json.c): their tids.
TID_VCPU = 1
TID_IRQ_SERVICE = 100       # + IRQ
TID_IRQ_REQUEST = 200       # + IRQ
TID_PIC, TID_PIT = 300, 301
# Two timestamps the file wrote from the same nanosecond may differ in the
# last float bit once added: compare them within a nanosecond.
NS = 0.0011


def load_timeline(path):
    """The file as JSON, with its structure checked; returns the event list."""
    with open(path) as f:
        text = f.read()
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise Failure("%s is not valid JSON: %s\n--- tail ---\n%s" % (path, e, text[-1000:]))
    check(isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list),
          "the file is a JSON object with a traceEvents array")
    events = doc["traceEvents"]
    check(doc.get("displayTimeUnit") == "ns" and "dropped_events" in doc.get("otherData", {}),
          "displayTimeUnit and otherData (dropped_events) are there")
    check(all(isinstance(e, dict) and e.get("pid") == 1 and isinstance(e.get("tid"), int)
              and e.get("ph") in ("X", "i", "M") and isinstance(e.get("name"), str)
              for e in events),
          "every event has a name, a phase (X, i or M), pid 1 and a tid")
    check(all(isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0
              for e in events if e["ph"] != "M"), "every span and instant has a timestamp")
    check(all(isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0
              for e in events if e["ph"] == "X"), "every span has a duration >= 0")
    check(events[-1]["name"] == "trace end" and events[-1]["args"]["events"] > 0,
          "the last event closes the run and counts the events")
    return events, doc["otherData"]["dropped_events"]


def track_names(events):
    return {e["tid"]: e["args"]["name"] for e in events
            if e["ph"] == "M" and e["name"] == "thread_name"}


def spans(events, tid, name):
    return sorted((e for e in events if e["ph"] == "X" and e["tid"] == tid and e["name"] == name),
                  key=lambda e: e["ts"])


def instants(events, tid, name=None):
    return [e for e in events if e["ph"] == "i" and e["tid"] == tid
            and (name is None or e["name"] == name)]


def end(e):
    return e["ts"] + e["dur"]


def stats_count(pattern, err):
    m = re.search(pattern, err)
    if m is None:
        raise Failure("--stats has no line matching %r" % pattern, err[-2000:])
    return int(m.group(1))


@test(timeout=180)
def trace_file_ticks(env):
    # The ticks kernel stops by itself after 2000 IRQ0s: every one of them
    # must be in the timeline, each as request -> INTA -> handler -> EOI.
    with tempfile.TemporaryDirectory(prefix="minivmm-trace-") as tmp:
        path = os.path.join(tmp, "ticks.json")
        status, out, err = env.run(["--stats", "--trace-file", path, "--bios",
                                    env.kernel("ticks_stop")], timeout=150)
        check(status == 1, "ticks_stop exits with status 1", err)
        events, dropped = load_timeline(path)
    counted = int(re.search(r"^ticks: stopped after (\d+) interrupts$", out, re.M).group(1))
    injected = stats_count(r"(\d+) interrupts injected", err)
    delivered = stats_count(r"stats: pit: (\d+) IRQ0 ticks delivered", err)
    inta = stats_count(r"stats: pic events: .*\b(\d+) INTA\b", err)
    print("guest counted %d, injected %d, INTA %d, PIT delivered %d, events %d, dropped %d"
          % (counted, injected, inta, delivered, len(events), dropped))
    check("trace-file" not in err or dropped > 0, "no trace-file line at exit unless events "
          "were dropped", err[-2000:])

    names = track_names(events)
    for tid, name in ((TID_VCPU, "vCPU"), (TID_IRQ_REQUEST, "IRQ0 request"),
                      (TID_IRQ_SERVICE, "IRQ0 in service"), (TID_PIC, "pic"), (TID_PIT, "pit")):
        check(names.get(tid) == name, "metadata names track %d %r" % (tid, name), str(names))

    service = spans(events, TID_IRQ_SERVICE, "IRQ0 in service")
    handlers = spans(events, TID_IRQ_SERVICE, "IRQ0 handler")
    requests = spans(events, TID_IRQ_REQUEST, "IRQ0 requested")
    merged = instants(events, TID_IRQ_REQUEST, "IRQ0 raised again")
    injections = [e for e in instants(events, TID_VCPU) if e["name"] == "IRQ0 -> vector 0x20"]
    print("IRQ0: %d in service, %d handlers, %d requests, %d merged raises, %d injections"
          % (len(service), len(handlers), len(requests), len(merged), len(injections)))

    # Counts: exact when the ring dropped nothing (it holds 8192 events and
    # the loop drains it as they come), bounded by the drops otherwise.
    if dropped == 0:
        check(len(service) == counted == injected == inta,
              "one IRQ0 in-service span per interrupt the guest counted (%d), minivmm "
              "injected (%d) and the PIC acknowledged (%d)" % (counted, injected, inta))
        check(len(injections) == len(handlers) == len(service),
              "one injection and one handler slice per span")
        check(len(requests) + len(merged) == delivered,
              "every tick the PIT put on IRQ0 (%d, --stats) is a request span or an edge "
              "merged into one" % delivered)
    else:
        check(counted - dropped <= len(service) <= counted,
              "IRQ0 spans (%d) = the count (%d), but for %d events dropped"
              % (len(service), counted, dropped))

    # Well nested and ordered: one ISR bit, so the spans follow each other;
    # the handler slice sits inside its span and ends at the same EOI.
    for a, b in zip(service, service[1:]):
        if end(a) > b["ts"] + NS:
            raise Failure("IRQ0 in-service spans overlap: %r and %r" % (a, b))
    for a, b in zip(requests, requests[1:]):
        if end(a) > b["ts"] + NS:
            raise Failure("IRQ0 request spans overlap: %r and %r" % (a, b))
    eoi = "OCW2 non-specific EOI (ISR 01 -> 00)"
    not_eoi = [s for s in service if s["args"]["ended by"] != eoi]
    if dropped == 0:
        check(not not_eoi, "every IRQ0 span ends at the handler's non-specific EOI, which "
              "clears ISR bit 0 (%d do not)" % len(not_eoi))
    else:
        # A dropped EOI event leaves its span to be ended by the next INTA.
        check(len(not_eoi) <= dropped, "every IRQ0 span ends at the handler's non-specific "
              "EOI but where events were dropped (%d others, %d dropped)"
              % (len(not_eoi), dropped))
    check(all(s["args"]["vector"] == "0x20" for s in service), "every one is vector 0x20")
    request_by_end = {round(end(r), 3): r for r in requests if r["args"]["ended by"] == "INTA"}
    check(len(request_by_end) == len(service) if dropped == 0 else True,
          "every request taken by an INTA starts a span")
    for s in service:
        h = next((h for h in handlers if s["ts"] - NS <= h["ts"] <= end(s) + NS
                  and abs(end(h) - end(s)) <= NS), None)
        if h is None and dropped == 0:
            raise Failure("IRQ0 span without a handler slice inside it: %r" % s)
        if h is None:
            continue            # its injection event was among the dropped ones
        r = request_by_end.get(round(s["ts"], 3))
        if r is None and dropped == 0:
            raise Failure("IRQ0 span without the request its INTA ended: %r" % s)
        if r is not None and not r["ts"] <= s["ts"] + NS <= h["ts"] + 2 * NS <= end(s) + 3 * NS:
            raise Failure("not raise <= INTA <= injection <= EOI: request %r, span %r, "
                          "handler %r" % (r, s, h))
    check(True, "raise <= INTA <= injection (handler entry) <= EOI for every IRQ0")

    # The story's order: the PIC initialised (ICW1-4 on both chips) and the
    # PIT programmed before the first IRQ0 the guest took.
    first = service[0]["ts"]
    pic = instants(events, TID_PIC)
    for unit in ("master", "slave"):
        icws = [next((e for e in pic if e["name"] == n and e["args"]["unit"] == unit), None)
                for n in ("ICW1", "ICW2", "ICW3", "ICW4")]
        check(all(e is not None for e in icws), "the %s's ICW1-4 are in the timeline" % unit)
        check(all(a["ts"] <= b["ts"] for a, b in zip(icws, icws[1:])) and icws[-1]["ts"] < first,
              "in order, before the first IRQ0 in service")
    count = [e for e in instants(events, TID_PIT, "count")
             if e["args"]["unit"] == "ch0" and "count 1193 (1000.2 Hz)" in e["args"]["text"]]
    check(len(count) == 1 and count[0]["ts"] < first,
          "the PIT's mode 2 count 1193 event comes before the first IRQ0", str(count))
    ticks = [e for e in instants(events, TID_PIT, "tick") if e["ts"] > count[0]["ts"]]
    check(len(ticks) > 0 and count[0]["ts"] < ticks[0]["ts"] <= first,
          "and before the first tick at that rate, which comes before the first IRQ0")
    unmask = [e for e in pic if e["name"] == "OCW1" and e["args"]["text"].endswith("-> 0xfe")]
    check(len(unmask) >= 1 and count[0]["ts"] < unmask[0]["ts"] < first,
          "IRQ0 unmasked (OCW1 IMR -> 0xfe) after the PIT, before the first IRQ0")


@test(timeout=120)
def timer_masked_explained(env):
    # "Why didn't my timer interrupt arrive?": from --trace=irq,pic,pit
    # alone, the answer is on the lines (README.md shows this run).
    with tempfile.TemporaryDirectory(prefix="minivmm-trace-") as tmp:
        path = os.path.join(tmp, "masked.json")
        status, out, err = env.run(["--trace=irq,pic,pit", "--trace-file", path, "--bios",
                                    env.kernel("timer_masked")], timeout=90)
        events, dropped = load_timeline(path)
    check(status == 3, "timer_masked exits with value 1 (status 3)", err)
    check("timer_masked: 0 timer interrupts in 55 ms" in out, "the guest took no IRQ0", out)
    trace = [l for l in err.splitlines() if l.startswith("minivmm: trace: ")]

    def index(pattern, after=-1):
        for i, l in enumerate(trace):
            if i > after and re.search(pattern, l):
                return i
        raise Failure("no trace line matches %r after line %d" % (pattern, after), err)

    init = index(r" pic\.master ICW4 0x01 ")
    masked = index(r" pic\.master OCW1 IMR 0x[0-9a-f]{2} -> 0xff$", init)
    rate = index(r" pit\.ch0 mode 2 \(rate generator\) count 1193 \(1000\.2 Hz\)$", init)
    raised = index(r" irq 0 raised, held: masked$", rate)
    check(init < masked < rate < raised,
          "the trace shows: PIC initialised, every IRQ masked, the PIT at 1000 Hz, then "
          "'irq 0 raised, held: masked'")
    ocw1 = [re.search(r"pic\.master OCW1 IMR 0x[0-9a-f]{2} -> 0x([0-9a-f]{2})$", l)
            for l in trace[init:]]
    check(all(int(m.group(1), 16) & 1 for m in ocw1 if m),
          "no OCW1 after the init clears IMR bit 0: IRQ0 stays masked")
    check(not any(re.search(r" irq 0 -> vector ", l) or "INTA" in l for l in trace),
          "and no INTA, no injection")
    check("minivmm: trace-file" not in err, "nothing dropped from the timeline", err)

    requests = spans(events, TID_IRQ_REQUEST, "IRQ0 requested")
    check(len(requests) >= 1
          and requests[-1]["args"]["ended by"] == "the end of the run (still requested)"
          and not any(r["args"]["ended by"] == "INTA" for r in requests),
          "the timeline's last IRQ0 request waits until the end of the run, none is taken",
          str(requests))
    # Why it waits: masked.  (On a loaded host the power-on tick can also be seen
    # waiting on the guest's IF=0 first, so not every request's reason is checked.)
    held = spans(events, TID_IRQ_REQUEST, "held: masked")
    check(len(held) >= 1 and all(any(r["ts"] - NS <= h["ts"] <= end(r) + NS for r in requests)
                                 for h in held),
          "with a 'held: masked' slice inside the requests", str(requests))
    check(spans(events, TID_IRQ_SERVICE, "IRQ0 in service") == [], "and IRQ0 was never in service")


@test(timeout=400)
def trace_file_closed_on_signal_and_guest_death(env):
    # A run stopped by SIGTERM, and one whose guest dies, still leave a
    # complete JSON file.
    with tempfile.TemporaryDirectory(prefix="minivmm-trace-") as tmp:
        path = os.path.join(tmp, "term.json")
        p = env.start(["--trace-file", path, "--bios", env.kernel("ticks")])
        try:
            # Stopped while the timer runs (its banner is out once the PIT and the PIC
            # are programmed).  Not after a number of ticks: on the nested route a loaded
            # host can make a thousand of them take a minute.
            gt.read_until(p.stdout.fileno(), b"one line per 1000 interrupts", 120)
            p.send_signal(signal.SIGTERM)
            # A hang guard only: an ASan build's leak check at exit can take a long
            # time in the nested Linux of a loaded host.
            status = p.wait(timeout=240)
        finally:
            if p.poll() is None:
                p.kill()
        err = p.stderr.read().decode(errors="replace")
        check(status == 128 + signal.SIGTERM, "SIGTERM stops it with status 143", err)
        load_timeline(path)

        path = os.path.join(tmp, "fault.json")
        status, _, err = env.run(["--trace-file", path, "--bios", env.kernel("triple_fault")])
        check(status == EXIT_GUEST_FAULT, "a triple fault ends the run with status 4", err)
        load_timeline(path)


@test(needs_kvm=False)
def trace_file_refused(env):
    # Opened at setup, before KVM: a path that cannot be written, or that is
    # not a regular file, stops minivmm with one line.
    with tempfile.TemporaryDirectory(prefix="minivmm-trace-") as tmp:
        missing = os.path.join(tmp, "no", "such", "dir.json")
        status, _, err = env.run(["--trace-file", missing])
        gt.one_error_line(err, status, EXIT_SETUP, ["--trace-file", missing])
        status, _, err = env.run(["--trace-file", tmp])
        gt.one_error_line(err, status, EXIT_SETUP, ["--trace-file", tmp])
        fifo = os.path.join(tmp, "fifo")
        os.mkfifo(fifo)
        status, _, err = env.run(["--trace-file", fifo], timeout=10)
        gt.one_error_line(err, status, EXIT_SETUP, ["--trace-file", fifo])


if __name__ == "__main__":
    # The registry holds guest_tests.py's tests too: run and list only ours.
    for name in [n for n, (fn, _, _) in gt.TESTS.items() if fn.__module__ != __name__]:
        del gt.TESTS[name]
    sys.exit(gt.main())
