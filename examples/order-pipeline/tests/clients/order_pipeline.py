#!/usr/bin/env python3
"""boto3 and the AWS CLI drive the order pipeline served by its own binary, as a user's code would.

    cargo run -p order-pipeline -- serve --virtual-time --mock examples/order-pipeline/mocks.json &
    python order_pipeline.py http://127.0.0.1:8083 DEFINITION_FILE ORDER_FILE [--aws PATH_TO_AWS]

With each client: create the pipeline (the binary created it already; the same definition is the same machine),
start it with the `HappyPath` test case (the DynamoDB write mocked, every step real), read DescribeExecution and the
history, complete a callback task with SendTaskSuccess after failing it once and redriving the execution, and run
an EXPRESS copy with StartSyncExecution, and test a state with TestState (the `sync-` host prefix of both turned off: `inject_host_prefix=False` for boto3,
`AWS_DISABLE_HOST_PREFIX_INJECTION=true` for the CLI). Exits 1 with a message at the first failure.
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

import boto3
from botocore.config import Config

ROLE = "arn:aws:iam::123456789012:role/stepfn"
RUN = uuid.uuid4().hex[:8]
DEADLINE_SECONDS = 60.0

APPROVAL = {
    "StartAt": "Price",
    "States": {
        "Price": {"Type": "Pass", "Assign": {"price": 42}, "Next": "Approve"},
        "Approve": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {
                "QueueUrl": "https://sqs.us-east-1.amazonaws.com/123456789012/approvals",
                "MessageBody": {"token.$": "$$.Task.Token"},
            },
            "Next": "Approved",
        },
        "Approved": {"Type": "Pass", "Parameters": {"approved.$": "$.approved", "price.$": "$price"}, "End": True},
    },
}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def say(message):
    print(f"  ok: {message}", flush=True)


def poll(what, read):
    """`read()` until it returns something, or fail after the deadline."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:
        value = read()
        if value is not None:
            return value
        check(time.monotonic() < deadline, f"timed out waiting for {what}")
        time.sleep(0.02)


class Boto3:
    """The operations the scenario needs, through boto3."""

    name = "boto3"

    def __init__(self, endpoint):
        common = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="test",
                      aws_secret_access_key="test")
        retries = {"mode": "standard", "total_max_attempts": 1}
        self.client = boto3.client("stepfunctions", config=Config(retries=retries), **common)
        self.sync_client = boto3.client(
            "stepfunctions", config=Config(inject_host_prefix=False, retries=retries), **common
        )

    def call(self, operation, **kwargs):
        # StartSyncExecution and TestState carry the `sync-` host prefix.
        client = self.sync_client if operation in ("start_sync_execution", "test_state") else self.client
        answer = getattr(client, operation)(**kwargs)
        answer.pop("ResponseMetadata", None)
        return json.loads(json.dumps(answer, default=str))


class AwsCli:
    """The same operations through the AWS CLI (`aws stepfunctions OPERATION --cli-input-json ...`)."""

    name = "aws-cli"

    def __init__(self, aws, endpoint, home):
        self.aws, self.endpoint = aws, endpoint
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k != "HOME"}
        self.env.update(
            HOME=home, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1",
            AWS_CONFIG_FILE=os.path.join(home, "no-config"),
            AWS_SHARED_CREDENTIALS_FILE=os.path.join(home, "no-credentials"),
            AWS_EC2_METADATA_DISABLED="true", AWS_MAX_ATTEMPTS="1", AWS_PAGER="",
            # StartSyncExecution's `sync-` host prefix, off for a local endpoint.
            AWS_DISABLE_HOST_PREFIX_INJECTION="true",
        )

    def call(self, operation, **kwargs):
        command = operation.replace("_", "-")
        done = subprocess.run(
            [self.aws, "--endpoint-url", self.endpoint, "--output", "json", "stepfunctions", command,
             "--cli-input-json", json.dumps(kwargs)],
            env=self.env, capture_output=True, text=True, timeout=120,
        )
        check(done.returncode == 0, f"aws stepfunctions {command}: exit {done.returncode}\n{done.stderr}")
        return json.loads(done.stdout) if done.stdout.strip() else {}


def closed(client, execution_arn):
    def read():
        described = client.call("describe_execution", executionArn=execution_arn)
        return None if described["status"] == "RUNNING" else described
    return poll(f"{execution_arn} to end", read)


def token(client, execution_arn, nth):
    """The token of the `nth` (from 1) callback task scheduled in the execution, from its history."""
    def read():
        events = client.call("get_execution_history", executionArn=execution_arn)["events"]
        scheduled = [e for e in events if e["type"] == "TaskScheduled"]
        if len(scheduled) < nth:
            return None
        parameters = json.loads(scheduled[nth - 1]["taskScheduledEventDetails"]["parameters"])
        return parameters["MessageBody"]["token"]
    return poll("the callback task", read)


