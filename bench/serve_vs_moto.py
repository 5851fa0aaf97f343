"""stepfn serve against moto's server, side by side, with the same boto3 client (run by hand, not in the test suite).

Usage:
    python bench/serve_vs_moto.py --stepfn target/release/stepfn --moto-server /path/to/venv/bin/moto_server \
        [--executions 10000] [--clients 64]

Both servers start on 127.0.0.1 (free ports) and are stopped at the end. Each run creates a 10-state Pass chain and
starts `--executions` executions from `--clients` threads (one boto3 client each, keep-alive connections):
- start+wait: StartExecution, then DescribeExecution until the execution has ended;
- sync: StartSyncExecution of an EXPRESS machine (moto does not implement it: reported as n/a).
Prints executions per second and p50/p99 latency per server and mode, measured in the same run. Needs boto3 and
moto[server] in the Python that runs it (moto's own venv works).
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import boto3
import botocore.config

CHAIN = {
    "StartAt": "S0",
    "States": {
        **{f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}"} for i in range(9)},
        "S9": {"Type": "Pass", "End": True},
    },
}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def client(endpoint, clients):
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(
            inject_host_prefix=False, max_pool_connections=clients, retries={"max_attempts": 1}
        ),
    )


def wait_until_up(endpoint):
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            client(endpoint, 1).list_state_machines()
            return
        except Exception:
            time.sleep(0.2)
    raise SystemExit(f"{endpoint} did not come up")


def run(endpoint, mode, executions, clients):
    kind = "EXPRESS" if mode == "sync" else "STANDARD"
    setup = client(endpoint, 1)
    name = f"chain-{mode}-{int(time.time() * 1000)}"
    machine = setup.create_state_machine(
        name=name, definition=json.dumps(CHAIN), roleArn="arn:aws:iam::123456789012:role/bench", type=kind
    )["stateMachineArn"]
    latencies = []
    lock = threading.Lock()
    counter = iter(range(executions))
    errors = []

    def worker():
        sfn = client(endpoint, clients)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            began = time.perf_counter()
            try:
                if mode == "sync":
                    answer = sfn.start_sync_execution(stateMachineArn=machine, name=f"e-{n}", input='{"n": %d}' % n)
                    status = answer["status"]
                else:
                    arn = sfn.start_execution(stateMachineArn=machine, name=f"e-{n}", input='{"n": %d}' % n)["executionArn"]
                    deadline = time.time() + 60
                    while True:
                        status = sfn.describe_execution(executionArn=arn)["status"]
                        if status != "RUNNING" or time.time() > deadline:
                            break
                if status != "SUCCEEDED":
                    raise RuntimeError(status)
            except Exception as error:  # reported, not hidden
                with lock:
                    errors.append(str(error))
                return
            with lock:
                latencies.append(time.perf_counter() - began)

    began = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    if errors:
        return {"error": errors[0], "done": len(latencies)}
    latencies.sort()
    return {
        "per_second": len(latencies) / elapsed,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--stepfn", required=True)
    parser.add_argument("--moto-server", required=True)
    parser.add_argument("--executions", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=64)
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="stepfn-bench-")
    stepfn_port, moto_port = free_port(), free_port()
    servers = [
        subprocess.Popen([args.stepfn, "serve", "--port", str(stepfn_port), "--data-dir", data_dir],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        subprocess.Popen([args.moto_server, "-H", "127.0.0.1", "-p", str(moto_port)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, "SF_EXECUTION_HISTORY_TYPE": "SUCCESS"}),
    ]
    try:
        endpoints = {"stepfn serve": f"http://127.0.0.1:{stepfn_port}", "moto": f"http://127.0.0.1:{moto_port}"}
        for endpoint in endpoints.values():
            wait_until_up(endpoint)
        # moto only records executions unless asked to run them (its configuration API).
        import urllib.request
        request = urllib.request.Request(
            endpoints["moto"] + "/moto-api/config",
            data=json.dumps({"stepfunctions": {"execute_state_machine": True}}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        urllib.request.urlopen(request, timeout=10).read()
        results = {}
        for mode in ["start+wait", "sync"]:
            for server, endpoint in endpoints.items():
                if server == "moto" and mode == "sync":
                    results[(server, mode)] = {"error": "not implemented by moto"}
                    continue
                results[(server, mode)] = run(endpoint, mode, args.executions, args.clients)
        print(f"{args.executions} executions of a 10-state Pass chain, {args.clients} concurrent clients")
        print(f"{'server':<14} {'mode':<11} {'exec/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
        for (server, mode), result in results.items():
            if "error" in result:
                print(f"{server:<14} {mode:<11} {'n/a':>10}   ({result['error']})")
            else:
                print(f"{server:<14} {mode:<11} {result['per_second']:>10.0f} {result['p50_ms']:>9.1f} {result['p99_ms']:>9.1f}")
        ours, theirs = results[("stepfn serve", "start+wait")], results[("moto", "start+wait")]
        if "per_second" in ours and "per_second" in theirs:
            print(f"start+wait throughput: stepfn serve / moto = {ours['per_second'] / theirs['per_second']:.1f}x")
    finally:
        for server in servers:
            server.kill()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
