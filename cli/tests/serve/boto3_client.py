#!/usr/bin/env python3
"""Drives a Step Functions endpoint (`stepfn serve`) with boto3, as a user's code would, and checks AWS's behaviour.

    python boto3_client.py http://127.0.0.1:PORT [--only NAME,NAME] [--keep-going] [--list]

Each scenario prints what it checked. The first failure ends the run with a message and exit status 1 (with
`--keep-going`, every scenario runs and the run exits 1 if any failed). Names are unique per run, so the script
can run again against the same server.

StartSyncExecution: the service model gives that operation the host prefix `sync-`, so boto3 sends it to
`http://sync-127.0.0.1:PORT/`, which does not resolve. A client for a local endpoint turns the prefix off with
`botocore.config.Config(inject_host_prefix=False)` (or, for every client of the process and for the AWS CLI, the
environment variable `AWS_DISABLE_HOST_PREFIX_INJECTION=true` or `disable_host_prefix_injection = true` in the
profile). The same client then works for every other operation too.
"""

import argparse
import json
import os
import sys
import time
import traceback
import uuid

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stepfn-serve-test"
RUN = uuid.uuid4().hex[:8]
# Polls stop at this deadline: a slow machine waits longer, a hung server fails the scenario instead of the run
# hanging.
DEADLINE_SECONDS = 60.0

# The main workflow: Pass, Choice, Wait (1 s, real time), Map (inline), Parallel, Succeed; `"mode": "fail"` takes the
# Choice to a Fail state instead.
FLOW = {
    "Comment": "stepfn serve test: every flow state",
    "StartAt": "Init",
    "States": {
        "Init": {"Type": "Pass", "Parameters": {"items.$": "$.items", "mode.$": "$.mode"}, "Next": "Route"},
        "Route": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.mode", "StringEquals": "fail", "Next": "Boom"}],
            "Default": "Pause",
        },
        "Boom": {"Type": "Fail", "Error": "Boom.Failed", "Cause": "mode was fail"},
        "Pause": {"Type": "Wait", "Seconds": 1, "Next": "EachItem"},
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Wrap",
                "States": {"Wrap": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}},
            },
            "ResultPath": "$.mapped",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": "left", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "right", "End": True}}},
            ],
            "ResultPath": "$.branches",
            "Next": "Done",
        },
        "Done": {"Type": "Succeed"},
    },
}
FLOW_INPUT = {"items": [1, 2, 3], "mode": "ok"}
FLOW_OUTPUT = {
    "items": [1, 2, 3],
    "mode": "ok",
    "mapped": [{"n": 1}, {"n": 2}, {"n": 3}],
    "branches": ["left", "right"],
}

# An hour-long Wait in real time: executions that stay RUNNING until stopped.
LONG_WAIT = {
    "StartAt": "Sleep",
    "States": {"Sleep": {"Type": "Wait", "Seconds": 3600, "Next": "Done"}, "Done": {"Type": "Succeed"}},
}

# For the EXPRESS machine run with StartSyncExecution: no Wait, so the call returns at once.
EXPRESS_FLOW = {
    "StartAt": "Route",
    "States": {
        "Route": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.mode", "StringEquals": "fail", "Next": "Boom"}],
            "Default": "EachItem",
        },
        "Boom": {"Type": "Fail", "Error": "Sync.Failed", "Cause": "sync mode was fail"},
        "EachItem": {
            "Type": "Map",
            "ItemsPath": "$.items",
            "ItemProcessor": {
                "ProcessorConfig": {"Mode": "INLINE"},
                "StartAt": "Wrap",
                "States": {"Wrap": {"Type": "Pass", "Parameters": {"n.$": "$"}, "End": True}},
            },
            "ResultPath": "$.mapped",
            "Next": "Both",
        },
        "Both": {
            "Type": "Parallel",
            "Branches": [
                {"StartAt": "Left", "States": {"Left": {"Type": "Pass", "Result": "left", "End": True}}},
                {"StartAt": "Right", "States": {"Right": {"Type": "Pass", "Result": "right", "End": True}}},
            ],
            "ResultPath": "$.branches",
            "End": True,
        },
    },
}

# `Next` names a state that does not exist: AWS rejects it (InvalidDefinition; ValidateStateMachineDefinition
# reports it as an ERROR diagnostic).
BROKEN = {"StartAt": "First", "States": {"First": {"Type": "Pass", "Next": "Nowhere"}}}


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def check_eq(actual, expected, what):
    if actual != expected:
        raise Failure(f"{what}: expected {expected!r}, got {actual!r}")


def expect_error(code, call, *args, **kwargs):
    """Calls `call`, which must fail with the AWS error `code` over HTTP 400; returns the error response."""
    try:
        result = call(*args, **kwargs)
    except ClientError as error:
        got = error.response.get("Error", {}).get("Code")
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        check(got == code, f"{call.__name__}: expected error {code}, got {got} (HTTP {status}): {error}")
        check(status == 400, f"{call.__name__}: {code} came with HTTP {status}, not 400")
        return error.response
    raise Failure(f"{call.__name__}: expected error {code}, but the call succeeded: {result!r}")


