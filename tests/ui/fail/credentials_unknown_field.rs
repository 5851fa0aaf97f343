// Rule: a Task's `Credentials` holds only `RoleArn` (or `RoleArn.$`).
stepfn::workflow! {
    Orders;
    Save: Task("arn:aws:states:::dynamodb:putItem") {
        Credentials: { RoleArn: "arn:aws:iam::123456789012:role/writer", ExternalId: "x" },
        Parameters: { TableName: "orders", Item: {} },
    } -> end;
}

fn main() {}
