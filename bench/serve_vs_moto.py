"""stepfn serve against moto's server, side by side, driven by the same load generator (run by hand, not in the
test suite).

Usage:
    cargo build --release -p stepfn-cli -p stepfn-bench --bin stepfn --bin sfn_load
    python3 bench/serve_vs_moto.py --moto-server /path/to/venv/bin/moto_server \
        [--executions 10000] [--clients 64] [--threads 1] [--warmup 500]
    python3 bench/serve_vs_moto.py --memory 100000 [--retain 1000]    # stepfn serve alone, its RSS sampled

`--stepfn` and `--load` default to `stepfn` and `sfn_load` in `$CARGO_TARGET_DIR/release` (else `target/release`).
Standard library only; moto needs `moto[server]` in its own venv.

Both servers start on 127.0.0.1 (free ports) and are stopped at the end. The client is `sfn_load`
(bench/src/bin/sfn_load.rs): `--clients` keep-alive connections over tokio's TCP, each sending its next request as
soon as the last is answered, the same binary and the same requests for both servers. For each server and mode it
creates a chain of 10 Pass states, runs `--warmup` executions on the clients' connections (not measured), then
`--executions` executions:
- start+wait: StartExecution, then DescribeExecution until the status is not RUNNING (at once, then every ms);
- sync: StartSyncExecution of an EXPRESS machine (moto answers HTTP 500: it does not implement it; shown as n/a).
It prints executions per second, p50 and p99 latency, requests per execution and the server's peak RSS per server and
mode, all measured in the same run, and stepfn serve / moto per mode.

`--memory N` runs N start+wait executions and then N sync executions against `stepfn serve --retain R` (no moto),
samples the server's RSS (/proc/PID/status VmRSS) every 0.5 s, and prints the first, middle and last samples, the
peak, and the data directory's size at the end, per mode.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HERE, "..", "target")
MODES = ["start-wait", "sync"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(port, operation, body):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/",
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/x-amz-json-1.0",
            "X-Amz-Target": f"AWSStepFunctions.{operation}",
            # moto reads the service from a SigV4 credential scope; neither server checks the signature.
            "Authorization": "AWS4-HMAC-SHA256 Credential=test/20250101/us-east-1/states/aws4_request, "
            "SignedHeaders=host, Signature=00",
        },
        method="POST",
    )
    return json.loads(urllib.request.urlopen(request, timeout=10).read() or b"{}")


def wait_until_up(port, process):
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server on port {port} exited ({process.returncode})")
        try:
            call(port, "ListStateMachines", {})
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"the server on port {port} did not come up")


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


class Sampler:
    """The process's RSS every `every` seconds, in a thread, until stopped."""

    def __init__(self, pid, every=0.5):
        self.pid, self.every, self.samples = pid, every, []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopped.is_set():
            kib = rss_kib(self.pid)
            if kib is not None:
                self.samples.append(kib)
            self.stopped.wait(self.every)

    def stop(self):
        self.stopped.set()
        self.thread.join()
        kib = rss_kib(self.pid)
        if kib is not None:
            self.samples.append(kib)
        return self.samples


