#!/usr/bin/env python3
"""Robustness run: random and mutated HTTP requests against `braid serve`.

Starts `braid serve` on a loopback port, warms it with normal traffic, then sends COUNT
requests (default 10,000): valid templates (JSON-RPC calls and batches, chunked bodies,
REST and probe routes, HTTP/1.0, pipelined pairs, 100-continue) put through random
mutations (byte flips, insertions of CR/LF/NUL/high bytes, deletions, duplications,
truncation, absurd Content-Length and Transfer-Encoding values, oversized lines, header
floods, deep or broken JSON) plus plain random bytes. Each goes on its own connection,
half-closed after sending so the server decides at once. Every 500 requests a normal
eth_chainId must still be answered exactly. At the end: the process is alive, normal
traffic is answered, and its RSS (VmRSS) after the run is compared with the RSS after the
warm-up.

    scripts/http-fuzz.py [--braid .build/release/braid] [--count 10000] [--seed 1]

Loopback only; bounded by COUNT and by --deadline seconds.
"""
import argparse
import json
import os
import random
import socket
import subprocess
import sys
import time

CALL = b'{"jsonrpc":"2.0","method":"eth_chainId","params":[],"id":1}'
EXPECTED = b'{"jsonrpc":"2.0","id":1,"result":"0x539"}'


def post(body, extra=b""):
    return (b"POST / HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def chunked(body, rng):
    out = b"POST / HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
    i = 0
    while i < len(body):
        n = rng.randint(1, 16)
        part = body[i:i + n]
        out += format(len(part), "x").encode() + b"\r\n" + part + b"\r\n"
        i += n
    return out + b"0\r\n\r\n"


def json_body(rng):
    methods = ["eth_chainId", "eth_blockNumber", "eth_getBalance", "eth_call", "eth_getLogs", "eth_feeHistory",
               "eth_getBlockByNumber", "eth_sendRawTransaction", "net_version", "nope", ""]
    params = [[], ["0x" + "11" * 20, "latest"], [{"to": "0x" + "22" * 20, "data": "0x"}], ["latest", True],
              [{"fromBlock": "0x0", "topics": [None, ["0x" + "33" * 32]]}], ["0xzz"], [1, 2, 3], {"a": 1},
              ["0x" + "f" * 70], [10, "latest", [10, 90]], ["0xc0"]]
    call = {"jsonrpc": rng.choice(["2.0", "2.0", "1.0", 2]), "method": rng.choice(methods),
            "params": rng.choice(params), "id": rng.choice([1, "x", None, 1e308, [1]])}
    if rng.random() < 0.1:
        del call["id"]
    text = json.dumps(call if rng.random() < 0.7 else [call] * rng.randint(0, 5)).encode()
    if rng.random() < 0.1:
        text = b"[" * rng.randint(50, 5000) + b"]" * rng.randint(0, 5000)
    return text


def template(rng):
    body = json_body(rng)
    choice = rng.randrange(10)
    if choice == 0:
        return chunked(body, rng)
    if choice == 1:
        return rng.choice([b"GET /healthz HTTP/1.1\r\nHost: f\r\n\r\n", b"GET /readyz HTTP/1.1\r\nHost: f\r\n\r\n",
                           b"GET /metrics HTTP/1.1\r\nHost: f\r\n\r\n", b"HEAD /v1/blocks/latest HTTP/1.1\r\nHost: f\r\n\r\n",
                           b"GET /v1/state/0x" + b"ab" * 20 + b" HTTP/1.1\r\nHost: f\r\n\r\n",
                           b"GET /v1/state/0x" + b"ab" * 20 + b"/storage/0x1 HTTP/1.1\r\nHost: f\r\n\r\n",
                           b"GET /v1/receipts/0x" + b"cd" * 32 + b" HTTP/1.1\r\nHost: f\r\n\r\n"])
    if choice == 2:
        return b"GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
    if choice == 3:
        return post(body) + post(CALL)
    if choice == 4:
        return post(body, b"Expect: 100-continue\r\n")
    return post(body)


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(11)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos:pos] = bytes([rng.choice([0, 10, 13, 32, 58, 0x7f, 0xff, rng.randrange(256)])])
        elif op == 2 and data:
            end = min(len(data), pos + rng.randint(1, 20))
            del data[pos:end]
        elif op == 3 and data:
            end = min(len(data), pos + rng.randint(1, 40))
            data[pos:pos] = data[pos:end] * rng.randint(1, 5)
        elif op == 4:
            del data[pos:]
        elif op == 5:
            data = data.replace(b"Content-Length: ", b"Content-Length: " + rng.choice(
                [b"-1", b"99999999999999999999", b"1,2", b"0x10", b" 5", b"6000000", b""]), 1)
        elif op == 6:
            data = data.replace(b"\r\n\r\n", b"\r\nTransfer-Encoding: " + rng.choice(
                [b"chunked", b"gzip", b"chunked, chunked", b"identity", b"CHUNKED"]) + b"\r\n\r\n", 1)
        elif op == 7:
            data[pos:pos] = b"X-" + b"a" * rng.choice([10, 8200, 9000]) + b": v\r\n"
        elif op == 8:
            data = data.replace(b"\r\n\r\n", b"\r\n" + b"X-F: 1\r\n" * rng.choice([50, 99, 101, 500]) + b"\r\n", 1)
        elif op == 9:
            data = data.replace(b"HTTP/1.1", rng.choice([b"HTTP/2.0", b"HTTP/1.9", b"HTTP/11", b"HTTX/1.1", b"http/1.1"]), 1)
        else:
            data = data.replace(b"POST", rng.choice([b"GET", b"BREW", b"DELETE", b"P0ST", b"CONNECT", b""]), 1)
    return bytes(data)


