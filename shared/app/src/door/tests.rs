#![allow(clippy::unwrap_used)]

use super::*;
use crate::fakes::FakeCodes;
use crate::testkit::{Venue, checked_out, pay, venue};

/// A paid order of two tickets: their codes.
async fn two_tickets(v: &Venue) -> Vec<(TicketId, String)> {
    let (_, done) = checked_out(v, 2).await;
    pay(v, &done).await.unwrap();
    done.order
        .tickets
        .iter()
        .map(|t| {
            (
                t.id.clone(),
                FakeCodes::code(&v.tenant, &v.performance, &t.id),
            )
        })
        .collect()
}

fn scan<'a>(v: &'a Venue, code: &'a str, direction: ScanDirection, door: &str) -> Scan<'a> {
    Scan {
        performance: &v.performance,
        code,
        direction,
        door: Some(door.to_owned()),
        staff: "door@example.com",
    }
}

#[tokio::test]
async fn a_ticket_is_admitted_once_then_told_when_and_where_it_was_used() {
    let v = venue();
    let tickets = two_tickets(&v).await;
    let door = v.world.door();
    let first = door
        .scan(
            &v.tenant,
            scan(&v, &tickets[0].1, ScanDirection::In, "North"),
        )
        .await
        .unwrap();
    assert_eq!(first.result, ScanResult::Ok);
    assert_eq!(first.ticket.as_ref(), Some(&tickets[0].0));
    assert!(
        first.place.unwrap().seat_label.is_some(),
        "the door sees the seat"
    );
    let again = door
        .scan(
            &v.tenant,
            scan(&v, &tickets[0].1, ScanDirection::In, "South"),
        )
        .await
        .unwrap();
    assert_eq!(again.result, ScanResult::AlreadyUsed);
    assert_eq!(again.used_door.as_deref(), Some("North"));
    assert!(again.used_at.is_some());
    let log = v.world.store.scans();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].result, ScanResult::AlreadyUsed);
    assert_eq!(log[1].staff, "door@example.com");
}

#[tokio::test]
async fn going_out_allows_coming_back_in_but_not_out_twice() {
    let v = venue();
    let tickets = two_tickets(&v).await;
    let door = v.world.door();
    let code = &tickets[1].1;
    let out_first = door
        .scan(&v.tenant, scan(&v, code, ScanDirection::Out, "A"))
        .await
        .unwrap();
    assert_eq!(out_first.result, ScanResult::NotInside);
    for direction in [ScanDirection::In, ScanDirection::Out, ScanDirection::In] {
        let scanned = door
            .scan(&v.tenant, scan(&v, code, direction, "A"))
            .await
            .unwrap();
        assert_eq!(scanned.result, ScanResult::Ok, "{direction:?}");
    }
}

#[tokio::test]
async fn forged_foreign_and_misplaced_codes_are_refused_without_admitting_anyone() {
    let v = venue();
    let tickets = two_tickets(&v).await;
    let door = v.world.door();
    let forged = tickets[0].1.replace(".ok", ".forged");
    let scanned = door
        .scan(&v.tenant, scan(&v, &forged, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(scanned.result, ScanResult::Invalid);
    assert_eq!(
        v.world.store.faults.calls("scan_ticket"),
        0,
        "no ticket was read"
    );
    let other_venue = TenantId::generate();
    let foreign = FakeCodes::code(&other_venue, &v.performance, &tickets[0].0);
    let scanned = door
        .scan(&v.tenant, scan(&v, &foreign, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(scanned.result, ScanResult::Invalid);
    let elsewhere = FakeCodes::code(&v.tenant, &PerformanceId::generate(), &tickets[0].0);
    let scanned = door
        .scan(&v.tenant, scan(&v, &elsewhere, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(scanned.result, ScanResult::WrongPerformance);
    // None of these used the ticket up.
    let real = door
        .scan(&v.tenant, scan(&v, &tickets[0].1, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(real.result, ScanResult::Ok);
}

#[tokio::test]
async fn a_refunded_ticket_is_refused_at_the_door() {
    let v = venue();
    let tickets = two_tickets(&v).await;
    let order = {
        let issued = v
            .world
            .store
            .performance_tickets_of(&v.tenant, &v.performance);
        issued[0].order_id.clone()
    };
    v.world
        .sales()
        .refund_tickets(&v.tenant, &order, Some(&[tickets[0].0.clone()]), "Refunded")
        .await
        .unwrap();
    let door = v.world.door();
    let scanned = door
        .scan(&v.tenant, scan(&v, &tickets[0].1, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(scanned.result, ScanResult::Refunded);
}

#[tokio::test]
async fn a_failing_log_does_not_stop_the_door_but_a_failing_ticket_read_does() {
    let v = venue();
    let tickets = two_tickets(&v).await;
    let door = v.world.door();
    v.world.store.faults.fail("log_scan", 1);
    let scanned = door
        .scan(&v.tenant, scan(&v, &tickets[0].1, ScanDirection::In, "A"))
        .await
        .unwrap();
    assert_eq!(scanned.result, ScanResult::Ok);
    v.world.store.faults.fail("scan_ticket", 1);
    assert!(
        door.scan(&v.tenant, scan(&v, &tickets[1].1, ScanDirection::In, "A"))
            .await
            .is_err()
    );
}
