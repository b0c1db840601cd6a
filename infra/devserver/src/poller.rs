//! Lambda's SQS trigger, locally: long-poll a queue, hand each batch to the worker as an
//! `SqsEvent`, delete the messages it did not report as failed. Failed messages are left
//! alone, so they come back after the visibility timeout and, past the queue's receive
//! limit, SQS moves them to the dead-letter queue — exactly as with the real trigger.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::RwLock;

pub type BatchHandler =
    Arc<dyn Fn(SqsEvent) -> Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>> + Send + Sync>;

/// Each round (receive, handle, delete) runs under a read guard of `gate`, so whoever holds
/// its write guard pauses the poller between rounds (see `DevServer::pause_queue_workers`).
pub async fn poll_queue(
    sqs: aws_sdk_sqs::Client,
    queue_url: String,
    handler: BatchHandler,
    gate: Arc<RwLock<()>>,
) {
    loop {
        let _round = gate.read().await;
        let received = sqs
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await;
        let messages = match received {
            Ok(out) => out.messages.unwrap_or_default(),
            Err(e) => {
                tracing::warn!(queue = %queue_url, error = %aws_sdk_sqs::error::DisplayErrorContext(e), "receive failed");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        if messages.is_empty() {
            continue;
        }
        let mut event = SqsEvent::default();
        event.records = messages.iter().map(to_lambda_record).collect();
        let response = handler(event).await;
        let failed: HashSet<&str> = response
            .batch_item_failures
            .iter()
            .map(|f| f.item_identifier.as_str())
            .collect();
        let done: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| !failed.contains(m.message_id().unwrap_or_default()))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .set_receipt_handle(m.receipt_handle.clone())
                    .build()
                    .ok()
            })
            .collect();
        if !done.is_empty()
            && let Err(e) = sqs
                .delete_message_batch()
                .queue_url(&queue_url)
                .set_entries(Some(done))
                .send()
                .await
        {
            tracing::warn!(queue = %queue_url, error = %aws_sdk_sqs::error::DisplayErrorContext(e), "delete failed");
        }
    }
}

fn to_lambda_record(message: &aws_sdk_sqs::types::Message) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = message.message_id.clone();
    record.receipt_handle = message.receipt_handle.clone();
    record.body = message.body.clone();
    record.md5_of_body = message.md5_of_body.clone();
    record.attributes = message
        .attributes
        .as_ref()
        .map(|attrs| {
            attrs
                .iter()
                .map(|(k, v)| (k.as_str().to_owned(), v.clone()))
                .collect()
        })
        .unwrap_or_default();
    record.event_source = Some("aws:sqs".into());
    record
}