def random_request(rng):
    if rng.random() < 0.05:
        return bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
    t = template(rng)
    return t if rng.random() < 0.15 else mutate(t, rng)


def exchange(port, data, timeout=2.0):
    """Sends data, half-closes, reads to the end. Returns the first status code or None."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    received = b""
    try:
        try:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            received += chunk
    except (socket.timeout, OSError):
        pass
    finally:
        s.close()
    if received.startswith(b"HTTP/1.1 100 "):
        received = received.split(b"\r\n\r\n", 1)[-1]
    if received.startswith(b"HTTP/1.1 "):
        return int(received[9:12])
    return None


def normal_call(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    try:
        s.sendall(post(CALL))
        data = b""
        while not data.endswith(EXPECTED):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.startswith(b"HTTP/1.1 200 ") and data.endswith(EXPECTED)
    finally:
        s.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def start_braid(braid, port, threads):
    proc = subprocess.Popen([braid, "serve", "--http-host", "127.0.0.1", "--http-port", str(port),
                             "--http-threads", str(threads)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    for _ in range(100):
        try:
            if normal_call(port):
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    sys.exit("braid did not start")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--braid", default=".build/release/braid")
    ap.add_argument("--port", type=int, default=18547)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--count", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--deadline", type=float, default=600)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    proc = start_braid(args.braid, args.port, args.threads)
    started = time.time()
    try:
        for _ in range(1000):
            assert normal_call(args.port)
        rss_before = rss_kib(proc.pid)
        statuses = {}
        failed_checks = 0
        sent = 0
        for i in range(args.count):
            if time.time() - started > args.deadline:
                break
            status = exchange(args.port, random_request(rng))
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            sent += 1
            if i % 500 == 499 and not normal_call(args.port):
                failed_checks += 1
        alive = proc.poll() is None
        answered = sum(normal_call(args.port) for _ in range(1000)) if alive else 0
        time.sleep(1)
        rss_after = rss_kib(proc.pid) if alive else -1
        result = {
            "requests": sent, "seconds": round(time.time() - started, 1), "statuses": dict(sorted(statuses.items())),
            "failed_liveness_checks": failed_checks, "alive": alive, "normal_answered_after": answered,
            "rss_kib_before": rss_before, "rss_kib_after": rss_after,
        }
        print(json.dumps(result))
        ok = alive and failed_checks == 0 and answered == 1000
        sys.exit(0 if ok else 1)
    finally:
        proc.terminate()
        proc.wait(timeout=20)


if __name__ == "__main__":
    main()
