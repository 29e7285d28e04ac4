#!/usr/bin/env python3
"""Crash test: `kill -9` a loaded `braid serve --data-dir` at random moments and restart it.

Several sender threads submit transactions (plain transfers, calls that write storage, and
JSON-RPC batches, all signed by the dev node through eth_sendTransaction) and record the
hash of every one the node acknowledged. At a random moment the node is killed with
SIGKILL, then restarted on the same data directory; after each restart every acknowledged
transaction must be in a block or still pending. After the last cycle the node drains,
stops with SIGTERM (exit 0 expected), and `braid verify-chain` re-executes every stored
block sequentially from genesis and compares roots, receipts and the stored state.

Python standard library only. Environment: BRAID (binary, default .build/release/braid),
CYCLES (default 10), SEED (random seed; printed, so a failure can be rerun).
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BRAID = os.environ.get("BRAID", ".build/release/braid")
CYCLES = int(os.environ.get("CYCLES", "10"))
SEED = int(os.environ.get("SEED", str(random.randrange(1 << 30))))
SENDERS = 6
GWEI = 10**9
# Runtime code: SSTORE(CALLER, NUMBER); STOP. Each call writes the caller's slot, so the
# state depends on which block each call landed in.
RUNTIME = "4333" + "5500"
# Init code: return the 4 runtime bytes (PUSH4 runtime, PUSH1 0, MSTORE, PUSH1 4, PUSH1 28, RETURN).
INITCODE = "0x63" + RUNTIME + "600052" + "6004601cf3"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, data_dir, log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc = subprocess.Popen(
            [BRAID, "serve", "--dev", "--data-dir", data_dir, "--http-host", "127.0.0.1",
             "--http-port", str(self.port), "--block-interval-ms", "50", "--http-threads", "2",
             "--exec-threads", "2"],
            stdout=log, stderr=log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"crash-test: braid exited with {self.proc.returncode} at start; see its log")
            try:
                self.call("eth_chainId", [])
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit("crash-test: braid did not start serving within 30 s")

    def post(self, body, timeout=10):
        req = urllib.request.Request(self.url, data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return json.loads(r.read())

    def call(self, method, params):
        reply = self.post({"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply["result"]

    def batch(self, calls):
        body = [{"jsonrpc": "2.0", "id": i, "method": m, "params": p} for i, (m, p) in enumerate(calls)]
        replies = {r["id"]: r for r in self.post(body, timeout=30)}
        return [replies[i] for i in range(len(calls))]


def transaction(sender, nonce, rng, contract, accounts):
    tx = {"from": sender, "nonce": hex(nonce), "maxFeePerGas": hex(100 * GWEI),
          "maxPriorityFeePerGas": hex(GWEI)}
    if contract and rng.random() < 0.4:
        tx.update(to=contract, gas=hex(60_000))
    else:
        tx.update(to=rng.choice(accounts), value=hex(rng.randrange(1, 10**15)), gas=hex(21_000))
    return tx


def load(node, sender, accounts, contract, acked, errors, stop, rng):
    """Submits until the node dies or `stop` is set; records acknowledged hashes."""
    try:
        nonce = int(node.call("eth_getTransactionCount", [sender, "pending"]), 16)
        while not stop.is_set():
            if rng.random() < 0.25:
                txs = [transaction(sender, nonce + i, rng, contract, accounts) for i in range(rng.randrange(2, 8))]
                replies = node.batch([("eth_sendTransaction", [t]) for t in txs])
                for r in replies:
                    if "result" in r:
                        acked.append(r["result"])
                    else:
                        errors.append(f"{sender}: {r.get('error')}")
                        return
                nonce += len(txs)
            else:
                acked.append(node.call("eth_sendTransaction", [transaction(sender, nonce, rng, contract, accounts)]))
                nonce += 1
    except (OSError, urllib.error.URLError, json.JSONDecodeError, ConnectionError):
        return  # killed under us: whatever was not answered was not acknowledged
    except RuntimeError as e:
        errors.append(f"{sender}: {e}")


def check_acknowledged(node, acked):
    """Every acknowledged hash is in a block (with a receipt) or pending. Returns (included, pending, lost)."""
    included = pending = 0
    lost = []
    for start in range(0, len(acked), 200):
        chunk = acked[start:start + 200]
        txs = node.batch([("eth_getTransactionByHash", [h]) for h in chunk])
        mined = [h for h, r in zip(chunk, txs) if r.get("result") and r["result"].get("blockNumber")]
        receipts = node.batch([("eth_getTransactionReceipt", [h]) for h in mined]) if mined else []
        with_receipt = {h for h, r in zip(mined, receipts) if r.get("result")}
        for h, r in zip(chunk, txs):
            if not r.get("result"):
                lost.append(h)
            elif h in with_receipt:
                included += 1
            elif r["result"].get("blockNumber"):
                lost.append(h)  # in a block by its record but without a receipt
            else:
                pending += 1
    return included, pending, lost


def main():
    if not os.path.exists(BRAID):
        raise SystemExit(f"crash-test: {BRAID} not found (build with swift build -c release)")
    rng = random.Random(SEED)
    work = tempfile.mkdtemp(prefix="braid-crash-")
    data_dir = os.path.join(work, "data")
    log_path = os.path.join(work, "braid.log")
    log = open(log_path, "ab")
    acked = []
    ok = False
    started = time.time()
    try:
        contract = None
        for cycle in range(1, CYCLES + 1):
            node = Node(data_dir, log)
            included, pending, lost = check_acknowledged(node, acked)
            if lost:
                raise SystemExit(f"crash-test: cycle {cycle}: {len(lost)} acknowledged transactions lost, "
                                 f"e.g. {lost[:3]} (seed {SEED}, log {log_path})")
            accounts = node.call("eth_accounts", [])
            if contract is None:
                # Deployed and waited for, so that later calls write its storage.
                h = node.call("eth_sendTransaction", [{"from": accounts[0], "data": INITCODE, "gas": hex(200_000)}])
                acked.append(h)
                for _ in range(200):
                    r = node.call("eth_getTransactionReceipt", [h])
                    if r:
                        contract = r["contractAddress"]
                        break
                    time.sleep(0.05)
                if contract is None:
                    raise SystemExit("crash-test: the storage contract was not deployed")
            stop = threading.Event()
            errors = []
            threads = [threading.Thread(target=load, args=(node, accounts[i], accounts, contract, acked, errors, stop,
                                                           random.Random(rng.random())))
                       for i in range(SENDERS)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.3, 2.0))
            node.proc.send_signal(signal.SIGKILL)
            node.proc.wait()
            stop.set()
            for t in threads:
                t.join()
            if errors:
                raise SystemExit(f"crash-test: cycle {cycle}: submissions refused: {errors[:3]} (seed {SEED})")
            print(f"crash-test: cycle {cycle}: after restart all {included + pending} acknowledged were there "
                  f"({included} in blocks, {pending} pending); killed with {len(acked)} acknowledged", flush=True)

        # Restart, let everything pending land, then stop gracefully.
        node = Node(data_dir, log)
        deadline = time.time() + 30
        while True:
            included, pending, lost = check_acknowledged(node, acked)
            if lost or pending == 0 or time.time() > deadline:
                break
            time.sleep(0.2)
        head = int(node.call("eth_blockNumber", []), 16)
        node.proc.send_signal(signal.SIGTERM)
        code = node.proc.wait(timeout=30)
        if lost:
            raise SystemExit(f"crash-test: {len(lost)} acknowledged transactions lost, e.g. {lost[:3]} (seed {SEED})")
        if pending:
            raise SystemExit(f"crash-test: {pending} acknowledged transactions still pending after 30 s (seed {SEED})")
        if code != 0:
            raise SystemExit(f"crash-test: braid exited with {code} on SIGTERM, not 0")
        verify = subprocess.run([BRAID, "verify-chain", "--dev", "--data-dir", data_dir],
                                capture_output=True, text=True)
        if verify.returncode != 0:
            sys.stderr.write(verify.stdout + verify.stderr)
            raise SystemExit(f"crash-test: the stored chain differs from a sequential replay (seed {SEED})")
        print(verify.stdout.strip())
        print(f"crash-test: {CYCLES} kill -9 cycles, {len(acked)} acknowledged, lost=0, {head} blocks, "
              f"replay OK, clean SIGTERM exit ({time.time() - started:.1f} s, seed {SEED})")
        ok = True
    finally:
        log.close()
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"crash-test: data and log kept in {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
