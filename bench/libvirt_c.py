#!/usr/bin/python3
"""The peer of Phyllome's libvirt client: libvirt's own C library, called in-process through
Debian's python3-libvirt. Prints one JSON document with the same measurements the TypeScript
benchmark makes, so both are taken on the same daemon in the same run."""
import json
import sys
import threading
import time

import libvirt

uri = sys.argv[1] if len(sys.argv) > 1 else "qemu:///system"
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 30

conn = libvirt.open(uri)


def pct(samples, p):
    s = sorted(samples)
    return s[min(len(s) - 1, int(len(s) * p))]


def latency():
    out = []
    for _ in range(calls):
        t = time.perf_counter()
        conn.getLibVersion()
        out.append((time.perf_counter() - t) * 1000)
    return out


def throughput(threads):
    per = calls * 4 // threads  # the same total as the TypeScript side's throughput run

    def work():
        for _ in range(per):
            conn.getLibVersion()

    ts = [threading.Thread(target=work) for _ in range(threads)]
    t = time.perf_counter()
    for th in ts:
        th.start()
    for th in ts:
        th.join()
    return per * threads / (time.perf_counter() - t)


def timed(fn):
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


latency()  # warm up
lat = latency()
list_ms = timed(lambda: [d.state() for d in conn.listAllDomains()] and None)
list_only_ms = timed(lambda: conn.listAllDomains())
stats_ms = timed(lambda: conn.getAllDomainStats())
result = {
    "trivialP50": pct(lat, 0.5),
    "trivialP99": pct(lat, 0.99),
    "throughput1": throughput(1),
    "throughput8": throughput(8),
    "listAllMs": pct(list_only_ms, 0.5),
    "listWithStateMs": pct(list_ms, 0.5),
    "statsMs": pct(stats_ms, 0.5),
    "domains": len(conn.listAllDomains()),
}
conn.close()
print(json.dumps(result))
