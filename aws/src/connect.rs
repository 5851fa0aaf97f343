//! The Step Functions client: aws-config's standard chain (environment, shared config and credentials files, SSO,
//! web identity, container and instance credentials), with what a command line may set on top.

use crate::Error;
use aws_config::BehaviorVersion;
use aws_sdk_sfn::config::Region;
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

/// What a command line may set; anything left `None` comes from the environment and the shared config files, as
/// for the AWS CLI (`AWS_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_SFN`, `AWS_ENDPOINT_URL`, ...).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Connection {
    pub region: Option<String>,
    pub profile: Option<String>,
    /// A Step Functions endpoint other than AWS's: `http://127.0.0.1:8083` for `stepfn serve`, moto's server, ...
    pub endpoint_url: Option<String>,
}

impl Connection {
    /// The endpoint given, else the one the environment names (`AWS_ENDPOINT_URL_SFN`, then `AWS_ENDPOINT_URL`).
    fn endpoint(&self) -> Option<String> {
        let from_env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
        self.endpoint_url
            .clone()
            .or_else(|| from_env("AWS_ENDPOINT_URL_SFN"))
            .or_else(|| from_env("AWS_ENDPOINT_URL"))
    }
}

/// Builds a Step Functions client. An `http://` endpoint gets an HTTP client without TLS (local services); any
/// other gets rustls with ring, which also answers plain HTTP if a shared config file names such an endpoint.
pub async fn connect(connection: &Connection) -> Result<aws_sdk_sfn::Client, Error> {
    let config = load(connection, connection.endpoint()).await?;
    Ok(aws_sdk_sfn::Client::new(&config))
}

/// The SDK configuration every service's client of `deploy` is built from: `--endpoint-url` (else
/// `AWS_ENDPOINT_URL`) serves all of them, as moto's server does.
#[cfg(feature = "deploy")]
pub(crate) async fn sdk_config(connection: &Connection) -> Result<aws_config::SdkConfig, Error> {
    let endpoint = connection.endpoint_url.clone().or_else(|| {
        std::env::var("AWS_ENDPOINT_URL")
            .ok()
            .filter(|v| !v.is_empty())
    });
    load(connection, endpoint).await
}

async fn load(
    connection: &Connection,
    endpoint: Option<String>,
) -> Result<aws_config::SdkConfig, Error> {
    let plain = endpoint
        .as_deref()
        .is_some_and(|url| url.to_ascii_lowercase().starts_with("http://"));
    let http_client = if plain {
        aws_smithy_http_client::Builder::new().build_http()
    } else {
        aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https()
    };
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).http_client(http_client);
    if let Some(profile) = &connection.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &connection.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(endpoint) = &endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let config = loader.load().await;
    if config.region().is_none() {
        return Err(Error::Config(
            "no AWS region: pass --region, set AWS_REGION, or set `region` in the profile of ~/.aws/config"
                .into(),
        ));
    }
    Ok(config)
}
