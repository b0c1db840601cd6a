//! Lambda's DynamoDB Streams triggers, locally: tails the table's stream on DynamoDB Local and
//! hands each batch of records to the `seat-events` and `sales-reports` workers as the
//! `aws_lambda_events` event Lambda would deliver, each retried from its reported failure as
//! Lambda does (a few times, then the batch is dropped with a warning, like a trigger's retry
//! limit).

use crate::live::LiveHub;
use anyhow::Context;
use aws_lambda_events::dynamodb::{Event, EventRecord, StreamRecord, StreamViewType};
use aws_lambda_events::streams::DynamoDbEventResponse;
use aws_sdk_dynamodbstreams::types::{Record, ShardIteratorType};
use chrono::DateTime;
use marquee_store::Store;
use sales_reports::SalesReports;
use seat_events::SeatEvents;
use std::collections::{HashMap, HashSet};
use std::time::Duration;
use tokio::task::JoinHandle;

/// How often each shard is read: the live seat map's latency budget is one second.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Polls between looks for new shards (DynamoDB rolls shards over every few hours).
const DISCOVER_EVERY: u32 = 20;
/// Attempts after a batch reports a failure.
const MAX_RETRIES: u32 = 3;

/// Starts tailing `store`'s table, positioned at the stream's end before it returns, so
/// every write after the devserver has started reaches the worker.
pub(crate) async fn start_seat_events(
    streams: aws_sdk_dynamodbstreams::Client,
    store: Store,
    hub: LiveHub,
) -> anyhow::Result<JoinHandle<()>> {
    let stream_arn = store
        .client()
        .describe_table()
        .table_name(store.table())
        .send()
        .await
        .context("describing the table")?
        .table
        .and_then(|t| t.latest_stream_arn)
        .context("the table has no stream")?;
    let mut tailer = Tailer {
        streams,
        stream_arn,
        shards: HashMap::new(),
        known: HashSet::new(),
    };
    tailer.discover(true).await?;
    // In AWS each worker has its own trigger and neither waits for the other: the reports
    // worker gets its batches through a queue here, in order, so its writes never delay the
    // next live update.
    let reports = SalesReports::new(store.clone());
    let (to_reports, mut batches) = tokio::sync::mpsc::unbounded_channel::<Vec<EventRecord>>();
    tokio::spawn(async move {
        while let Some(batch) = batches.recv().await {
            deliver(&reports, batch).await;
        }
    });
    let workers = Workers {
        live: SeatEvents::new(store, hub),
        reports: to_reports,
    };
    Ok(tokio::spawn(async move { tailer.run(workers).await }))
}

/// The stream's consumers, each with its own trigger in AWS: the live worker is called in
/// line, the reports worker through its queue.
struct Workers {
    live: SeatEvents<LiveHub>,
    reports: tokio::sync::mpsc::UnboundedSender<Vec<EventRecord>>,
}

trait StreamWorker {
    const NAME: &'static str;
    async fn handle(&self, event: &Event) -> DynamoDbEventResponse;
}

impl StreamWorker for SeatEvents<LiveHub> {
    const NAME: &'static str = "seat-events";
    async fn handle(&self, event: &Event) -> DynamoDbEventResponse {
        self.handle_batch(event).await
    }
}

impl StreamWorker for SalesReports {
    const NAME: &'static str = "sales-reports";
    async fn handle(&self, event: &Event) -> DynamoDbEventResponse {
        self.handle_batch(event).await
    }
}

struct Tailer {
    streams: aws_sdk_dynamodbstreams::Client,
    stream_arn: String,
    /// Open shards being read: their next iterator, and the last record handed on.
    shards: HashMap<String, Shard>,
    /// Every shard seen, read to its end or still open.
    known: HashSet<String>,
}

struct Shard {
    iterator: String,
    last_sequence: Option<String>,
}

