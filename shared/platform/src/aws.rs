//! AWS client construction. Locally, `MARQUEE_DYNAMODB_URL` points DynamoDB (and its
//! Streams) at DynamoDB Local and `MARQUEE_MOTO_URL` points SQS, SES v2, S3, Secrets Manager
//! and the API Gateway Management API at the moto server; in AWS neither is set and the SDK's
//! defaults apply.

use aws_config::BehaviorVersion;
pub use aws_config::SdkConfig;

#[derive(Debug, Clone, Default)]
pub struct Endpoints {
    pub dynamodb: Option<String>,
    pub moto: Option<String>,
    /// CloudFront's API (`MARQUEE_EDGE_URL`): the edge double locally.
    pub edge: Option<String>,
    /// The DNS server that answers for venues' domains locally (`MARQUEE_DNS_ADDR`).
    pub dns: Option<String>,
}

impl Endpoints {
    pub fn from_env() -> Self {
        Self {
            dynamodb: std::env::var("MARQUEE_DYNAMODB_URL").ok(),
            moto: std::env::var("MARQUEE_MOTO_URL").ok(),
            edge: std::env::var("MARQUEE_EDGE_URL").ok(),
            dns: std::env::var("MARQUEE_DNS_ADDR").ok(),
        }
    }
}

pub async fn sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

pub fn dynamodb(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_dynamodb::Client {
    let mut builder = aws_sdk_dynamodb::config::Builder::from(sdk);
    if let Some(url) = &endpoints.dynamodb {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_dynamodb::Client::from_conf(builder.build())
}

#[cfg(feature = "sqs")]
pub fn sqs(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_sqs::Client {
    let mut builder = aws_sdk_sqs::config::Builder::from(sdk);
    if let Some(url) = &endpoints.moto {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_sqs::Client::from_conf(builder.build())
}

#[cfg(feature = "ses")]
pub fn sesv2(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_sesv2::Client {
    let mut builder = aws_sdk_sesv2::config::Builder::from(sdk);
    if let Some(url) = &endpoints.moto {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_sesv2::Client::from_conf(builder.build())
}

#[cfg(feature = "streams")]
/// DynamoDB Streams (the devserver's stand-in for the Lambda stream trigger).
pub fn dynamodb_streams(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_dynamodbstreams::Client {
    let mut builder = aws_sdk_dynamodbstreams::config::Builder::from(sdk);
    if let Some(url) = &endpoints.dynamodb {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_dynamodbstreams::Client::from_conf(builder.build())
}

#[cfg(feature = "live-push")]
/// The API Gateway Management API of the live seat map's WebSocket API. `live_endpoint` is
/// `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}` (`LIVE_ENDPOINT`); the
/// moto endpoint replaces it locally.
pub fn apigateway_management(
    sdk: &SdkConfig,
    endpoints: &Endpoints,
    live_endpoint: &str,
) -> aws_sdk_apigatewaymanagement::Client {
    let url = endpoints.moto.as_deref().unwrap_or(live_endpoint);
    let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk)
        .endpoint_url(url)
        .build();
    aws_sdk_apigatewaymanagement::Client::from_conf(config)
}

#[cfg(feature = "s3")]
pub fn s3(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk);
    if let Some(url) = &endpoints.moto {
        // moto serves buckets by path, not by virtual host.
        builder = builder.endpoint_url(url).force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

#[cfg(feature = "secrets")]
/// Secrets Manager (moto locally, for the secrets tests).
pub fn secretsmanager(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_secretsmanager::Client {
    let mut builder = aws_sdk_secretsmanager::config::Builder::from(sdk);
    if let Some(url) = &endpoints.moto {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_secretsmanager::Client::from_conf(builder.build())
}

#[cfg(feature = "domains")]
pub fn cloudfront(sdk: &SdkConfig, endpoints: &Endpoints) -> aws_sdk_cloudfront::Client {
    let mut builder = aws_sdk_cloudfront::config::Builder::from(sdk);
    if let Some(url) = &endpoints.edge {
        builder = builder.endpoint_url(url);
    }
    aws_sdk_cloudfront::Client::from_conf(builder.build())
}
