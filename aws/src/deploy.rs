//! `deploy` and `destroy`: a workflow on AWS in one command. `deploy` builds the workflow's Lambda package with
//! cargo-lambda (`cargo lambda build --release --output-format zip`), uploads it to S3 under a key named by its
//! content (CloudFormation updates a function's code only when its key changes), creates or updates the
//! CloudFormation stack from the workflow's template (`stepfn_template`), prints the stack's events as they happen
//! until it settles, and prints its outputs; a failed stack shows each failed resource with its reason. `destroy`
//! deletes the stack the same way. The AWS SDK for Rust with the standard credential chain ([`crate::Connection`]).

use crate::command::{block_on, failure, ConnectionArgs};
use crate::connect::sdk_config;
use crate::error::from_sdk;
use crate::Error;
use aws_sdk_cloudformation::types::{Capability, Parameter, StackStatus};
use sha2::Digest;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

/// `deploy`.
#[derive(clap::Args, Debug, Clone)]
pub struct DeployArgs {
    /// The CloudFormation stack to create or update
    #[arg(long)]
    pub stack_name: String,
    /// The S3 bucket for the Lambda package (created if missing; default `stepfn-ACCOUNT-REGION`)
    #[arg(long)]
    pub bucket: Option<String>,
    /// Deploy this package (a zip holding `bootstrap`) instead of building one with cargo-lambda
    #[arg(long, value_name = "FILE")]
    pub zip: Option<PathBuf>,
    /// The package cargo-lambda builds (default: this binary's name)
    #[arg(long, short = 'p')]
    pub package: Option<String>,
    /// Build for arm64 (Graviton) and deploy the functions as arm64
    #[arg(long)]
    pub arm64: bool,
    /// Build without --release (faster to build, slower to run)
    #[arg(long)]
    pub debug: bool,
    /// cargo-lambda's `--compiler` (zig, cargo or cross; cargo-lambda's choice by default)
    #[arg(long)]
    pub compiler: Option<String>,
    /// A template parameter, KEY=VALUE (repeatable): FunctionMemorySize=256, LogLevel=ALL, ...
    #[arg(long = "parameter", value_name = "KEY=VALUE")]
    pub parameters: Vec<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// `destroy`.
#[derive(clap::Args, Debug, Clone)]
pub struct DestroyArgs {
    /// The CloudFormation stack to delete
    #[arg(long)]
    pub stack_name: String,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// How long a stack may take to settle.
const STACK_TIMEOUT: Duration = Duration::from_secs(60 * 60);

/// Runs `deploy` for the workflow `name` whose template is `template`; exit 0 deployed, 1 the stack failed, 2 it
/// could not be tried (build, upload, bad arguments).
pub fn run_deploy(args: DeployArgs, name: &str, template: Result<String, String>) -> ExitCode {
    let template = match template {
        Ok(template) => template,
        Err(error) => return failure(2, format!("no template for {name}: {error}")),
    };
    block_on(async move {
        match deploy(&args, name, &template).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => failure(2, error),
        }
    })
}

/// Runs `destroy`; exit 0 when the stack is gone, 1 when its deletion failed, 2 when it could not be tried.
pub fn run_destroy(args: DestroyArgs) -> ExitCode {
    block_on(async move {
        match destroy(&args).await {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(error) => failure(2, error),
        }
    })
}

/// Deploys; `Ok(false)` when the stack ended failed (its events said why).
async fn deploy(args: &DeployArgs, name: &str, template: &str) -> Result<bool, Error> {
    let mut parameters = parameters(args)?;
    // The state machine takes the workflow's name, so that `start`, `watch` and `executions` find it (a second
    // stack of the workflow in the same account and region sets another: --parameter StateMachineName=...).
    if !parameters.iter().any(|(key, _)| key == "StateMachineName") {
        parameters.push(("StateMachineName".into(), name.into()));
    }
    let (package, built) = match &args.zip {
        Some(zip) => (zip.clone(), None),
        None => {
            let (zip, dir) = build(args)?;
            (zip, Some(dir))
        }
    };
    let code = std::fs::read(&package).map_err(|e| {
        Error::Config(format!(
            "cannot read the package {}: {e}",
            package.display()
        ))
    })?;
    if let Some(dir) = built {
        // The package is in memory now: the build's folder goes.
        let _ = std::fs::remove_dir_all(dir);
    }
    let config = sdk_config(&args.connection.connection()).await?;
    let region = config.region().map(ToString::to_string).unwrap_or_default();
    let bucket = match &args.bucket {
        Some(bucket) => bucket.clone(),
        None => {
            let identity = aws_sdk_sts::Client::new(&config)
                .get_caller_identity()
                .send()
                .await
                .map_err(|e| from_sdk("GetCallerIdentity", "the credentials", e))?;
            format!(
                "stepfn-{}-{region}",
                identity.account().unwrap_or("account")
            )
        }
    };
    let s3 = s3_client(&config, args.connection.endpoint_url.is_some());
    ensure_bucket(&s3, &bucket, &region).await?;
    let digest = sha2::Sha256::digest(&code);
    let hex: String = digest.iter().take(12).map(|b| format!("{b:02x}")).collect();
    let key = format!("{}/{hex}.zip", args.stack_name);
    eprintln!(
        "uploading {} ({} bytes) to s3://{bucket}/{key}",
        package.display(),
        code.len()
    );
    s3.put_object()
        .bucket(&bucket)
        .key(&key)
        .body(code.into())
        .send()
        .await
        .map_err(|e| from_sdk("PutObject", &bucket, e))?;

    let mut all = vec![
        ("CodeS3Bucket".to_owned(), bucket),
        ("CodeS3Key".to_owned(), key),
    ];
    if args.arm64 {
        all.push(("Architecture".into(), "arm64".into()));
    }
    all.extend(parameters);
    let parameters: Vec<Parameter> = all
        .into_iter()
        .map(|(key, value)| {
            Parameter::builder()
                .parameter_key(key)
                .parameter_value(value)
                .build()
        })
        .collect();
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    let stack = &args.stack_name;
    let seen = event_ids(&cloudformation, stack).await;
    let exists = match current_status(&cloudformation, stack).await? {
        None | Some(StackStatus::DeleteComplete) => false,
        Some(StackStatus::ReviewInProgress) => false,
        Some(_) => true,
    };
    if exists {
        eprintln!("updating stack {stack}");
        let update = cloudformation
            .update_stack()
            .stack_name(stack)
            .template_body(template)
            .set_parameters(Some(parameters))
            .capabilities(Capability::CapabilityIam)
            .send()
            .await;
        if let Err(error) = update {
            let error = from_sdk("UpdateStack", stack, error);
            if error.to_string().contains("No updates are to be performed") {
                eprintln!("stack {stack} is up to date");
                print_outputs(&cloudformation, stack).await?;
                return Ok(true);
            }
            return Err(error);
        }
    } else {
        eprintln!("creating stack {stack}");
        cloudformation
            .create_stack()
            .stack_name(stack)
            .template_body(template)
            .set_parameters(Some(parameters))
            .capabilities(Capability::CapabilityIam)
            .send()
            .await
            .map_err(|e| from_sdk("CreateStack", stack, e))?;
    }
    let status = follow(&cloudformation, stack, seen).await?;
    let done = matches!(
        status,
        Some(StackStatus::CreateComplete | StackStatus::UpdateComplete)
    );
    if done {
        print_outputs(&cloudformation, stack).await?;
    } else {
        eprintln!(
            "stack {stack} ended {}",
            status.as_ref().map_or("deleted", |s| s.as_str())
        );
    }
    Ok(done)
}

async fn destroy(args: &DestroyArgs) -> Result<bool, Error> {
    let config = sdk_config(&args.connection.connection()).await?;
    let cloudformation = aws_sdk_cloudformation::Client::new(&config);
    let stack = &args.stack_name;
    if current_status(&cloudformation, stack).await?.is_none() {
        return Err(Error::NotFound {
            arn: stack.clone(),
            message: "no such stack".into(),
        });
    }
    let seen = event_ids(&cloudformation, stack).await;
    eprintln!("deleting stack {stack}");
    cloudformation
        .delete_stack()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| from_sdk("DeleteStack", stack, e))?;
    let status = follow(&cloudformation, stack, seen).await?;
    match status {
        None | Some(StackStatus::DeleteComplete) => {
            eprintln!("stack {stack} deleted");
            Ok(true)
        }
        Some(status) => {
            eprintln!("stack {stack} ended {}", status.as_str());
            Ok(false)
        }
    }
}