def load(args, port, mode, executions, machine, warmup=0):
    command = [args.load, "--endpoint", f"127.0.0.1:{port}", "--mode", mode, "--executions", str(executions),
               "--clients", str(args.clients), "--threads", str(args.threads), "--machine-name", machine,
               "--warmup", str(warmup)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return {"executions": 0, "errors": executions, "first_error": done.stderr.strip() or done.stdout.strip()}
    return json.loads(done.stdout)


def start_stepfn(args, retain=None):
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="stepfn-bench-")
    command = [args.stepfn, "serve", "--port", str(port), "--data-dir", data_dir]
    if retain is not None:
        command += ["--retain", str(retain)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return port, process, data_dir


def start_moto(args):
    port = free_port()
    process = subprocess.Popen([args.moto_server, "-H", "127.0.0.1", "-p", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return port, process


def stop(process):
    process.kill()
    process.wait()


def disk_kib(directory):
    """What the data directory's files take (the database, its write-ahead log and index)."""
    return sum(os.path.getsize(os.path.join(directory, name)) for name in os.listdir(directory)) // 1024


def mib(kib):
    return f"{kib / 1024:.1f}"


def load_average():
    return "/".join(f"{x:.1f}" for x in os.getloadavg())


def compare(args):
    before = load_average()
    servers, data_dir = {}, None
    try:
        port, process, data_dir = start_stepfn(args)
        servers["stepfn serve"] = (port, process)
        port, process = start_moto(args)
        servers["moto"] = (port, process)
        for port, process in servers.values():
            wait_until_up(port, process)
        # moto records executions without running them unless asked to (its configuration API).
        request = urllib.request.Request(
            f"http://127.0.0.1:{servers['moto'][0]}/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).read()
        results = {}
        for mode in MODES:
            for server, (port, process) in servers.items():
                executions, warmup = args.executions, args.warmup
                if server == "moto" and mode == "sync":
                    executions, warmup = 10, 0  # enough to show it is not implemented
                sampler = Sampler(process.pid)
                result = load(args, port, mode, executions, f"chain-{mode}", warmup)
                result["peak_rss_kib"] = max(sampler.stop(), default=0)
                results[(server, mode)] = result
                print(f"  {server:<13} {mode:<10} {json.dumps(result)}", file=sys.stderr, flush=True)
    finally:
        for _, process in servers.values():
            stop(process)
        if data_dir:
            shutil.rmtree(data_dir, ignore_errors=True)

    print(f"{args.executions} executions of a 10-state Pass chain (after {args.warmup} not measured), "
          f"{args.clients} keep-alive clients (sfn_load, {args.threads} thread(s)), one run; "
          f"load average {before} before, {load_average()} after ({os.cpu_count()} CPUs)")
    print(f"{'server':<13} {'mode':<10} {'exec/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'req/exec':>8} {'peak RSS MiB':>12}")
    for (server, mode), r in results.items():
        if r.get("errors") or not r.get("executions"):
            print(f"{server:<13} {mode:<10} {'n/a':>9}   ({r.get('errors')} errors: {r.get('first_error')})")
            continue
        print(f"{server:<13} {mode:<10} {r['per_second']:>9.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} "
              f"{r['requests'] / r['executions']:>8.2f} {mib(r['peak_rss_kib']):>12}")
    for mode in MODES:
        ours, theirs = results[("stepfn serve", mode)], results[("moto", mode)]
        if ours.get("per_second") and theirs.get("per_second") and not theirs.get("errors"):
            print(f"{mode}: stepfn serve / moto throughput = {ours['per_second'] / theirs['per_second']:.1f}x, "
                  f"p99 {theirs['p99_ms'] / ours['p99_ms']:.1f}x lower")
        else:
            print(f"{mode}: no ratio (moto: {theirs.get('first_error')})")


def memory(args):
    port, process, data_dir = start_stepfn(args, retain=args.retain)
    try:
        wait_until_up(port, process)
        print(f"stepfn serve --retain {args.retain}: RSS (VmRSS) sampled every 0.5 s, {args.memory} executions "
              f"per mode, {args.clients} clients")
        print(f"{'mode':<10} {'exec/s':>9} {'p99 ms':>8} {'samples':>7} {'first MiB':>9} {'middle MiB':>10} "
              f"{'last MiB':>8} {'peak MiB':>8} {'data dir MiB':>12}")
        for mode in MODES:
            sampler = Sampler(process.pid)
            result = load(args, port, mode, args.memory, f"memory-{mode}")
            samples = sampler.stop()
            if result.get("errors"):
                print(f"{mode:<10} errors: {result.get('errors')} ({result.get('first_error')})")
            print(f"{mode:<10} {result.get('per_second', 0):>9.0f} {result.get('p99_ms', 0):>8.2f} {len(samples):>7} "
                  f"{mib(samples[0]):>9} {mib(samples[len(samples) // 2]):>10} {mib(samples[-1]):>8} "
                  f"{mib(max(samples)):>8} {mib(disk_kib(data_dir)):>12}", flush=True)
            if args.verbose:
                print("  samples (MiB): " + " ".join(mib(s) for s in samples))
    finally:
        stop(process)
        shutil.rmtree(data_dir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stepfn", default=os.path.join(TARGET, "release", "stepfn"))
    parser.add_argument("--load", default=os.path.join(TARGET, "release", "sfn_load"))
    parser.add_argument("--moto-server", default="/tmp/moto-venv/bin/moto_server")
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="the load generator's threads")
    parser.add_argument("--warmup", type=int, default=500, help="executions per server and mode not measured")
    parser.add_argument("--memory", type=int, metavar="N", help="run N executions per mode, sampling the RSS")
    parser.add_argument("--retain", type=int, default=1000, help="stepfn serve --retain, for --memory")
    parser.add_argument("--verbose", action="store_true", help="print every RSS sample")
    args = parser.parse_args()
    if args.memory:
        memory(args)
    else:
        compare(args)


if __name__ == "__main__":
    sys.exit(main())
