#!/usr/bin/env python3
"""Slow-loris run: many connections trickling requests against `braid serve`.

Starts `braid serve` on a loopback port and opens CONNECTIONS connections (default 500)
that each send a request head, or a body, one small piece per second and never finish:
`--mode head` trickles header lines (cut off by the 10 s header timeout), `--mode body`
sends a complete head announcing a 1000-byte body and trickles it (cut off by the 30 s
body timeout). While the attack runs, a normal eth_chainId request is made every 100 ms on
a fresh connection and must be answered. Reports when the server closed the slow
connections, how many got a 408, the normal requests' latencies, and the server's RSS
before, at the peak and after.

    scripts/slowloris.py [--braid .build/release/braid] [--connections 500] [--mode head|body]

Loopback only; bounded by --duration seconds.
"""
import argparse
import json
import selectors
import socket
import subprocess
import sys
import time

sys.path.insert(0, __import__("os").path.dirname(__file__))
fuzz = __import__("http-fuzz")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--braid", default=".build/release/braid")
    ap.add_argument("--port", type=int, default=18548)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--connections", type=int, default=500)
    ap.add_argument("--mode", choices=["head", "body"], default="head")
    ap.add_argument("--duration", type=float, default=None, help="default: 15 s (head) or 40 s (body)")
    args = ap.parse_args()
    duration = args.duration or (15.0 if args.mode == "head" else 40.0)

    proc = fuzz.start_braid(args.braid, args.port, args.threads)
    try:
        for _ in range(1000):
            assert fuzz.normal_call(args.port)
        rss_before = fuzz.rss_kib(proc.pid)

        sel = selectors.DefaultSelector()
        start = time.time()
        conns = {}
        for i in range(args.connections):
            s = socket.create_connection(("127.0.0.1", args.port), timeout=5)
            s.setblocking(False)
            if args.mode == "head":
                s.sendall(b"POST / HTTP/1.1\r\nHost: slow\r\n")
            else:
                s.sendall(b"POST / HTTP/1.1\r\nHost: slow\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[")
            conns[s] = {"opened": time.time() - start, "closed": None, "status": None, "sent": 0}
            sel.register(s, selectors.EVENT_READ)
        opened_all = time.time() - start

        normal_latencies = []
        normal_failures = 0
        rss_peak = fuzz.rss_kib(proc.pid)
        next_trickle = time.time() + 1
        next_normal = time.time()
        while time.time() - start < duration and any(c["closed"] is None for c in conns.values()):
            for key, _ in sel.select(timeout=0.05):
                s = key.fileobj
                info = conns[s]
                try:
                    data = s.recv(4096)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if data.startswith(b"HTTP/1.1 "):
                    info["status"] = int(data[9:12])
                if not data:
                    info["closed"] = time.time() - start
                    sel.unregister(s)
                    s.close()
            now = time.time()
            if now >= next_trickle:
                next_trickle = now + 1
                for s, info in conns.items():
                    if info["closed"] is None:
                        try:
                            s.send(b"X-Slow-%d: z\r\n" % info["sent"] if args.mode == "head" else b"1,")
                            info["sent"] += 1
                        except OSError:
                            pass
                rss_peak = max(rss_peak, fuzz.rss_kib(proc.pid))
            if now >= next_normal:
                next_normal = now + 0.1
                t0 = time.time()
                if fuzz.normal_call(args.port):
                    normal_latencies.append(time.time() - t0)
                else:
                    normal_failures += 1
        for s, info in conns.items():
            if info["closed"] is None:
                s.close()
        time.sleep(3)
        answered_after = sum(fuzz.normal_call(args.port) for _ in range(1000))
        rss_after = fuzz.rss_kib(proc.pid)
        closed = [c["closed"] for c in conns.values() if c["closed"] is not None]
        normal_latencies.sort()
        result = {
            "mode": args.mode, "connections": args.connections, "opened_all_after_s": round(opened_all, 2),
            "closed_by_server": len(closed), "got_408": sum(1 for c in conns.values() if c["status"] == 408),
            "first_close_s": round(min(closed), 2) if closed else None,
            "last_close_s": round(max(closed), 2) if closed else None,
            "normal_requests_during": len(normal_latencies) + normal_failures, "normal_failures": normal_failures,
            "normal_p50_ms": round(normal_latencies[len(normal_latencies) // 2] * 1000, 2) if normal_latencies else None,
            "normal_max_ms": round(normal_latencies[-1] * 1000, 2) if normal_latencies else None,
            "normal_answered_after": answered_after,
            "rss_kib_before": rss_before, "rss_kib_peak": rss_peak, "rss_kib_after": rss_after,
        }
        print(json.dumps(result))
        ok = normal_failures == 0 and answered_after == 1000 and len(closed) == args.connections
        sys.exit(0 if ok else 1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
