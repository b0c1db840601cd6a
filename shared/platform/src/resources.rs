//! The one definition of Marquee's AWS resources. Locally, [`provision`] creates them in
//! DynamoDB Local and moto; in AWS, `infra/template.yaml` declares them, and a test checks
//! that the template and this definition agree.

use anyhow::Context;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use std::collections::HashMap;

pub struct GsiSpec {
    pub name: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    /// `ALL` or `KEYS_ONLY` (an index written only when its keys change).
    pub projection: &'static str,
}

pub struct TableSpec {
    pub logical_id: &'static str,
    pub partition_key: &'static str,
    pub sort_key: &'static str,
    pub gsis: &'static [GsiSpec],
    pub ttl_attribute: &'static str,
    pub stream_view: &'static str,
}

pub const TABLE: TableSpec = TableSpec {
    logical_id: "Table",
    partition_key: "pk",
    sort_key: "sk",
    gsis: &[
        GsiSpec {
            name: "gsi1",
            partition_key: "gsi1pk",
            sort_key: "gsi1sk",
            projection: "ALL",
        },
        GsiSpec {
            name: "gsi2",
            partition_key: "gsi2pk",
            sort_key: "gsi2sk",
            projection: "ALL",
        },
        // Carts by the time their next hold ends, for the expiry sweep.
        GsiSpec {
            name: "gsi3",
            partition_key: "gsi3pk",
            sort_key: "gsi3sk",
            projection: "KEYS_ONLY",
        },
    ],
    ttl_attribute: "ttl",
    stream_view: "NEW_AND_OLD_IMAGES",
};

pub struct QueueSpec {
    /// Name suffix locally, and the key under which its URL is returned.
    pub name: &'static str,
    pub logical_id: &'static str,
    pub dead_letter_logical_id: &'static str,
    /// Receives before a message moves to the dead-letter queue.
    pub max_receive_count: u32,
    pub visibility_timeout_seconds: u32,
}

pub const MAIL_QUEUE: QueueSpec = QueueSpec {
    name: "mail",
    logical_id: "MailQueue",
    dead_letter_logical_id: "MailDeadLetterQueue",
    max_receive_count: 5,
    // At least 6 × the mailer's timeout (30 s), as AWS recommends for a Lambda's queue.
    visibility_timeout_seconds: 180,
};

pub const HOLD_EXPIRY_QUEUE: QueueSpec = QueueSpec {
    name: "hold-expiry",
    logical_id: "HoldExpiryQueue",
    dead_letter_logical_id: "HoldExpiryDeadLetterQueue",
    max_receive_count: 5,
    visibility_timeout_seconds: 60,
};

pub const QUEUES: &[&QueueSpec] = &[&MAIL_QUEUE, &HOLD_EXPIRY_QUEUE];

pub struct BucketSpec {
    pub name: &'static str,
    pub logical_id: &'static str,
}

pub const DOCUMENTS_BUCKET: BucketSpec = BucketSpec {
    name: "documents",
    logical_id: "DocumentsBucket",
};

/// Options for local provisioning.
#[derive(Debug, Clone)]
pub struct ProvisionOptions {
    /// Names are `{prefix}` (table), `{prefix}-{queue}`, `{prefix}-{queue}-dlq`, `{prefix}-{bucket}`.
    pub prefix: String,
    pub sender_domain: String,
    /// Locally a short visibility timeout makes failed messages come back (and reach the
    /// dead-letter queue) in seconds instead of minutes.
    pub visibility_timeout_override: Option<u32>,
}

#[derive(Debug, Clone)]
pub struct QueueUrls {
    pub url: String,
    pub dead_letter_url: String,
}

#[derive(Debug, Clone)]
pub struct Provisioned {
    pub table_name: String,
    pub queues: HashMap<&'static str, QueueUrls>,
    pub documents_bucket: String,
}

impl Provisioned {
    pub fn queue(&self, spec: &QueueSpec) -> anyhow::Result<&QueueUrls> {
        self.queues
            .get(spec.name)
            .with_context(|| format!("queue {} was not provisioned", spec.name))
    }
}