/// `KEY=VALUE` parameters; the package's are the command's own.
fn parameters(args: &DeployArgs) -> Result<Vec<(String, String)>, Error> {
    args.parameters
        .iter()
        .map(|pair| match pair.split_once('=') {
            Some(("CodeS3Bucket" | "CodeS3Key", _)) => Err(Error::Config(format!(
                "--parameter {pair}: deploy sets the package's bucket and key itself (use --bucket)"
            ))),
            Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
            _ => Err(Error::Config(format!(
                "--parameter {pair}: write KEY=VALUE, e.g. FunctionMemorySize=256"
            ))),
        })
        .collect()
}

/// Builds the package with cargo-lambda (`STEPFN_CARGO_LAMBDA` names the program, else `cargo lambda`); its path
/// and the folder it was built into.
fn build(args: &DeployArgs) -> Result<(PathBuf, PathBuf), Error> {
    let package = match &args.package {
        Some(package) => package.clone(),
        None => std::env::current_exe()
            .ok()
            .and_then(|exe| exe.file_stem().map(|s| s.to_string_lossy().into_owned()))
            .ok_or_else(|| {
                Error::Config("cannot tell this binary's name: give --package".into())
            })?,
    };
    let lambda_dir = std::env::temp_dir().join(format!("stepfn-deploy-{}", std::process::id()));
    let mut command = match std::env::var_os("STEPFN_CARGO_LAMBDA").filter(|p| !p.is_empty()) {
        Some(program) => Command::new(program),
        None => {
            let mut cargo =
                Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
            cargo.arg("lambda");
            cargo
        }
    };
    // cargo-lambda's own program takes its subcommand as `lambda build`, as cargo passes it.
    if std::env::var_os("STEPFN_CARGO_LAMBDA").is_some_and(|p| !p.is_empty()) {
        command.arg("lambda");
    }
    command
        .args([
            "build",
            "--output-format",
            "zip",
            "-p",
            &package,
            "--lambda-dir",
        ])
        .arg(&lambda_dir);
    if !args.debug {
        command.arg("--release");
    }
    if args.arm64 {
        command.arg("--arm64");
    }
    if let Some(compiler) = &args.compiler {
        command.args(["--compiler", compiler]);
    }
    eprintln!("building the Lambda package: {command:?}");
    let status = command.status().map_err(|e| {
        Error::Config(format!(
            "cannot run cargo-lambda ({e}): install it (`pip install cargo-lambda`, or see cargo-lambda.info), or give --zip"
        ))
    })?;
    if !status.success() {
        return Err(Error::Config(format!(
            "cargo lambda build failed ({status})"
        )));
    }
    let zip = find_zip(&lambda_dir).ok_or_else(|| {
        Error::Config(format!(
            "cargo lambda build made no bootstrap.zip under {}",
            lambda_dir.display()
        ))
    })?;
    Ok((zip, lambda_dir))
}

