"""What a console page polling a running execution costs `stepfn serve`, against reading the execution whole, in one
run (run by hand, not in the test suite).

Usage:
    cargo build --release -p stepfn-cli
    python3 bench/console_poll.py [--items 1500] [--rounds 15] [--stepfn PATH]

`--stepfn` defaults to `stepfn` in `$CARGO_TARGET_DIR/release` (else `target/release`). Standard library only.

It starts `stepfn serve` on 127.0.0.1 (a free port, a temporary data directory; stopped at the end), runs an
execution whose Map of `--items` two-state iterations (six events each) is followed by a `.waitForTaskToken` task,
so it stays RUNNING with a long history, and then times, median of `--rounds`:
- the execution page's full read (`/console/api/execution?arn=...`: history, definition, visits);
- a poll of the same page that knows where the execution stands (`&unless=SIGNATURE`, answered `{"unchanged":true}`);
- GetExecutionHistory's first page of one event, and paging through the whole history 1000 at a time.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1500)
    parser.add_argument("--rounds", type=int, default=15)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(HERE, "..", "target")
    parser.add_argument("--stepfn", default=os.path.join(target, "release", "stepfn"))
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as data:
        server = subprocess.Popen(
            [args.stepfn, "serve", "--port", "0", "--data-dir", data],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            port = re.findall(r":(\d+)", server.stderr.readline())[-1]
            measure(f"http://127.0.0.1:{port}", args)
        finally:
            server.terminate()
            server.wait()


def measure(base, args):
    def call(operation, body):
        request = urllib.request.Request(
            base + "/",
            data=json.dumps(body).encode(),
            headers={
                "X-Amz-Target": "AWSStepFunctions." + operation,
                "Content-Type": "application/x-amz-json-1.0",
            },
        )
        return json.load(urllib.request.urlopen(request))

    def median_ms(action):
        times = []
        for _ in range(args.rounds):
            began = time.perf_counter()
            action()
            times.append(time.perf_counter() - began)
        return statistics.median(times) * 1000

    processor = {"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "Q"}, "Q": {"Type": "Pass", "End": True}}}
    definition = {"StartAt": "Each", "States": {
        "Each": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": None, "Next": "Hold",
                 "ItemProcessor": processor},
        "Hold": {"Type": "Task", "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
                 "Parameters": {"QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/q",
                                "MessageBody": {"token.$": "$$.Task.Token"}},
                 "End": True}}}
    machine = call("CreateStateMachine", {"name": "Poll", "definition": json.dumps(definition),
                                          "roleArn": "arn:aws:iam::123456789012:role/r"})["stateMachineArn"]
    execution = call("StartExecution", {"stateMachineArn": machine,
                                        "input": json.dumps({"items": list(range(args.items))})})["executionArn"]
    while True:
        last = call("GetExecutionHistory", {"executionArn": execution, "maxResults": 1, "reverseOrder": True})
        if last["events"] and last["events"][0]["type"] in ("TaskScheduled", "TaskStarted", "TaskSubmitted"):
            break
        time.sleep(0.2)

    page = base + "/console/api/execution?arn=" + urllib.parse.quote(execution, safe="")
    view = json.load(urllib.request.urlopen(page))
    poll = page + "&unless=" + urllib.parse.quote(view["signature"], safe="")
    assert urllib.request.urlopen(poll).read() == b'{"unchanged":true}'

    def whole_history():
        request = {"executionArn": execution, "maxResults": 1000}
        while True:
            answer = call("GetExecutionHistory", request)
            if "nextToken" not in answer:
                return
            request["nextToken"] = answer["nextToken"]

    full = median_ms(lambda: urllib.request.urlopen(page).read())
    unchanged = median_ms(lambda: urllib.request.urlopen(poll).read())
    first = median_ms(lambda: call("GetExecutionHistory", {"executionArn": execution, "maxResults": 1}))
    paged = median_ms(whole_history)
    print(f"events: {len(view['events'])}")
    print(f"execution page, full read:      {full:9.2f} ms")
    print(f"execution page, unchanged poll: {unchanged:9.2f} ms  (full / poll: {full / unchanged:.0f}x)")
    print(f"GetExecutionHistory, 1 event:   {first:9.2f} ms")
    print(f"GetExecutionHistory, all pages: {paged:9.2f} ms")


if __name__ == "__main__":
    sys.exit(main())
