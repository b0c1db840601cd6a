use super::*;
use marquee_domain::seatmap::{SeatId, SectionId};
use serde_json::{Value, json};

const NOW: i64 = 1_800_000_000_000;

struct Perf {
    tenant: TenantId,
    performance: PerformanceId,
}

impl Perf {
    fn new() -> Self {
        Self {
            tenant: TenantId::generate(),
            performance: PerformanceId::generate(),
        }
    }

    fn seat_key(&self, seat: &str) -> (String, String) {
        let section = SectionId::parse("Stalls").unwrap();
        (
            keys::seat_states(&self.tenant, &self.performance, &section),
            keys::seat_sk(&SeatId::parse(seat).unwrap()),
        )
    }

    fn area_key(&self, area: &str) -> (String, String) {
        (
            keys::ga_counter(
                &self.tenant,
                &self.performance,
                &AreaId::parse(area).unwrap(),
                0,
            ),
            keys::GA_COUNTER_SK.to_owned(),
        )
    }
}

/// A stream record as Lambda delivers it (DynamoDB JSON images).
fn record(
    event: &str,
    (pk, sk): (String, String),
    old: Option<Value>,
    new: Option<Value>,
    sequence: u32,
) -> EventRecord {
    let keys = json!({ "pk": { "S": pk }, "sk": { "S": sk } });
    let with_keys = |image: Value| {
        let mut image = image;
        image["pk"] = keys["pk"].clone();
        image["sk"] = keys["sk"].clone();
        image
    };
    let mut change = json!({
        "Keys": keys,
        "SequenceNumber": format!("{sequence:021}"),
        "SizeBytes": 120,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    });
    if let Some(old) = old {
        change["OldImage"] = with_keys(old);
    }
    if let Some(new) = new {
        change["NewImage"] = with_keys(new);
    }
    serde_json::from_value(json!({
        "eventID": format!("e{sequence}"),
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "eu-west-1",
        "dynamodb": change,
        "eventSourceARN": "arn:aws:dynamodb:eu-west-1:123456789012:table/t/stream/x",
    }))
    .unwrap()
}

fn seat(state: &str) -> Value {
    json!({ "seat": { "S": "A-1" }, "section": { "S": "Stalls" }, "state": { "S": state } })
}

fn hold(expires_at: i64) -> Value {
    let mut image = seat("held");
    image["cart"] = json!({ "S": "01jd8x3k9m2n4p6q8r0s2t4v6w" });
    image["holdId"] = json!({ "S": "01jd8x4a1b2c3d4e5f6g7h8j9k" });
    image["expiresAt"] = json!({ "N": expires_at.to_string() });
    image
}

fn counter(held: u32, sold: u32) -> Value {
    json!({ "held": { "N": held.to_string() }, "sold": { "N": sold.to_string() } })
}

/// The seat map's updates of a batch (the staff's sales updates left out).
fn seat_map(records: &[EventRecord], now_ms: i64) -> Vec<LiveUpdate> {
    seat_changes(records, now_ms)
        .into_iter()
        .filter(|u| u.change != Change::Sales)
        .collect()
}

/// The performances whose staff hear that sales changed, with the first record behind each.
fn sales_of(records: &[EventRecord]) -> Vec<(PerformanceId, usize)> {
    seat_changes(records, NOW)
        .into_iter()
        .filter(|u| u.change == Change::Sales)
        .map(|u| (u.performance, u.first_record))
        .collect()
}

fn seats_of(update: &LiveUpdate) -> Vec<(String, SeatStatus)> {
    match &update.change {
        Change::Seats(changes) => changes
            .iter()
            .map(|c| (c.seat_id.to_string(), c.status))
            .collect(),
        other => panic!("not a seat update: {other:?}"),
    }
}

/// The one seat change a single record makes, if any.
fn single(record: EventRecord) -> Option<SeatStatus> {
    let updates = seat_map(&[record], NOW);
    assert!(updates.len() <= 1, "{updates:?}");
    updates.first().map(|u| {
        let seats = seats_of(u);
        assert_eq!(seats.len(), 1);
        seats[0].1
    })
}

