"""Runs the AWS-recorded conformance cases (shared/conformance/aws-recorded.jsonl) through `stepfn serve` with boto3.

Usage: conformance.py ENDPOINT CASES_FILE

Each case becomes an EXPRESS state machine run with StartSyncExecution (the service runs EXPRESS and STANDARD
machines on the same engine; a sync start returns the result in one call). Prints one JSON line per case:
{"id", "status", "output", "error"}; judging against AWS's expected result is left to the caller
(cli/tests/serve_clients.rs), which compares it with the in-process run.
"""

import json
import sys

import boto3
import botocore.config


def main():
    endpoint, cases_file = sys.argv[1], sys.argv[2]
    client = boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        # StartSyncExecution: the SDK's `sync-` host prefix does not resolve for a local endpoint.
        config=botocore.config.Config(inject_host_prefix=False, retries={"max_attempts": 1}),
    )
    with open(cases_file, encoding="utf-8") as cases:
        for number, line in enumerate(cases):
            if not line.strip():
                continue
            case = json.loads(line)
            machine = client.create_state_machine(
                name=f"case-{number}",
                definition=json.dumps(case["definition"]),
                roleArn="arn:aws:iam::123456789012:role/conformance",
                type="EXPRESS",
            )
            answer = client.start_sync_execution(
                stateMachineArn=machine["stateMachineArn"], input=json.dumps(case["input"])
            )
            output = answer.get("output")
            print(json.dumps({
                "id": case["id"],
                "status": answer["status"],
                "output": json.loads(output) if output is not None else None,
                "error": answer.get("error"),
            }), flush=True)


if __name__ == "__main__":
    main()
