// Rule: a Lambda function ARN's qualifier is `$LATEST`, a version or an alias, as the Lambda Invoke API reads it.
stepfn::workflow! {
    Orders;
    Charge: Task("arn:aws:lambda:us-east-1:123456789012:function:charge:$*#$7485") -> end;
}

fn main() {}