#[test]
fn blocking_unblocking_holding_and_selling_are_sent() {
    let p = Perf::new();
    let key = p.seat_key("A-1");
    assert_eq!(
        single(record(
            "INSERT",
            key.clone(),
            None,
            Some(seat("blocked")),
            1
        )),
        Some(SeatStatus::Blocked)
    );
    assert_eq!(
        single(record(
            "REMOVE",
            key.clone(),
            Some(seat("blocked")),
            None,
            2
        )),
        Some(SeatStatus::Free)
    );
    assert_eq!(
        single(record(
            "INSERT",
            key.clone(),
            None,
            Some(hold(NOW + 60_000)),
            3
        )),
        Some(SeatStatus::Held)
    );
    assert_eq!(
        single(record(
            "MODIFY",
            key.clone(),
            Some(hold(NOW + 60_000)),
            Some(seat("sold")),
            4
        )),
        Some(SeatStatus::Sold)
    );
    assert_eq!(
        single(record("REMOVE", key, Some(hold(NOW + 60_000)), None, 5)),
        Some(SeatStatus::Free),
        "a released hold"
    );
}

#[test]
fn changes_nobody_can_see_send_nothing() {
    let p = Perf::new();
    let key = p.seat_key("A-1");
    // Checkout extends a live hold.
    assert_eq!(
        single(record(
            "MODIFY",
            key.clone(),
            Some(hold(NOW + 60_000)),
            Some(hold(NOW + 600_000)),
            1
        )),
        None
    );
    // A block written again over a block.
    assert_eq!(
        single(record(
            "MODIFY",
            key.clone(),
            Some(seat("blocked")),
            Some(seat("blocked")),
            2
        )),
        None
    );
    // A hold that had already expired when written was never visible.
    assert_eq!(
        single(record("INSERT", key, None, Some(hold(NOW - 1)), 3)),
        None
    );
}

#[test]
fn expired_holds_are_free_when_they_go_and_held_when_retaken() {
    let p = Perf::new();
    let key = p.seat_key("A-1");
    // The expiry worker deletes an expired hold: those told "held" must hear "free".
    assert_eq!(
        single(record(
            "REMOVE",
            key.clone(),
            Some(hold(NOW - 1_000)),
            None,
            1
        )),
        Some(SeatStatus::Free)
    );
    // A new hold over an expired one: those who loaded the map since saw "free".
    assert_eq!(
        single(record(
            "MODIFY",
            key.clone(),
            Some(hold(NOW - 1_000)),
            Some(hold(NOW + 600_000)),
            2
        )),
        Some(SeatStatus::Held)
    );
    // Staff block a seat whose hold expired.
    assert_eq!(
        single(record(
            "MODIFY",
            key,
            Some(hold(NOW - 1_000)),
            Some(seat("blocked")),
            3
        )),
        Some(SeatStatus::Blocked)
    );
}

#[test]
fn unrelated_items_are_ignored() {
    let p = Perf::new();
    let connection = ConnectionId::parse("abc=").unwrap();
    let anything = json!({ "state": { "S": "blocked" }, "seat": { "S": "A-1" }, "section": { "S": "Stalls" }, "held": { "N": "3" } });
    let others = [
        (
            keys::performance(&p.tenant, &p.performance),
            keys::PERFORMANCE_SK.to_owned(),
        ),
        (
            keys::live_subscribers(&p.tenant, &p.performance, LiveChannel::Seats),
            keys::live_subscriber_sk(&connection),
        ),
        (
            keys::live_connection(&p.tenant, &connection),
            keys::LIVE_CONNECTION_SK.to_owned(),
        ),
        (keys::tenant(&p.tenant), keys::VENUE_SK.to_owned()),
        (
            keys::mail_claim(&p.tenant, "job"),
            keys::MAIL_CLAIM_SK.to_owned(),
        ),
        (format!("T#{}#CART#c1", p.tenant), "HOLD#h1".to_owned()),
        (p.seat_key("A-1").0, "COUNT".to_owned()),
        (p.area_key("lawn").0, "SEAT#A-1".to_owned()),
    ];
    let records: Vec<EventRecord> = others
        .into_iter()
        .enumerate()
        .flat_map(|(i, key)| {
            let i = u32::try_from(i).unwrap() * 3;
            [
                record("INSERT", key.clone(), None, Some(anything.clone()), i),
                record(
                    "MODIFY",
                    key.clone(),
                    Some(json!({})),
                    Some(anything.clone()),
                    i + 1,
                ),
                record("REMOVE", key, Some(anything.clone()), None, i + 2),
            ]
        })
        .collect();
    assert_eq!(seat_map(&records, NOW), vec![]);
}