impl Tailer {
    /// Starts reading shards not seen before: at their end when the devserver starts, from
    /// their beginning when they appear later (children of a shard that closed).
    async fn discover(&mut self, at_start: bool) -> anyhow::Result<()> {
        let mut after: Option<String> = None;
        loop {
            let description = self
                .streams
                .describe_stream()
                .stream_arn(&self.stream_arn)
                .set_exclusive_start_shard_id(after.take())
                .send()
                .await
                .context("describing the table's stream")?
                .stream_description
                .context("no stream description")?;
            for shard in description.shards.unwrap_or_default() {
                let Some(id) = shard.shard_id else { continue };
                if !self.known.insert(id.clone()) {
                    continue;
                }
                let closed = shard
                    .sequence_number_range
                    .is_some_and(|r| r.ending_sequence_number.is_some());
                if at_start && closed {
                    continue;
                }
                let position = if at_start {
                    ShardIteratorType::Latest
                } else {
                    ShardIteratorType::TrimHorizon
                };
                let iterator = self.iterator(&id, position, None).await?;
                self.shards.insert(
                    id,
                    Shard {
                        iterator,
                        last_sequence: None,
                    },
                );
            }
            match description.last_evaluated_shard_id {
                Some(last) => after = Some(last),
                None => return Ok(()),
            }
        }
    }

    async fn iterator(
        &self,
        shard: &str,
        position: ShardIteratorType,
        sequence: Option<String>,
    ) -> anyhow::Result<String> {
        self.streams
            .get_shard_iterator()
            .stream_arn(&self.stream_arn)
            .shard_id(shard)
            .shard_iterator_type(position)
            .set_sequence_number(sequence)
            .send()
            .await
            .context("getting a shard iterator")?
            .shard_iterator
            .context("no shard iterator")
    }

    async fn run(mut self, workers: Workers) {
        let mut polls = 0u32;
        loop {
            polls = polls.wrapping_add(1);
            if polls.is_multiple_of(DISCOVER_EVERY)
                && let Err(error) = self.discover(false).await
            {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "stream shard discovery failed"
                );
            }
            let ids: Vec<String> = self.shards.keys().cloned().collect();
            for id in ids {
                self.read(&id, &workers).await;
            }
            tokio::time::sleep(POLL_INTERVAL).await;
        }
    }

    async fn read(&mut self, id: &str, workers: &Workers) {
        let Some(shard) = self.shards.get(id) else {
            return;
        };
        let out = self
            .streams
            .get_records()
            .shard_iterator(&shard.iterator)
            .limit(1000)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(e)
                if e.as_service_error().is_some_and(|s| {
                    s.is_expired_iterator_exception() || s.is_trimmed_data_access_exception()
                }) =>
            {
                // Iterators last 15 minutes. And DynamoDB Local numbers stream records
                // across all its tables, so an iterator taken at the end of a shard that was
                // still empty ends up "before" its first record once other tables have
                // written (trimmed data). Either way: carry on after the last record handed
                // on, or, if none was, from the shard's beginning: it was empty when reading
                // started (at the end of a non-empty shard this cannot happen), so everything
                // in it is new.
                let (position, sequence) = match shard.last_sequence.clone() {
                    Some(sequence) => (ShardIteratorType::AfterSequenceNumber, Some(sequence)),
                    None => (ShardIteratorType::TrimHorizon, None),
                };
                match self.iterator(id, position, sequence).await {
                    Ok(iterator) => {
                        if let Some(shard) = self.shards.get_mut(id) {
                            shard.iterator = iterator;
                        }
                    }
                    Err(error) => tracing::warn!(
                        shard = id,
                        error = format!("{error:#}"),
                        "renewing a shard iterator failed"
                    ),
                }
                return;
            }
            Err(e) => {
                tracing::warn!(shard = id, error = %aws_sdk_dynamodbstreams::error::DisplayErrorContext(e), "reading the stream failed");
                return;
            }
        };
        let records: Vec<EventRecord> = out
            .records
            .unwrap_or_default()
            .iter()
            .map(|r| to_lambda_record(r, &self.stream_arn))
            .collect();
        match out.next_shard_iterator {
            Some(next) => {
                if let Some(shard) = self.shards.get_mut(id) {
                    shard.iterator = next;
                    if let Some(last) = records.last() {
                        shard.last_sequence = last.change.sequence_number.clone();
                    }
                }
            }
            // The shard is closed and read to its end; its children are found by `discover`.
            None => {
                self.shards.remove(id);
            }
        }
        if !records.is_empty() {
            // Only orders, issued tickets and seat states removed count for the reports (the trigger's
            // filters in AWS).
            let orders: Vec<EventRecord> =
                records.iter().filter(|r| for_reports(r)).cloned().collect();
            if !orders.is_empty() && workers.reports.send(orders).is_err() {
                tracing::error!("the reports worker has stopped; its records are dropped");
            }
            deliver(&workers.live, records).await;
        }
    }
}