/// Creates every resource if missing (idempotent).
pub async fn provision(
    dynamodb: &aws_sdk_dynamodb::Client,
    sqs: &aws_sdk_sqs::Client,
    s3: &aws_sdk_s3::Client,
    sesv2: &aws_sdk_sesv2::Client,
    options: &ProvisionOptions,
) -> anyhow::Result<Provisioned> {
    let table_name = options.prefix.clone();
    create_table(dynamodb, &table_name).await?;

    let mut queues = HashMap::new();
    for spec in QUEUES {
        let urls = create_queue(sqs, spec, options).await?;
        queues.insert(spec.name, urls);
    }

    let documents_bucket = format!("{}-{}", options.prefix, DOCUMENTS_BUCKET.name);
    match s3.create_bucket().bucket(&documents_bucket).send().await {
        Ok(_) => {}
        Err(e) => {
            let service = e.into_service_error();
            if !(service.is_bucket_already_owned_by_you() || service.is_bucket_already_exists()) {
                return Err(anyhow::anyhow!(
                    "create bucket {documents_bucket}: {service}"
                ));
            }
        }
    }

    // SES: the sender domain identity (moto marks it verified at once).
    let exists = sesv2
        .get_email_identity()
        .email_identity(&options.sender_domain)
        .send()
        .await
        .is_ok();
    if !exists {
        sesv2
            .create_email_identity()
            .email_identity(&options.sender_domain)
            .send()
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "create SES identity: {}",
                    aws_sdk_sesv2::error::DisplayErrorContext(e)
                )
            })?;
    }

    Ok(Provisioned {
        table_name,
        queues,
        documents_bucket,
    })
}

fn attribute(name: &str) -> anyhow::Result<AttributeDefinition> {
    Ok(AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()?)
}

fn key(name: &str, key_type: KeyType) -> anyhow::Result<KeySchemaElement> {
    Ok(KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(key_type)
        .build()?)
}

async fn create_table(client: &aws_sdk_dynamodb::Client, name: &str) -> anyhow::Result<()> {
    if client
        .describe_table()
        .table_name(name)
        .send()
        .await
        .is_ok()
    {
        return Ok(());
    }
    let mut request = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(TABLE.partition_key)?)
        .attribute_definitions(attribute(TABLE.sort_key)?)
        .key_schema(key(TABLE.partition_key, KeyType::Hash)?)
        .key_schema(key(TABLE.sort_key, KeyType::Range)?)
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::from(TABLE.stream_view))
                .build()?,
        );
    for gsi in TABLE.gsis {
        request = request
            .attribute_definitions(attribute(gsi.partition_key)?)
            .attribute_definitions(attribute(gsi.sort_key)?)
            .global_secondary_indexes(
                GlobalSecondaryIndex::builder()
                    .index_name(gsi.name)
                    .key_schema(key(gsi.partition_key, KeyType::Hash)?)
                    .key_schema(key(gsi.sort_key, KeyType::Range)?)
                    .projection(
                        Projection::builder()
                            .projection_type(ProjectionType::from(gsi.projection))
                            .build(),
                    )
                    .build()?,
            );
    }
    match request.send().await {
        Ok(_) => {}
        // Another process created it between our describe and create.
        Err(e)
            if e.as_service_error()
                .is_some_and(|s| s.is_resource_in_use_exception()) => {}
        Err(e) => {
            return Err(anyhow::anyhow!(
                "create table {name}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(e)
            ));
        }
    }
    client
        .update_time_to_live()
        .table_name(name)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name(TABLE.ttl_attribute)
                .enabled(true)
                .build()?,
        )
        .send()
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "enable TTL on {name}: {}",
                aws_sdk_dynamodb::error::DisplayErrorContext(e)
            )
        })?;
    Ok(())
}

async fn create_queue(
    client: &aws_sdk_sqs::Client,
    spec: &QueueSpec,
    options: &ProvisionOptions,
) -> anyhow::Result<QueueUrls> {
    use aws_sdk_sqs::types::QueueAttributeName;
    let sqs_err =
        |what: &str, e: &dyn std::fmt::Debug| anyhow::anyhow!("{what} {}: {e:?}", spec.name);
    let dlq_name = format!("{}-{}-dlq", options.prefix, spec.name);
    let dead_letter_url = client
        .create_queue()
        .queue_name(&dlq_name)
        .attributes(
            QueueAttributeName::MessageRetentionPeriod,
            (14 * 24 * 3600).to_string(),
        )
        .send()
        .await
        .map_err(|e| sqs_err("create dead-letter queue", &e))?
        .queue_url
        .context("no dead-letter queue url")?;
    let dlq_arn = client
        .get_queue_attributes()
        .queue_url(&dead_letter_url)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .map_err(|e| sqs_err("read dead-letter queue arn", &e))?
        .attributes
        .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
        .context("no dead-letter queue arn")?;
    let redrive = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": spec.max_receive_count.to_string() });
    let visibility = options
        .visibility_timeout_override
        .unwrap_or(spec.visibility_timeout_seconds);
    let url = client
        .create_queue()
        .queue_name(format!("{}-{}", options.prefix, spec.name))
        .attributes(QueueAttributeName::RedrivePolicy, redrive.to_string())
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            visibility.to_string(),
        )
        .send()
        .await
        .map_err(|e| sqs_err("create queue", &e))?
        .queue_url
        .context("no queue url")?;
    Ok(QueueUrls {
        url,
        dead_letter_url,
    })
}