#[test]
fn unreadable_images_are_skipped_not_fatal() {
    let p = Perf::new();
    let broken = json!({ "state": { "S": "teleported" } });
    let records = [
        record("INSERT", p.seat_key("A-1"), None, Some(broken), 1),
        record("INSERT", p.seat_key("A-2"), None, Some(seat("blocked")), 2),
    ];
    let updates = seat_map(&records, NOW);
    assert_eq!(updates.len(), 1);
    assert_eq!(
        seats_of(&updates[0]),
        vec![("A-2".into(), SeatStatus::Blocked)]
    );
}

#[test]
fn a_performance_gets_one_message_per_batch_with_each_seats_latest_status() {
    let x = Perf::new();
    let y = Perf::new();
    let records = [
        record("INSERT", x.seat_key("A-1"), None, Some(seat("blocked")), 1),
        record("INSERT", y.seat_key("B-1"), None, Some(seat("blocked")), 2),
        record("INSERT", x.seat_key("A-2"), None, Some(seat("blocked")), 3),
        // Blocked and unblocked within the batch: the last status wins, in first position.
        record("REMOVE", x.seat_key("A-1"), Some(seat("blocked")), None, 4),
        record("INSERT", x.seat_key("A-3"), None, Some(hold(NOW + 1)), 5),
    ];
    let updates = seat_map(&records, NOW);
    assert_eq!(updates.len(), 2, "{updates:?}");
    assert_eq!(updates[0].performance, x.performance);
    assert_eq!(updates[0].tenant, x.tenant);
    assert_eq!(updates[0].first_record, 0);
    assert_eq!(
        seats_of(&updates[0]),
        vec![
            ("A-1".into(), SeatStatus::Free),
            ("A-2".into(), SeatStatus::Blocked),
            ("A-3".into(), SeatStatus::Held),
        ]
    );
    assert_eq!(updates[1].performance, y.performance);
    assert_eq!(updates[1].first_record, 1);
    assert_eq!(
        seats_of(&updates[1]),
        vec![("B-1".into(), SeatStatus::Blocked)]
    );
}

#[test]
fn very_large_batches_are_split_into_several_messages() {
    let p = Perf::new();
    let records: Vec<EventRecord> = (0..MAX_CHANGES_PER_MESSAGE + 5)
        .map(|i| {
            let n = u32::try_from(i).unwrap();
            record(
                "INSERT",
                p.seat_key(&format!("S-{i}")),
                None,
                Some(seat("blocked")),
                n,
            )
        })
        .collect();
    let updates = seat_map(&records, NOW);
    assert_eq!(updates.len(), 2);
    assert_eq!(seats_of(&updates[0]).len(), MAX_CHANGES_PER_MESSAGE);
    assert_eq!(seats_of(&updates[1]).len(), 5);
    assert_eq!(updates[1].first_record, MAX_CHANGES_PER_MESSAGE);
}