def scenario(client, definition, order):
    print(f"scenario {client.name}", flush=True)
    created = client.call("create_state_machine", name="OrderPipeline", definition=definition, roleArn=ROLE)
    machine = created["stateMachineArn"]
    check(machine.endswith(":stateMachine:OrderPipeline"), f"create_state_machine: {created}")
    say("CreateStateMachine OrderPipeline (the binary's own: the same definition is the same machine)")

    started = client.call("start_execution", stateMachineArn=f"{machine}#HappyPath",
                          name=f"{client.name}-{RUN}", input=order)
    done = closed(client, started["executionArn"])
    check(done["status"] == "SUCCEEDED", f"the order pipeline: {done}")
    output = json.loads(done["output"])
    check(output["orderId"] == "o-1" and output["parcels"] >= 1, f"the order pipeline's output: {output}")
    say(f"StartExecution (HappyPath) -> DescribeExecution SUCCEEDED, output {done['output']}")
    events = client.call("get_execution_history", executionArn=started["executionArn"])["events"]
    entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
    for state in ["ValidateOrder", "CheckAmount", "Fulfil", "ReserveStock", "ChargeCard", "PackLines",
                  "ShipOrder", "RecordShipment", "Done"]:
        check(state in entered, f"the history enters {state}: {entered}")
    check(events[-1]["type"] == "ExecutionSucceeded", f"the history ends: {events[-1]}")
    say(f"GetExecutionHistory: {len(events)} events through every state the order took")

    approval = client.call("create_state_machine", name=f"Approval-{client.name}-{RUN}",
                           definition=json.dumps(APPROVAL), roleArn=ROLE)["stateMachineArn"]
    execution = client.call("start_execution", stateMachineArn=approval)["executionArn"]
    client.call("send_task_failure", taskToken=token(client, execution, 1), error="NotYet", cause="away")
    failed = closed(client, execution)
    check(failed["status"] == "FAILED" and failed["error"] == "NotYet", f"SendTaskFailure: {failed}")
    check(failed.get("redriveStatus") == "REDRIVABLE", f"redrivable: {failed}")
    client.call("redrive_execution", executionArn=execution)
    client.call("send_task_success", taskToken=token(client, execution, 2), output='{"approved": true}')
    done = closed(client, execution)
    check(done["status"] == "SUCCEEDED" and json.loads(done["output"]) == {"approved": True, "price": 42},
          f"after the redrive: {done}")
    check(done.get("redriveCount") == 1, f"redriveCount: {done}")
    say("callback failed (SendTaskFailure), RedriveExecution, then SendTaskSuccess -> SUCCEEDED, redriveCount 1")

    tested = client.call("test_state", definition=definition, stateName="ValidateOrder", input=order,
                         inspectionLevel="DEBUG")
    check(tested["status"] == "SUCCEEDED" and tested.get("nextState") == "CheckAmount", f"TestState: {tested}")
    check(json.loads(tested["inspectionData"]["input"]) == json.loads(order), f"TestState's inspection: {tested}")
    say("TestState ValidateOrder (the real step, DEBUG) -> SUCCEEDED, nextState CheckAmount")
    caught = client.call("test_state", definition=definition, stateName="ValidateOrder", input=order,
                         mock={"errorOutput": {"error": "InvalidOrder", "cause": "no lines"}})
    check(caught["status"] == "CAUGHT_ERROR" and caught.get("nextState") == "Rejected", f"TestState: {caught}")
    say("TestState ValidateOrder with a mocked InvalidOrder -> CAUGHT_ERROR, nextState Rejected")

    express = client.call("create_state_machine", name="OrderPipelineExpress", definition=definition,
                          roleArn=ROLE, type="EXPRESS")["stateMachineArn"]
    sync = client.call("start_sync_execution", stateMachineArn=f"{express}#HappyPath", input=order)
    check(sync["status"] == "SUCCEEDED" and json.loads(sync["output"])["orderId"] == "o-1",
          f"StartSyncExecution: {sync}")
    say("StartSyncExecution of the EXPRESS copy -> SUCCEEDED")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint")
    parser.add_argument("definition", help="the order pipeline's definition (a file)")
    parser.add_argument("order", help="an order (a JSON file)")
    parser.add_argument("--aws", help="the aws executable (default: the one beside this Python, then PATH)")
    args = parser.parse_args()
    with open(args.definition) as f:
        definition = f.read()
    with open(args.order) as f:
        order = f.read()
    aws = args.aws or shutil.which("aws", path=os.path.dirname(sys.executable)) or shutil.which("aws")
    check_aws = aws is not None
    try:
        scenario(Boto3(args.endpoint), definition, order)
        if not check_aws:
            raise Failure("no `aws` executable (pip install awscli)")
        with tempfile.TemporaryDirectory(prefix="stepfn-aws-cli-") as home:
            scenario(AwsCli(aws, args.endpoint, home), definition, order)
    except (Failure, subprocess.TimeoutExpired, KeyError, json.JSONDecodeError) as error:
        print(f"FAILED: {type(error).__name__}: {error}", flush=True)
        return 1
    except Exception as error:  # noqa: BLE001 (boto3's ClientError and the like, shown with the server's answer)
        print(f"FAILED: {type(error).__name__}: {error}", flush=True)
        return 1
    print("boto3 and the AWS CLI drove the order pipeline", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