/// The `bootstrap.zip` cargo-lambda wrote (under a folder named after the binary).
fn find_zip(dir: &Path) -> Option<PathBuf> {
    std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|entry| entry.path().join("bootstrap.zip"))
        .find(|zip| zip.is_file())
}

/// S3 with path-style addressing for a custom endpoint (a local one has no bucket subdomains).
fn s3_client(config: &aws_config::SdkConfig, custom_endpoint: bool) -> aws_sdk_s3::Client {
    let builder = aws_sdk_s3::config::Builder::from(config).force_path_style(custom_endpoint);
    aws_sdk_s3::Client::from_conf(builder.build())
}

async fn ensure_bucket(s3: &aws_sdk_s3::Client, bucket: &str, region: &str) -> Result<(), Error> {
    if s3.head_bucket().bucket(bucket).send().await.is_ok() {
        return Ok(());
    }
    eprintln!("creating bucket {bucket}");
    let mut create = s3.create_bucket().bucket(bucket);
    if region != "us-east-1" {
        use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
        create = create.create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::from(region))
                .build(),
        );
    }
    create
        .send()
        .await
        .map(drop)
        .map_err(|e| from_sdk("CreateBucket", bucket, e))
}

/// The stack's status, or `None` when there is no such stack.
async fn current_status(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<Option<StackStatus>, Error> {
    match cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
    {
        Ok(answer) => Ok(answer
            .stacks()
            .first()
            .and_then(|s| s.stack_status().cloned())),
        Err(error) => {
            let error = from_sdk("DescribeStacks", stack, error);
            if error.to_string().contains("does not exist") {
                Ok(None)
            } else {
                Err(error)
            }
        }
    }
}

/// The ids of the stack's events so far (none for a new stack), so that only new ones are printed.
async fn event_ids(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> HashSet<String> {
    match cloudformation
        .describe_stack_events()
        .stack_name(stack)
        .send()
        .await
    {
        Ok(answer) => answer
            .stack_events()
            .iter()
            .filter_map(|e| e.event_id().map(str::to_owned))
            .collect(),
        Err(_) => HashSet::new(),
    }
}

/// Prints the stack's new events, oldest first, until its status settles; the settled status (`None`: deleted).
async fn follow(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
    mut seen: HashSet<String>,
) -> Result<Option<StackStatus>, Error> {
    let started = Instant::now();
    let mut pause = Duration::from_millis(500);
    loop {
        let status = current_status(cloudformation, stack).await?;
        if let Ok(answer) = cloudformation
            .describe_stack_events()
            .stack_name(stack)
            .send()
            .await
        {
            let mut new: Vec<_> = answer
                .stack_events()
                .iter()
                .filter(|e| e.event_id().is_some_and(|id| seen.insert(id.to_owned())))
                .collect();
            new.reverse();
            for event in new {
                let status = event.resource_status().map_or("", |s| s.as_str());
                let mut line = format!(
                    "  {:<22} {:<30} {}",
                    status,
                    event.logical_resource_id().unwrap_or("-"),
                    event.resource_type().unwrap_or("")
                );
                if let Some(reason) = event.resource_status_reason().filter(|r| !r.is_empty()) {
                    line.push_str(&format!(": {reason}"));
                }
                if status.ends_with("_FAILED") {
                    line.insert_str(0, "FAILED");
                }
                eprintln!("{line}");
            }
        }
        let settled = match &status {
            None => true,
            Some(status) => !status.as_str().ends_with("_IN_PROGRESS"),
        };
        if settled {
            return Ok(status);
        }
        if started.elapsed() > STACK_TIMEOUT {
            return Err(Error::Config(format!(
                "stack {stack} did not settle within {} minutes",
                STACK_TIMEOUT.as_secs() / 60
            )));
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// Prints the stack's outputs, one `KEY = VALUE` per line on stdout.
async fn print_outputs(
    cloudformation: &aws_sdk_cloudformation::Client,
    stack: &str,
) -> Result<(), Error> {
    let answer = cloudformation
        .describe_stacks()
        .stack_name(stack)
        .send()
        .await
        .map_err(|e| from_sdk("DescribeStacks", stack, e))?;
    let mut outputs: Vec<(String, String)> = answer
        .stacks()
        .first()
        .map(|s| {
            s.outputs()
                .iter()
                .map(|o| {
                    (
                        o.output_key().unwrap_or_default().to_owned(),
                        o.output_value().unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    outputs.sort();
    for (key, value) in outputs {
        println!("{key} = {value}");
    }
    Ok(())
}