#[test]
fn general_admission_counters_become_tickets_taken() {
    let p = Perf::new();
    let lawn = p.area_key("lawn");
    let taken = |records: &[EventRecord]| -> Vec<(String, u32)> {
        seat_map(records, NOW)
            .into_iter()
            .map(|u| match u.change {
                Change::GaTaken { area, taken } => (area.to_string(), taken),
                other => panic!("{other:?}"),
            })
            .collect()
    };
    assert_eq!(
        taken(&[record("INSERT", lawn.clone(), None, Some(counter(4, 0)), 1)]),
        vec![("lawn".into(), 4)]
    );
    // Held tickets paid for: as many taken as before, nothing to say.
    assert_eq!(
        taken(&[record(
            "MODIFY",
            lawn.clone(),
            Some(counter(4, 0)),
            Some(counter(1, 3)),
            2
        )]),
        vec![]
    );
    assert_eq!(
        taken(&[record("REMOVE", lawn.clone(), Some(counter(1, 0)), None, 3)]),
        vec![("lawn".into(), 0)]
    );
    // `taken`, when the counter keeps it, is what counts; the last value of a batch wins.
    let mut with_taken = counter(0, 0);
    with_taken["taken"] = json!({ "N": "7" });
    assert_eq!(
        taken(&[
            record(
                "MODIFY",
                lawn.clone(),
                Some(counter(2, 0)),
                Some(counter(3, 0)),
                4
            ),
            record("MODIFY", lawn, Some(counter(3, 0)), Some(with_taken), 5),
        ]),
        vec![("lawn".into(), 7)]
    );
}

#[test]
fn every_shard_of_an_area_makes_one_update_for_the_area() {
    let p = Perf::new();
    let shard = |k: u16| {
        let area = AreaId::parse("floor").unwrap();
        (
            keys::ga_counter(&p.tenant, &p.performance, &area, k),
            keys::GA_COUNTER_SK.to_owned(),
        )
    };
    let updates = seat_map(
        &[
            record("INSERT", shard(0), None, Some(counter(2, 0)), 1),
            record("INSERT", shard(5), None, Some(counter(3, 0)), 2),
            record(
                "MODIFY",
                shard(63),
                Some(counter(1, 0)),
                Some(counter(4, 0)),
                3,
            ),
        ],
        NOW,
    );
    assert_eq!(updates.len(), 1, "{updates:?}");
    assert_eq!(updates[0].first_record, 0);
    assert!(
        matches!(&updates[0].change, Change::GaTaken { area, .. } if area.as_str() == "floor"),
        "{updates:?}"
    );
}

/// Records what it is asked to push (seat map messages in `sent`, sales ones in `sales`);
/// fails for one performance.
struct Recorder {
    sent: Mutex<Vec<LiveMessage>>,
    sales: Mutex<Vec<PerformanceId>>,
    fail_for: Option<PerformanceId>,
}

impl LivePush for Recorder {
    async fn push(
        &self,
        _tenant: &TenantId,
        performance: &PerformanceId,
        channel: LiveChannel,
        message: &LiveMessage,
    ) -> Result<Delivery, PushError> {
        if self.fail_for.as_ref() == Some(performance) {
            return Err(PushError::Store(StoreError::Cancelled("throttled".into())));
        }
        match (channel, message) {
            (LiveChannel::Sales, LiveMessage::Sales { performance_id }) => {
                self.sales.lock().unwrap().push(performance_id.clone());
            }
            (LiveChannel::Seats, LiveMessage::Seats { .. } | LiveMessage::Ga { .. }) => {
                self.sent.lock().unwrap().push(message.clone());
            }
            other => panic!("{other:?} on the wrong channel"),
        }
        Ok(Delivery {
            delivered: 1,
            ..Delivery::default()
        })
    }
}

fn offline_store() -> Store {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .region(aws_sdk_dynamodb::config::Region::new("eu-west-1"))
        .build();
    Store::new(aws_sdk_dynamodb::Client::from_conf(config), "unused")
}

