#!/usr/bin/env python3
"""Drives a Step Functions endpoint (`stepfn serve`) with the AWS CLI, as a user types it:

    python aws_cli_client.py http://127.0.0.1:PORT [--aws PATH/TO/aws]

Runs `aws --endpoint-url URL stepfunctions ...`: create-state-machine, describe-state-machine,
list-state-machines, start-execution, describe-execution (polled to SUCCEEDED), get-execution-history (whole,
`--max-items`, `--reverse-order`), an error (StateMachineDoesNotExist) and start-sync-execution on an EXPRESS
machine, and test-state. Prints each command and what it checked; exits 1 with a message on the first failure.

The CLI's own configuration is isolated: dummy credentials in the environment, no config or credentials file.
start-sync-execution: the CLI (like boto3) puts the `sync-` host prefix before the endpoint's host; the environment
variable `AWS_DISABLE_HOST_PREFIX_INJECTION=true` (or `disable_host_prefix_injection = true` in the profile) turns
that off, and it is set here for that one command.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

RUN = uuid.uuid4().hex[:8]
ROLE = "arn:aws:iam::123456789012:role/stepfn-serve-test"
DEADLINE_SECONDS = 60.0
COMMAND_TIMEOUT = 120

DEFINITION = {
    "StartAt": "Greet",
    "States": {
        "Greet": {
            "Type": "Pass",
            "Parameters": {"greeting.$": "States.Format('Hello, {}!', $.name)"},
            "Next": "Pause",
        },
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "Check"},
        "Check": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.greeting", "StringEquals": "Hello, nobody!", "Next": "Refuse"}],
            "Default": "Done",
        },
        "Refuse": {"Type": "Fail", "Error": "NoOne", "Cause": "nobody to greet"},
        "Done": {"Type": "Succeed"},
    },
}
EXPRESS = {"StartAt": "Echo", "States": {"Echo": {"Type": "Pass", "ResultPath": "$.echoed", "End": True}}}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


class Cli:
    def __init__(self, aws, endpoint, home):
        self.aws = aws
        self.endpoint = endpoint
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_") and key not in ("HOME",)
        }
        self.env.update(
            HOME=home,
            AWS_ACCESS_KEY_ID="test",
            AWS_SECRET_ACCESS_KEY="test",
            AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=os.path.join(home, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "no-credentials"),
            AWS_EC2_METADATA_DISABLED="true",
            AWS_MAX_ATTEMPTS="1",
            AWS_PAGER="",
        )

    def run(self, *args, expect_ok=True, env=None):
        command = [self.aws, "--endpoint-url", self.endpoint, "--output", "json", "stepfunctions", *args]
        shown = " ".join(a if len(a) < 80 else a[:77] + "..." for a in command[1:])
        print(f"  $ aws {shown}", flush=True)
        done = subprocess.run(
            command,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
        )
        if expect_ok:
            check(done.returncode == 0, f"exit {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}")
            return json.loads(done.stdout) if done.stdout.strip() else {}
        check(done.returncode != 0, f"expected a failure, got exit 0: {done.stdout}")
        return done


def say(message):
    print(f"  ok: {message}", flush=True)


def scenario(cli, workdir):
    name = f"cli-{RUN}"
    definition_file = os.path.join(workdir, "definition.asl.json")
    with open(definition_file, "w") as f:
        json.dump(DEFINITION, f)

    created = cli.run(
        "create-state-machine", "--name", name, "--definition", f"file://{definition_file}", "--role-arn", ROLE
    )
    machine = created["stateMachineArn"]
    check(machine == f"arn:aws:states:us-east-1:123456789012:stateMachine:{name}", f"stateMachineArn {machine}")
    check("creationDate" in created, f"creationDate in {created}")
    say(f"create-state-machine -> {machine}")

    described = cli.run("describe-state-machine", "--state-machine-arn", machine)
    check(json.loads(described["definition"]) == DEFINITION, f"definition: {described['definition']}")
    check(described["name"] == name and described["type"] == "STANDARD", f"name and type: {described}")
    say("describe-state-machine: name, type STANDARD, the definition")

    listed = cli.run("list-state-machines")
    check(machine in [m["stateMachineArn"] for m in listed["stateMachines"]], "list-state-machines lists it")
    say("list-state-machines lists it")

    started = cli.run(
        "start-execution", "--state-machine-arn", machine, "--name", f"run-{RUN}", "--input", '{"name": "Ada"}'
    )
    execution = started["executionArn"]
    check(
        execution == f"arn:aws:states:us-east-1:123456789012:execution:{name}:run-{RUN}",
        f"executionArn {execution}",
    )
    say(f"start-execution -> {execution}")

    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        described = cli.run("describe-execution", "--execution-arn", execution)
        if described["status"] != "RUNNING":
            break
        check(time.monotonic() < deadline, f"still RUNNING after {DEADLINE_SECONDS:.0f} s")
        time.sleep(0.2)
    check(described["status"] == "SUCCEEDED", f"status {described['status']}: {described}")
    check(json.loads(described["output"]) == {"greeting": "Hello, Ada!"}, f"output {described.get('output')}")
    say("describe-execution polled to SUCCEEDED with output {\"greeting\": \"Hello, Ada!\"}")

    history = cli.run("get-execution-history", "--execution-arn", execution)
    types = [e["type"] for e in history["events"]]
    check(types[0] == "ExecutionStarted" and types[-1] == "ExecutionSucceeded", f"event types {types}")
    for wanted in ["PassStateEntered", "WaitStateEntered", "WaitStateExited", "ChoiceStateEntered", "SucceedStateEntered"]:
        check(wanted in types, f"no {wanted} in {types}")
    check([e["id"] for e in history["events"]] == list(range(1, len(types) + 1)), "event ids 1..n")
    say(f"get-execution-history: {len(types)} events, {types[0]} ... {types[-1]}")

    # --max-items pages on the client over the service's nextToken; the CLI hands back a NextToken to resume.
    first = cli.run("get-execution-history", "--execution-arn", execution, "--max-items", "2", "--page-size", "2")
    check(len(first["events"]) == 2, f"--max-items 2 gave {len(first['events'])} events")
    check(first.get("NextToken"), f"--max-items 2 of {len(types)} events gives a NextToken: {first}")
    rest = cli.run("get-execution-history", "--execution-arn", execution, "--starting-token", first["NextToken"], "--page-size", "3")
    check([e["id"] for e in first["events"] + rest["events"]] == list(range(1, len(types) + 1)), "events resumed from NextToken")
    say("get-execution-history --max-items 2 then --starting-token: every event once, in order")

    backwards = cli.run("get-execution-history", "--execution-arn", execution, "--reverse-order")
    check([e["id"] for e in backwards["events"]] == list(range(len(types), 0, -1)), "--reverse-order ids")
    say("get-execution-history --reverse-order: newest first")

    failed = cli.run("describe-state-machine", "--state-machine-arn", f"{machine}-missing", expect_ok=False)
    check("StateMachineDoesNotExist" in failed.stderr, f"stderr names StateMachineDoesNotExist: {failed.stderr}")
    say(f"describe-state-machine of an unknown ARN -> exit {failed.returncode}, StateMachineDoesNotExist")

    express_file = os.path.join(workdir, "express.asl.json")
    with open(express_file, "w") as f:
        json.dump(EXPRESS, f)
    express = cli.run(
        "create-state-machine", "--name", f"cli-express-{RUN}", "--definition", f"file://{express_file}",
        "--role-arn", ROLE, "--type", "EXPRESS",
    )["stateMachineArn"]
    result = cli.run(
        "start-sync-execution", "--state-machine-arn", express, "--input", '{"x": 1}',
        env={"AWS_DISABLE_HOST_PREFIX_INJECTION": "true"},
    )
    check(result["status"] == "SUCCEEDED", f"start-sync-execution status: {result}")
    check(json.loads(result["output"]) == {"x": 1, "echoed": {"x": 1}}, f"start-sync-execution output: {result}")
    say("start-sync-execution (AWS_DISABLE_HOST_PREFIX_INJECTION=true) on an EXPRESS machine -> SUCCEEDED")

    # test-state: one state, mocked, at DEBUG; like start-sync-execution it has the `sync-` host prefix.
    task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
            "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "ResultSelector": {"body.$": "$.Payload.body"},
            "ResultPath": "$.out", "Retry": [{"ErrorEquals": ["Throttled"], "MaxAttempts": 2}], "Next": "After"}
    no_prefix = {"AWS_DISABLE_HOST_PREFIX_INJECTION": "true"}
    tested = cli.run(
        "test-state", "--definition", json.dumps(task), "--input", '{"key": "value"}',
        "--mock", json.dumps({"result": json.dumps({"Payload": {"body": "Success"}})}),
        "--inspection-level", "DEBUG", env=no_prefix,
    )
    check(tested["status"] == "SUCCEEDED" and tested.get("nextState") == "After", f"test-state: {tested}")
    check(json.loads(tested["output"]) == {"key": "value", "out": {"body": "Success"}}, f"test-state output: {tested}")
    check(json.loads(tested["inspectionData"]["result"]) == {"Payload": {"body": "Success"}},
          f"test-state inspectionData.result: {tested}")
    say("test-state --mock --inspection-level DEBUG -> SUCCEEDED, output through ResultSelector and ResultPath")
    retried = cli.run(
        "test-state", "--definition", json.dumps(task), "--mock", '{"errorOutput": {"error": "Throttled"}}',
        "--state-configuration", '{"retrierRetryCount": 0}', "--inspection-level", "DEBUG", env=no_prefix,
    )
    check(retried["status"] == "RETRIABLE" and retried["error"] == "Throttled", f"test-state retried: {retried}")
    check(retried["inspectionData"]["errorDetails"] == {"retryIndex": 0, "retryBackoffIntervalSeconds": 1},
          f"test-state errorDetails: {retried}")
    say("test-state --state-configuration retrierRetryCount 0 with a mocked error -> RETRIABLE, back-off 1 s")
    refused = cli.run("test-state", "--definition", json.dumps(task), "--input", "{nope", expect_ok=False, env=no_prefix)
    check("InvalidExecutionInput" in refused.stderr, f"stderr names InvalidExecutionInput: {refused.stderr}")
    say("test-state with an input that is not JSON -> InvalidExecutionInput")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint")
    parser.add_argument("--aws", help="the aws executable (default: the one beside this Python, then PATH)")
    args = parser.parse_args()
    aws = args.aws or shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws")
    if not aws:
        print("FAILED: no `aws` executable (pip install awscli)")
        return 1
    version = subprocess.run([aws, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version} against {args.endpoint} (run {RUN})", flush=True)
    print("scenario aws_cli", flush=True)
    with tempfile.TemporaryDirectory(prefix="stepfn-aws-cli-") as workdir:
        try:
            scenario(Cli(aws, args.endpoint, workdir), workdir)
        except (Failure, subprocess.TimeoutExpired, json.JSONDecodeError, KeyError) as error:
            print(f"FAILED: scenario aws_cli: {type(error).__name__ + ': ' if not isinstance(error, Failure) else ''}{error}")
            return 1
    print("the AWS CLI scenario passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