def say(message):
    print(f"  ok: {message}", flush=True)


def sm_arn(name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{name}"


def exec_arn(machine, name):
    return f"arn:aws:states:{REGION}:{ACCOUNT}:execution:{machine}:{name}"


def wait_until_closed(client, execution_arn, want):
    """Polls DescribeExecution until the execution leaves RUNNING (or the deadline passes); checks the status."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    delay = 0.05
    while True:
        described = client.describe_execution(executionArn=execution_arn)
        if described["status"] != "RUNNING":
            break
        if time.monotonic() > deadline:
            raise Failure(f"{execution_arn} still RUNNING after {DEADLINE_SECONDS:.0f} s (expected {want})")
        time.sleep(delay)
        delay = min(delay * 2, 0.5)
    check_eq(described["status"], want, f"status of {execution_arn}")
    return described


def full_history(client, execution_arn, **kwargs):
    events, token = [], None
    while True:
        page = client.get_execution_history(executionArn=execution_arn, **kwargs, **({"nextToken": token} if token else {}))
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events
        check(len(events) < 100_000, "GetExecutionHistory never stops paging")


def list_all_machines(client):
    items, token = [], None
    while True:
        page = client.list_state_machines(**({"nextToken": token} if token else {}))
        items.extend(page["stateMachines"])
        token = page.get("nextToken")
        if not token:
            return items
        check(len(items) < 100_000, "ListStateMachines never stops paging")


def list_all_executions(client, **kwargs):
    items, token = [], None
    while True:
        page = client.list_executions(**kwargs, **({"nextToken": token} if token else {}))
        items.extend(page["executions"])
        token = page.get("nextToken")
        if not token:
            return items
        check(len(items) < 100_000, "ListExecutions never stops paging")


class Scenarios:
    def __init__(self, endpoint):
        common = dict(
            endpoint_url=endpoint,
            region_name=REGION,
            aws_access_key_id="test",
            aws_secret_access_key="test",
        )
        # No retries: a failure shows at once, with the server's own answer.
        retries = {"mode": "standard", "total_max_attempts": 1}
        self.client = boto3.client(
            "stepfunctions", config=Config(retries=retries, connect_timeout=5, read_timeout=60), **common
        )
        # The client for StartSyncExecution (see the module's doc): no `sync-` host prefix.
        self.sync_client = boto3.client(
            "stepfunctions",
            config=Config(inject_host_prefix=False, retries=retries, connect_timeout=5, read_timeout=60),
            **common,
        )
        self.flow_name = f"flow-{RUN}"
        self.flow_arn = None
        self.wait_name = f"long-wait-{RUN}"
        self.wait_arn = None
        self.succeeded_arn = None
        self.failed_arn = None

    # Machines shared by the scenarios, created on first use.
    def flow_machine(self):
        if self.flow_arn is None:
            self.flow_arn = self.client.create_state_machine(
                name=self.flow_name, definition=json.dumps(FLOW), roleArn=ROLE, type="STANDARD"
            )["stateMachineArn"]
        return self.flow_arn

    def wait_machine(self):
        if self.wait_arn is None:
            self.wait_arn = self.client.create_state_machine(
                name=self.wait_name, definition=json.dumps(LONG_WAIT), roleArn=ROLE
            )["stateMachineArn"]
        return self.wait_arn

    def succeeded_execution(self):
        if self.succeeded_arn is None:
            self.scenario_execution_succeeds()
        return self.succeeded_arn

    def failed_execution(self):
        if self.failed_arn is None:
            self.scenario_fail_state_fails_the_execution()
        return self.failed_arn

    def scenario_state_machine_lifecycle(self):
        c = self.client
        created = c.create_state_machine(
            name=self.flow_name, definition=json.dumps(FLOW), roleArn=ROLE, type="STANDARD"
        )
        self.flow_arn = created["stateMachineArn"]
        check_eq(self.flow_arn, sm_arn(self.flow_name), "CreateStateMachine stateMachineArn")
        check(hasattr(created.get("creationDate"), "timestamp"), f"creationDate is a timestamp: {created!r}")
        say(f"CreateStateMachine (STANDARD, Pass/Choice/Wait/Map/Parallel) -> {self.flow_arn}")

        described = c.describe_state_machine(stateMachineArn=self.flow_arn)
        check_eq(described["stateMachineArn"], self.flow_arn, "DescribeStateMachine stateMachineArn")
        check_eq(described["name"], self.flow_name, "DescribeStateMachine name")
        check_eq(json.loads(described["definition"]), FLOW, "DescribeStateMachine definition")
        check_eq(described["roleArn"], ROLE, "DescribeStateMachine roleArn")
        check_eq(described["type"], "STANDARD", "DescribeStateMachine type")
        check_eq(described.get("status"), "ACTIVE", "DescribeStateMachine status")
        check(hasattr(described.get("creationDate"), "timestamp"), "DescribeStateMachine creationDate")
        say("DescribeStateMachine: name, definition, roleArn, type STANDARD, status ACTIVE, creationDate")

        listed = [m for m in list_all_machines(c) if m["stateMachineArn"] == self.flow_arn]
        check_eq(len(listed), 1, "ListStateMachines entries for the new machine")
        check_eq(listed[0]["name"], self.flow_name, "ListStateMachines name")
        check_eq(listed[0]["type"], "STANDARD", "ListStateMachines type")
        check(hasattr(listed[0].get("creationDate"), "timestamp"), "ListStateMachines creationDate")
        say("ListStateMachines lists it with name, type and creationDate")

        # A second machine, so that paging has more than one page.
        other_name = f"other-{RUN}"
        other_arn = c.create_state_machine(name=other_name, definition=json.dumps(LONG_WAIT), roleArn=ROLE)[
            "stateMachineArn"
        ]
        seen, token, pages = [], None, 0
        while True:
            page = c.list_state_machines(maxResults=1, **({"nextToken": token} if token else {}))
            pages += 1
            check(len(page["stateMachines"]) <= 1, f"ListStateMachines maxResults=1 gave {len(page['stateMachines'])}")
            seen.extend(m["stateMachineArn"] for m in page["stateMachines"])
            token = page.get("nextToken")
            if not token:
                break
            check(pages < 10_000, "ListStateMachines never stops paging")
        check(self.flow_arn in seen and other_arn in seen, "paging ListStateMachines reaches both machines")
        check_eq(len(seen), len(set(seen)), "machines repeated across ListStateMachines pages")
        say(f"ListStateMachines maxResults=1 pages through {len(seen)} machines in {pages} pages, none twice")

        again = c.create_state_machine(
            name=self.flow_name, definition=json.dumps(FLOW), roleArn=ROLE, type="STANDARD"
        )
        check_eq(again["stateMachineArn"], self.flow_arn, "CreateStateMachine again, same definition")
        say("CreateStateMachine with the same name and definition is idempotent (same ARN)")
        expect_error(
            "StateMachineAlreadyExists",
            c.create_state_machine,
            name=self.flow_name,
            definition=json.dumps(LONG_WAIT),
            roleArn=ROLE,
        )
        say("CreateStateMachine with the same name, another definition -> StateMachineAlreadyExists")

        updated = c.update_state_machine(stateMachineArn=other_arn, definition=json.dumps(FLOW))
        check(hasattr(updated.get("updateDate"), "timestamp"), f"UpdateStateMachine updateDate: {updated!r}")
        check_eq(
            json.loads(c.describe_state_machine(stateMachineArn=other_arn)["definition"]),
            FLOW,
            "definition after UpdateStateMachine",
        )
        say("UpdateStateMachine returns updateDate; DescribeStateMachine shows the new definition")

        c.delete_state_machine(stateMachineArn=other_arn)
        try:
            status = c.describe_state_machine(stateMachineArn=other_arn).get("status")
            # AWS deletes asynchronously: DELETING is what it shows meanwhile.
            check_eq(status, "DELETING", "status of a deleted machine that DescribeStateMachine still finds")
        except ClientError as error:
            check_eq(error.response["Error"]["Code"], "StateMachineDoesNotExist", "DescribeStateMachine after delete")
        say("DeleteStateMachine: the machine is gone (StateMachineDoesNotExist) or DELETING")

    def scenario_execution_succeeds(self):
        c = self.client
        machine = self.flow_machine()
        name = f"ok-{RUN}"
        started = c.start_execution(stateMachineArn=machine, name=name, input=json.dumps(FLOW_INPUT))
        check_eq(started["executionArn"], exec_arn(self.flow_name, name), "StartExecution executionArn")
        check(hasattr(started.get("startDate"), "timestamp"), "StartExecution startDate")
        self.succeeded_arn = started["executionArn"]
        say(f"StartExecution -> {started['executionArn']}")

        described = wait_until_closed(c, self.succeeded_arn, "SUCCEEDED")
        check_eq(json.loads(described["output"]), FLOW_OUTPUT, "DescribeExecution output")
        check_eq(json.loads(described["input"]), FLOW_INPUT, "DescribeExecution input")
        check_eq(described["stateMachineArn"], machine, "DescribeExecution stateMachineArn")
        check_eq(described["name"], name, "DescribeExecution name")
        check(described["stopDate"] >= described["startDate"], "stopDate is not before startDate")
        check(
            (described["stopDate"] - described["startDate"]).total_seconds() >= 0.9,
            "the 1 s Wait state took at least about a second of real time",
        )
        say("DescribeExecution polled to SUCCEEDED; output is the Pass/Map/Parallel result; input, dates")

        for_execution = c.describe_state_machine_for_execution(executionArn=self.succeeded_arn)
        check_eq(for_execution["stateMachineArn"], machine, "DescribeStateMachineForExecution stateMachineArn")
        check_eq(for_execution["name"], self.flow_name, "DescribeStateMachineForExecution name")
        check_eq(json.loads(for_execution["definition"]), FLOW, "DescribeStateMachineForExecution definition")
        check_eq(for_execution["roleArn"], ROLE, "DescribeStateMachineForExecution roleArn")
        check(hasattr(for_execution.get("updateDate"), "timestamp"), "DescribeStateMachineForExecution updateDate")
        say("DescribeStateMachineForExecution gives the machine's name, definition, roleArn, updateDate")

    def scenario_execution_history(self):
        c = self.client
        execution = self.succeeded_execution()
        events = full_history(c, execution)
        types = [e["type"] for e in events]
        check(len(events) >= 10, f"history has {len(events)} events: {types}")
        check_eq([e["id"] for e in events], list(range(1, len(events) + 1)), "event ids")
        check_eq(types[0], "ExecutionStarted", "first event")
        check_eq(types[-1], "ExecutionSucceeded", "last event")
        for before, after in zip(events, events[1:]):
            check(before["timestamp"] <= after["timestamp"], f"timestamps go back at event {after['id']}")
            check(
                isinstance(after.get("previousEventId"), int) and 0 <= after["previousEventId"] < after["id"],
                f"event {after['id']} previousEventId {after.get('previousEventId')!r}",
            )
        for wanted in [
            "PassStateEntered",
            "PassStateExited",
            "ChoiceStateEntered",
            "ChoiceStateExited",
            "WaitStateEntered",
            "WaitStateExited",
            "MapStateEntered",
            "MapStateStarted",
            "MapStateSucceeded",
            "MapStateExited",
            "ParallelStateEntered",
            "ParallelStateStarted",
            "ParallelStateSucceeded",
            "ParallelStateExited",
            "SucceedStateEntered",
        ]:
            check(wanted in types, f"history has no {wanted} event: {types}")
        check_eq(types.count("MapIterationStarted"), 3, "MapIterationStarted events (3 items)")
        check_eq(types.count("MapIterationSucceeded"), 3, "MapIterationSucceeded events (3 items)")
        entered = [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]
        for state in ["Init", "Route", "Pause", "EachItem", "Wrap", "Both", "Left", "Right", "Done"]:
            check(state in entered, f"no StateEntered event names state {state}: {entered}")
        check_eq(
            json.loads(events[0]["executionStartedEventDetails"]["input"]), FLOW_INPUT, "ExecutionStarted input"
        )
        check_eq(
            json.loads(events[-1]["executionSucceededEventDetails"]["output"]),
            FLOW_OUTPUT,
            "ExecutionSucceeded output",
        )
        say(f"GetExecutionHistory: {len(events)} events, ids 1..{len(events)}, AWS's event types for every state")

        paged, token, pages = [], None, 0
        while True:
            page = c.get_execution_history(executionArn=execution, maxResults=4, **({"nextToken": token} if token else {}))
            pages += 1
            check(len(page["events"]) <= 4, f"maxResults=4 gave {len(page['events'])} events")
            paged.extend(page["events"])
            token = page.get("nextToken")
            if not token:
                break
            check(pages < 10_000, "GetExecutionHistory never stops paging")
        check_eq([e["id"] for e in paged], [e["id"] for e in events], "event ids paged by 4")
        check_eq(paged, events, "events paged by 4")
        check(pages >= 3, f"only {pages} pages of 4 for {len(events)} events")
        say(f"GetExecutionHistory maxResults=4: {pages} pages, the same events in order")

        backwards = full_history(c, execution, reverseOrder=True)
        check_eq([e["id"] for e in backwards], [e["id"] for e in reversed(events)], "reverseOrder event ids")
        backwards_paged = full_history(c, execution, reverseOrder=True, maxResults=3)
        check_eq([e["id"] for e in backwards_paged], [e["id"] for e in reversed(events)], "reverseOrder paged by 3")
        say("GetExecutionHistory reverseOrder=True (whole and paged by 3): the events newest first")

        bare = full_history(c, execution, includeExecutionData=False)
        check_eq([e["type"] for e in bare], types, "event types without execution data")
        started = bare[0].get("executionStartedEventDetails", {})
        check("input" not in started, f"includeExecutionData=False still gives the input: {started!r}")
        succeeded = bare[-1].get("executionSucceededEventDetails", {})
        check("output" not in succeeded, f"includeExecutionData=False still gives the output: {succeeded!r}")
        say("GetExecutionHistory includeExecutionData=False leaves out input and output")

    def scenario_fail_state_fails_the_execution(self):
        c = self.client
        machine = self.flow_machine()
        started = c.start_execution(stateMachineArn=machine, name=f"fails-{RUN}", input=json.dumps({"items": [], "mode": "fail"}))
        self.failed_arn = started["executionArn"]
        described = wait_until_closed(c, self.failed_arn, "FAILED")
        check_eq(described.get("error"), "Boom.Failed", "DescribeExecution error")
        check_eq(described.get("cause"), "mode was fail", "DescribeExecution cause")
        check("output" not in described, f"a failed execution has no output: {described.get('output')!r}")
        events = full_history(c, self.failed_arn)
        check_eq(events[-1]["type"], "ExecutionFailed", "last event of the failed execution")
        details = events[-1].get("executionFailedEventDetails", {})
        check_eq((details.get("error"), details.get("cause")), ("Boom.Failed", "mode was fail"), "ExecutionFailed details")
        check("FailStateEntered" in [e["type"] for e in events], "history has a FailStateEntered event")
        say("Fail state -> FAILED with error Boom.Failed and cause; history ends with ExecutionFailed")

    def scenario_list_executions(self):
        c = self.client
        machine = self.flow_machine()
        ok, failed = self.succeeded_execution(), self.failed_execution()
        everything = list_all_executions(c, stateMachineArn=machine)
        arns = [e["executionArn"] for e in everything]
        check(ok in arns and failed in arns, f"ListExecutions lists both executions: {arns}")
        for entry in everything:
            for key in ["executionArn", "stateMachineArn", "name", "status", "startDate"]:
                check(key in entry, f"ListExecutions entry has no {key}: {entry!r}")
        say(f"ListExecutions lists {len(arns)} executions with arn, machine, name, status, startDate")

        succeeded = [e["executionArn"] for e in list_all_executions(c, stateMachineArn=machine, statusFilter="SUCCEEDED")]
        check(ok in succeeded and failed not in succeeded, f"statusFilter=SUCCEEDED: {succeeded}")
        failed_only = [e["executionArn"] for e in list_all_executions(c, stateMachineArn=machine, statusFilter="FAILED")]
        check(failed in failed_only and ok not in failed_only, f"statusFilter=FAILED: {failed_only}")
        statuses = {e["status"] for e in list_all_executions(c, stateMachineArn=machine, statusFilter="FAILED")}
        check(statuses <= {"FAILED"}, f"statusFilter=FAILED lists statuses {statuses}")
        say("ListExecutions statusFilter SUCCEEDED / FAILED keeps only those")

        paged, token, pages = [], None, 0
        while True:
            page = c.list_executions(stateMachineArn=machine, maxResults=1, **({"nextToken": token} if token else {}))
            pages += 1
            check(len(page["executions"]) <= 1, f"maxResults=1 gave {len(page['executions'])}")
            paged.extend(e["executionArn"] for e in page["executions"])
            token = page.get("nextToken")
            if not token:
                break
            check(pages < 10_000, "ListExecutions never stops paging")
        check_eq(sorted(paged), sorted(arns), "executions paged one at a time")
        say(f"ListExecutions maxResults=1: {pages} pages, every execution once")

        expect_error(
            "StateMachineDoesNotExist", c.list_executions, stateMachineArn=sm_arn(f"no-such-machine-{RUN}")
        )
        say("ListExecutions of an unknown machine -> StateMachineDoesNotExist")

    def scenario_stop_execution(self):
        c = self.client
        machine = self.wait_machine()
        execution = c.start_execution(stateMachineArn=machine, name=f"stopped-{RUN}", input="{}")["executionArn"]
        check_eq(c.describe_execution(executionArn=execution)["status"], "RUNNING", "status during the hour-long Wait")
        running = [e["executionArn"] for e in list_all_executions(c, stateMachineArn=machine, statusFilter="RUNNING")]
        check(execution in running, f"statusFilter=RUNNING lists the waiting execution: {running}")
        say("an execution in an hour-long Wait is RUNNING and listed under statusFilter=RUNNING")

        stopped = c.stop_execution(executionArn=execution, error="Test.Stopped", cause="stopped by the test")
        check(hasattr(stopped.get("stopDate"), "timestamp"), f"StopExecution stopDate: {stopped!r}")
        described = wait_until_closed(c, execution, "ABORTED")
        check("stopDate" in described, "an aborted execution has a stopDate")
        events = full_history(c, execution)
        check_eq(events[-1]["type"], "ExecutionAborted", "last event of the stopped execution")
        details = events[-1].get("executionAbortedEventDetails", {})
        check_eq(
            (details.get("error"), details.get("cause")),
            ("Test.Stopped", "stopped by the test"),
            "ExecutionAborted error and cause",
        )
        aborted = [e["executionArn"] for e in list_all_executions(c, stateMachineArn=machine, statusFilter="ABORTED")]
        check(execution in aborted, "statusFilter=ABORTED lists the stopped execution")
        say("StopExecution -> ABORTED at once (no waiting out the hour); history ends with ExecutionAborted")

    def scenario_start_execution_idempotency(self):
        c = self.client
        machine = self.wait_machine()
        name = f"twice-{RUN}"
        first = c.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
        second = c.start_execution(stateMachineArn=machine, name=name, input='{"a": 1}')
        check_eq(second["executionArn"], first["executionArn"], "executionArn of the repeated StartExecution")
        check_eq(second["startDate"], first["startDate"], "startDate of the repeated StartExecution")
        say("StartExecution twice with the same name and input while it runs -> the same execution")
        expect_error("ExecutionAlreadyExists", c.start_execution, stateMachineArn=machine, name=name, input='{"a": 2}')
        say("the same name with another input -> ExecutionAlreadyExists")
        c.stop_execution(executionArn=first["executionArn"])
        wait_until_closed(c, first["executionArn"], "ABORTED")
        # AWS: "If the execution is closed ... it returns a 400 ExecutionAlreadyExists error."
        expect_error("ExecutionAlreadyExists", c.start_execution, stateMachineArn=machine, name=name, input='{"a": 1}')
        say("the same name and input once that execution has closed -> ExecutionAlreadyExists")

    def scenario_start_sync_execution(self):
        c = self.sync_client
        name = f"express-{RUN}"
        machine = c.create_state_machine(
            name=name, definition=json.dumps(EXPRESS_FLOW), roleArn=ROLE, type="EXPRESS"
        )["stateMachineArn"]
        check_eq(c.describe_state_machine(stateMachineArn=machine)["type"], "EXPRESS", "type of the EXPRESS machine")
        say(f"CreateStateMachine type=EXPRESS -> {machine}")

        result = c.start_sync_execution(stateMachineArn=machine, name=f"sync-ok-{RUN}", input=json.dumps(FLOW_INPUT))
        check_eq(result["status"], "SUCCEEDED", f"StartSyncExecution status ({result.get('error')}: {result.get('cause')})")
        check_eq(
            json.loads(result["output"]),
            {**FLOW_INPUT, "mapped": [{"n": 1}, {"n": 2}, {"n": 3}], "branches": ["left", "right"]},
            "StartSyncExecution output",
        )
        check_eq(json.loads(result["input"]), FLOW_INPUT, "StartSyncExecution input")
        check_eq(result.get("stateMachineArn"), machine, "StartSyncExecution stateMachineArn")
        check(result["executionArn"].startswith(f"arn:aws:states:{REGION}:{ACCOUNT}:express:{name}:"),
              f"StartSyncExecution executionArn {result['executionArn']}")
        check(result["stopDate"] >= result["startDate"], "stopDate is not before startDate")
        say("StartSyncExecution (inject_host_prefix=False) -> SUCCEEDED with the output in the response")

        result = c.start_sync_execution(stateMachineArn=machine, input=json.dumps({"items": [], "mode": "fail"}))
        check_eq(result["status"], "FAILED", "StartSyncExecution status of the failing input")
        check_eq((result.get("error"), result.get("cause")), ("Sync.Failed", "sync mode was fail"), "StartSyncExecution error and cause")
        say("StartSyncExecution reaching a Fail state -> FAILED with error and cause")

    def scenario_errors(self):
        c = self.client
        expect_error("StateMachineDoesNotExist", c.describe_state_machine, stateMachineArn=sm_arn(f"missing-{RUN}"))
        say("DescribeStateMachine of an unknown machine ARN -> StateMachineDoesNotExist")
        expect_error(
            "StateMachineDoesNotExist", c.start_execution, stateMachineArn=sm_arn(f"missing-{RUN}"), input="{}"
        )
        say("StartExecution on an unknown machine ARN -> StateMachineDoesNotExist")
        expect_error(
            "ExecutionDoesNotExist",
            c.describe_execution,
            executionArn=exec_arn(self.flow_name, f"missing-{RUN}"),
        )
        say("DescribeExecution of an unknown execution ARN -> ExecutionDoesNotExist")
        expect_error(
            "ExecutionDoesNotExist",
            c.get_execution_history,
            executionArn=exec_arn(self.flow_name, f"missing-{RUN}"),
        )
        say("GetExecutionHistory of an unknown execution ARN -> ExecutionDoesNotExist")
        expect_error("InvalidArn", c.describe_state_machine, stateMachineArn="not-an-arn")
        expect_error("InvalidArn", c.describe_execution, executionArn="arn:aws:states:us-east-1:123456789012:nonsense")
        say("malformed ARNs -> InvalidArn")
        expect_error(
            "InvalidDefinition",
            c.create_state_machine,
            name=f"broken-{RUN}",
            definition=json.dumps(BROKEN),
            roleArn=ROLE,
        )
        expect_error(
            "InvalidDefinition", c.create_state_machine, name=f"not-json-{RUN}", definition="{not json", roleArn=ROLE
        )
        say("CreateStateMachine with a Next to no state, or a definition that is not JSON -> InvalidDefinition")
        expect_error(
            "InvalidName",
            c.create_state_machine,
            name="bad name with spaces?",
            definition=json.dumps(LONG_WAIT),
            roleArn=ROLE,
        )
        say("CreateStateMachine with a name holding spaces and '?' -> InvalidName")
        expect_error(
            "InvalidName",
            c.start_execution,
            stateMachineArn=self.flow_machine(),
            name="bad/name",
            input=json.dumps(FLOW_INPUT),
        )
        say("StartExecution with a name holding '/' -> InvalidName")
        expect_error("InvalidExecutionInput", c.start_execution, stateMachineArn=self.flow_machine(), input="{not json")
        say("StartExecution with an input that is not JSON -> InvalidExecutionInput")

    def scenario_unsupported_operations(self):
        # Operations that stepfn serve does not implement (and that issue 11 does not plan): AWS's
        # UnknownOperationException, naming the operation.
        c = self.client
        response = expect_error("UnknownOperationException", c.list_state_machine_aliases, stateMachineArn=sm_arn(self.flow_name))
        message = response.get("Error", {}).get("Message", "")
        check("ListStateMachineAliases" in message, f"the error names the operation: {message!r}")
        expect_error("UnknownOperationException", c.list_map_runs, executionArn=exec_arn(self.flow_name, "x"))
        say("ListStateMachineAliases, ListMapRuns -> UnknownOperationException naming the operation")

    def scenario_validate_definition(self):
        c = self.client
        ok = c.validate_state_machine_definition(definition=json.dumps(FLOW), type="STANDARD")
        check_eq(ok["result"], "OK", "ValidateStateMachineDefinition result of a valid definition")
        check_eq(ok["diagnostics"], [], "diagnostics of a valid definition")
        say("ValidateStateMachineDefinition of a valid definition -> OK, no diagnostics")
        bad = c.validate_state_machine_definition(definition=json.dumps(BROKEN))
        check_eq(bad["result"], "FAIL", "ValidateStateMachineDefinition result of a broken definition")
        check(bad["diagnostics"], "a broken definition has diagnostics")
        for diagnostic in bad["diagnostics"]:
            check_eq(diagnostic.get("severity"), "ERROR", f"severity of {diagnostic!r}")
            check(diagnostic.get("code") and diagnostic.get("message"), f"code and message in {diagnostic!r}")
        check(
            any("Nowhere" in d["message"] or "Nowhere" in d.get("location", "") for d in bad["diagnostics"]),
            f"a diagnostic names the missing state Nowhere: {bad['diagnostics']}",
        )
        say(f"ValidateStateMachineDefinition of a Next to no state -> FAIL, {len(bad['diagnostics'])} ERROR diagnostic(s): "
            + "; ".join(f"{d['code']}: {d['message']}" for d in bad["diagnostics"]))
        not_json = c.validate_state_machine_definition(definition="{not json")
        check_eq(not_json["result"], "FAIL", "ValidateStateMachineDefinition result of text that is not JSON")
        check(not_json["diagnostics"], "text that is not JSON has diagnostics")
        say("ValidateStateMachineDefinition of text that is not JSON -> FAIL with a diagnostic")

    def scenario_test_state(self):
        # TestState (test-state-isolation.html): one state run once, with the values of its data flow at DEBUG.
        # Like StartSyncExecution, the operation has the `sync-` host prefix in the service model.
        c = self.sync_client
        pass_state = {"Type": "Pass", "InputPath": "$.payload", "Parameters": {"data": 1}, "ResultPath": "$.result",
                      "OutputPath": "$.result.data", "Next": "Another State"}
        debug = c.test_state(definition=json.dumps(pass_state), input=json.dumps({"payload": {"foo": "bar"}}),
                             inspectionLevel="DEBUG")
        check_eq((debug["status"], json.loads(debug["output"]), debug.get("nextState")),
                 ("SUCCEEDED", 1, "Another State"), "TestState of the guide's Pass example")
        data = {k: json.loads(v) for k, v in debug["inspectionData"].items()}
        check_eq(data, {"input": {"payload": {"foo": "bar"}}, "afterInputPath": {"foo": "bar"},
                        "afterParameters": {"data": 1}, "afterResultSelector": {"data": 1},
                        "afterResultPath": {"payload": {"foo": "bar"}, "result": {"data": 1}}},
                 "inspectionData at DEBUG")
        info = c.test_state(definition=json.dumps(pass_state), input=json.dumps({"payload": {}}))
        check("inspectionData" not in info, f"INFO has no inspectionData: {info}")
        say("TestState of a Pass: output, nextState, and each stage's value at DEBUG (none at INFO)")

        task = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": "f", "Payload.$": "$"},
                "Retry": [{"ErrorEquals": ["Lambda.ServiceException"], "IntervalSeconds": 2, "MaxAttempts": 3,
                           "BackoffRate": 2.0}],
                "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Recover"}],
                "Next": "Done"}
        error = {"errorOutput": {"error": "Lambda.ServiceException", "cause": "Service error"}}
        retriable = c.test_state(definition=json.dumps(task), input='{"data": "value"}', mock=error,
                                 stateConfiguration={"retrierRetryCount": 1}, inspectionLevel="DEBUG")
        check_eq((retriable["status"], retriable["inspectionData"].get("errorDetails")),
                 ("RETRIABLE", {"retryIndex": 0, "retryBackoffIntervalSeconds": 4}), "a retriable mocked error")
        caught = c.test_state(definition=json.dumps(task), input='{"data": "value"}', mock=error,
                              stateConfiguration={"retrierRetryCount": 3}, inspectionLevel="DEBUG")
        check_eq((caught["status"], caught.get("nextState"), json.loads(caught["output"]),
                  caught["inspectionData"].get("errorDetails")),
                 ("CAUGHT_ERROR", "Recover",
                  {"data": "value", "error": {"Error": "Lambda.ServiceException", "Cause": "Service error"}},
                  {"catchIndex": 0}), "a mocked error past its retries")
        mocked = c.test_state(definition=json.dumps(task), input='{"data": "value"}',
                              mock={"result": json.dumps({"Payload": {"ok": True}}), "fieldValidationMode": "NONE"})
        check_eq((mocked["status"], json.loads(mocked["output"]), mocked.get("nextState")),
                 ("SUCCEEDED", {"Payload": {"ok": True}}, "Done"), "a mocked result")
        say("TestState of a Task with a mock: RETRIABLE (retryIndex, back-off 4 s), CAUGHT_ERROR (catchIndex, "
            "nextState, ResultPath), SUCCEEDED")

        jsonata = {"Type": "Task", "QueryLanguage": "JSONata", "Resource": "arn:aws:states:::lambda:invoke",
                   "Arguments": {"FunctionName": "f", "Payload": {"who": "{% $name %}", "id": "{% $states.context.Execution.Id %}"}},
                   "Output": "{% $states.result.Payload %}", "Assign": {"seen": "{% $states.result.Payload.n %}"},
                   "End": True}
        context = {"Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:M:e1"}}
        answer = c.test_state(definition=json.dumps(jsonata), variables=json.dumps({"name": "ada"}),
                              context=json.dumps(context), mock={"result": json.dumps({"Payload": {"n": 7}})},
                              inspectionLevel="DEBUG")
        check_eq((json.loads(answer["output"]), json.loads(answer["inspectionData"]["afterArguments"]),
                  json.loads(answer["inspectionData"]["variables"])),
                 ({"n": 7}, {"FunctionName": "f", "Payload": {"who": "ada", "id": context["Execution"]["Id"]}},
                  {"name": "ada", "seen": 7}), "a JSONata Task's Arguments, Output and Assign")
        routed = c.test_state(definition=json.dumps(FLOW), stateName="Route", input=json.dumps({"mode": "fail"}))
        check_eq((routed["status"], routed.get("nextState")), ("SUCCEEDED", "Boom"), "stateName Route of FLOW")
        say("TestState with variables, context and JSONata; a whole machine's state picked by stateName")

        expect_error("ValidationException", c.test_state, definition=json.dumps(task),
                     mock={"result": "{}", "errorOutput": {"error": "E"}})
        expect_error("ValidationException", c.test_state, definition=json.dumps(pass_state), mock={"result": "{}"})
        expect_error("ValidationException", c.test_state, definition=json.dumps(FLOW), stateName="Nowhere")
        expect_error("InvalidExecutionInput", c.test_state, definition=json.dumps(pass_state), input="{not json")
        expect_error("InvalidDefinition", c.test_state, definition=json.dumps({"Type": "Pass", "Next": "A", "End": True}))
        say("TestState refuses a mock with both result and errorOutput, a mock of a Pass, an unknown stateName "
            "(ValidationException), input that is not JSON (InvalidExecutionInput), a broken state (InvalidDefinition)")

    def cleanup(self):
        # Stops what may still be waiting, so a shared server is left quiet. Errors here don't fail the run.
        if self.wait_arn is None:
            return
        try:
            for e in list_all_executions(self.client, stateMachineArn=self.wait_arn, statusFilter="RUNNING"):
                self.client.stop_execution(executionArn=e["executionArn"])
        except Exception as error:  # noqa: BLE001
            print(f"  (cleanup: {error})")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("endpoint", help="the service's URL, e.g. http://127.0.0.1:8083")
    parser.add_argument("--only", help="comma-separated scenario names to run")
    parser.add_argument("--keep-going", action="store_true", help="run every scenario even after a failure")
    parser.add_argument("--list", action="store_true", help="list the scenarios and exit")
    args = parser.parse_args()

    for variable in ["AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SFN"]:
        os.environ.pop(variable, None)
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

    scenarios = Scenarios(args.endpoint)
    names = [n[len("scenario_"):] for n in dir(Scenarios) if n.startswith("scenario_")]
    order = [
        "state_machine_lifecycle", "execution_succeeds", "execution_history", "fail_state_fails_the_execution",
        "list_executions", "stop_execution", "start_execution_idempotency", "start_sync_execution", "errors",
        "unsupported_operations", "validate_definition", "test_state",
    ]
    names = [n for n in order if n in names] + [n for n in names if n not in order]
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = args.only.split(",")
        unknown = [n for n in wanted if n not in names]
        if unknown:
            parser.error(f"unknown scenario(s) {unknown}; known: {names}")
        names = [n for n in names if n in wanted]

    print(f"boto3 {boto3.__version__} against {args.endpoint} (run {RUN})", flush=True)
    failed = []
    try:
        for name in names:
            print(f"scenario {name}", flush=True)
            started = time.monotonic()
            try:
                getattr(scenarios, f"scenario_{name}")()
            except (Failure, ClientError, Exception) as error:  # noqa: BLE001
                kind = "" if isinstance(error, Failure) else f"{type(error).__name__}: "
                print(f"FAILED: scenario {name}: {kind}{error}", flush=True)
                if not isinstance(error, (Failure, ClientError)):
                    traceback.print_exc(file=sys.stdout)
                failed.append(name)
                if not args.keep_going:
                    break
            else:
                print(f"  passed ({time.monotonic() - started:.1f} s)", flush=True)
    finally:
        scenarios.cleanup()
    if failed:
        print(f"{len(failed)} of {len(names)} scenarios failed: {', '.join(failed)}", flush=True)
        return 1
    print(f"all {len(names)} boto3 scenarios passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