#[tokio::test]
async fn a_failed_delivery_reports_the_earliest_record_behind_it() {
    let ok = Perf::new();
    let failing = Perf::new();
    let mut event = Event::default();
    event.records = vec![
        record("INSERT", ok.seat_key("A-1"), None, Some(seat("blocked")), 1),
        record(
            "INSERT",
            failing.seat_key("A-1"),
            None,
            Some(seat("blocked")),
            2,
        ),
        record(
            "INSERT",
            failing.seat_key("A-2"),
            None,
            Some(seat("blocked")),
            3,
        ),
        record("INSERT", ok.seat_key("A-2"), None, Some(seat("blocked")), 4),
    ];
    let worker = SeatEvents::new(
        offline_store(),
        Recorder {
            sent: Mutex::default(),
            sales: Mutex::default(),
            fail_for: Some(failing.performance.clone()),
        },
    );
    let response = worker.handle_batch(&event).await;
    assert_eq!(response.batch_item_failures.len(), 1);
    assert_eq!(
        response.batch_item_failures[0].item_identifier.as_deref(),
        Some("000000000000000000002")
    );
    // The other performance's subscribers were still told.
    let sent = worker.push.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert!(
        matches!(&sent[0], LiveMessage::Seats { performance_id, changes } if *performance_id == ok.performance && changes.len() == 2)
    );

    let worker = SeatEvents::new(
        offline_store(),
        Recorder {
            sent: Mutex::default(),
            sales: Mutex::default(),
            fail_for: None,
        },
    );
    assert!(
        worker
            .handle_batch(&event)
            .await
            .batch_item_failures
            .is_empty()
    );
}

#[test]
fn staff_hear_once_per_performance_of_seats_places_and_tickets_that_changed() {
    let (seats, places, tickets, quiet) = (Perf::new(), Perf::new(), Perf::new(), Perf::new());
    let ticket_key = |p: &Perf| {
        (
            keys::performance_tickets(&p.tenant, &p.performance),
            keys::ticket_sk(&marquee_domain::TicketId::generate()),
        )
    };
    let records = [
        record(
            "INSERT",
            quiet.seat_key("A-1"),
            Some(hold(NOW + 60_000)),
            Some(hold(NOW + 120_000)),
            1,
        ),
        record(
            "INSERT",
            seats.seat_key("A-1"),
            None,
            Some(seat("blocked")),
            2,
        ),
        record(
            "INSERT",
            seats.seat_key("A-2"),
            None,
            Some(seat("blocked")),
            3,
        ),
        // Held places paid for: the seat map does not change, the sales do.
        record(
            "MODIFY",
            places.area_key("lawn"),
            Some(counter(3, 1)),
            Some(counter(1, 3)),
            4,
        ),
        record(
            "INSERT",
            ticket_key(&tickets),
            None,
            Some(json!({ "status": { "S": "valid" } })),
            5,
        ),
        record(
            "MODIFY",
            ticket_key(&tickets),
            None,
            Some(json!({ "status": { "S": "refunded" } })),
            6,
        ),
        record(
            "INSERT",
            (
                keys::performance(&quiet.tenant, &quiet.performance),
                keys::PERFORMANCE_SK.to_owned(),
            ),
            None,
            Some(json!({})),
            7,
        ),
    ];
    assert_eq!(
        sales_of(&records),
        vec![
            (seats.performance.clone(), 1),
            (places.performance.clone(), 3),
            (tickets.performance.clone(), 4),
        ],
        "a hold extended, or a performance's own item, tells the staff nothing"
    );
    assert!(
        seat_map(&records, NOW)
            .iter()
            .all(|u| u.performance == seats.performance),
        "tickets and a held-to-sold counter change no seat map"
    );
}

#[tokio::test]
async fn sales_updates_go_to_the_sales_channel_only() {
    let p = Perf::new();
    let mut event = Event::default();
    event.records = vec![record(
        "INSERT",
        p.seat_key("A-1"),
        None,
        Some(seat("blocked")),
        1,
    )];
    let worker = SeatEvents::new(
        offline_store(),
        Recorder {
            sent: Mutex::default(),
            sales: Mutex::default(),
            fail_for: None,
        },
    );
    assert!(
        worker
            .handle_batch(&event)
            .await
            .batch_item_failures
            .is_empty()
    );
    assert_eq!(worker.push.sent.lock().unwrap().len(), 1);
    assert_eq!(
        *worker.push.sales.lock().unwrap(),
        vec![p.performance.clone()]
    );
}