fn for_reports(record: &EventRecord) -> bool {
    match record.change.keys.get(marquee_store::keys::SK) {
        Some(serde_dynamo::AttributeValue::S(sk)) => {
            sk == marquee_store::keys::ORDER_SK
                || sk.starts_with(marquee_store::keys::TICKET_PREFIX)
                || (record.event_name == "REMOVE"
                    && sk.starts_with(marquee_store::keys::SEAT_PREFIX))
        }
        _ => false,
    }
}

/// Invokes the worker with a batch; after a reported failure, again from the failed record.
async fn deliver<W: StreamWorker>(worker: &W, mut records: Vec<EventRecord>) {
    for attempt in 0..=MAX_RETRIES {
        let mut event = Event::default();
        event.records = records;
        let response = worker.handle(&event).await;
        records = event.records;
        let Some(failure) = response.batch_item_failures.first() else {
            return;
        };
        let from = failure
            .item_identifier
            .as_ref()
            .and_then(|sequence| {
                records
                    .iter()
                    .position(|r| r.change.sequence_number.as_ref() == Some(sequence))
            })
            .unwrap_or(0);
        records.drain(..from);
        tracing::warn!(
            attempt,
            records = records.len(),
            worker = W::NAME,
            "a stream worker reported a failure; retrying"
        );
        tokio::time::sleep(Duration::from_millis(200) * (attempt + 1)).await;
    }
    tracing::warn!(
        records = records.len(),
        worker = W::NAME,
        "a stream worker kept failing; records dropped"
    );
}

/// A DynamoDB Streams record as Lambda's event carries it.
fn to_lambda_record(record: &Record, stream_arn: &str) -> EventRecord {
    let mut out = EventRecord::default();
    out.event_id = record.event_id.clone().unwrap_or_default();
    out.event_name = record
        .event_name
        .as_ref()
        .map(|n| n.as_str().to_owned())
        .unwrap_or_default();
    out.event_version = record.event_version.clone();
    out.event_source = record.event_source.clone();
    out.aws_region = record.aws_region.clone().unwrap_or_default();
    out.event_source_arn = Some(stream_arn.to_owned());
    if let Some(change) = &record.dynamodb {
        let mut stream_record = StreamRecord::default();
        let image = |i: &Option<
            HashMap<String, aws_sdk_dynamodbstreams::types::AttributeValue>,
        >| { serde_dynamo::Item::from(i.clone().unwrap_or_default()) };
        stream_record.keys = image(&change.keys);
        stream_record.new_image = image(&change.new_image);
        stream_record.old_image = image(&change.old_image);
        stream_record.sequence_number = change.sequence_number.clone();
        stream_record.size_bytes = change.size_bytes.unwrap_or_default();
        if let Some(at) = change
            .approximate_creation_date_time
            .and_then(|at| DateTime::from_timestamp(at.secs(), at.subsec_nanos()))
        {
            stream_record.approximate_creation_date_time = at;
        }
        stream_record.stream_view_type =
            change
                .stream_view_type
                .as_ref()
                .and_then(|v| match v.as_str() {
                    "NEW_AND_OLD_IMAGES" => Some(StreamViewType::NewAndOldImages),
                    "NEW_IMAGE" => Some(StreamViewType::NewImage),
                    "OLD_IMAGE" => Some(StreamViewType::OldImage),
                    "KEYS_ONLY" => Some(StreamViewType::KeysOnly),
                    _ => None,
                });
        out.change = stream_record;
    }
    out
}
