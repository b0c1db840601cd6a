#![allow(clippy::unwrap_used)]

use super::*;
use crate::testkit::{cart, seats, venue, wanted_seats};
use marquee_domain::records::SeatState;

fn seat(id: &str) -> SeatId {
    SeatId::parse(id).unwrap()
}

#[tokio::test]
async fn holding_seats_keeps_them_for_the_hold_time_and_files_the_cart_for_the_sweep() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    let held = holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    let expected_expiry = (crate::testkit::start() + Duration::seconds(600)).timestamp_millis();
    assert!(held.iter().all(|h| h.expires_at == expected_expiry));
    let state = v
        .world
        .store
        .seat(&v.tenant, &v.performance, &seat(&ids[0]))
        .unwrap();
    assert_eq!(state.state, SeatState::Held);
    assert_eq!(state.cart.as_ref(), Some(&access.id));
    assert_eq!(
        v.world.store.filed_for_expiry(&v.tenant, &access.id),
        Some(expected_expiry),
        "the cart is filed for when its holds end"
    );
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    assert_eq!(contents.remaining(), 4);
}

#[tokio::test]
async fn a_seat_someone_else_holds_is_refused_and_nothing_of_the_request_is_held() {
    let v = venue();
    let holds = v.world.holds();
    let first = cart(&v, &holds).await;
    let second = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    holds
        .hold(
            &v.tenant,
            &first,
            v.performance.as_str(),
            &wanted_seats(&ids[..1]),
        )
        .await
        .unwrap();
    let refused = holds
        .hold(
            &v.tenant,
            &second,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, HoldError::SeatsUnavailable(taken) if taken == &[seat(&ids[0])]),
        "{refused:?}"
    );
    assert!(
        v.world
            .store
            .seat(&v.tenant, &v.performance, &seat(&ids[1]))
            .is_none(),
        "the free seat of a refused request stays free"
    );
    assert!(
        holds
            .contents(&v.tenant, &second)
            .await
            .unwrap()
            .holds
            .is_empty()
    );
}

#[tokio::test]
async fn an_expired_hold_is_free_for_the_next_patron_without_waiting_for_the_worker() {
    let v = venue();
    let holds = v.world.holds();
    let first = cart(&v, &holds).await;
    let second = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    let performance = v.performance.as_str();
    holds
        .hold(&v.tenant, &first, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    v.world.clock.advance(Duration::seconds(601));
    holds
        .hold(&v.tenant, &second, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    let state = v
        .world
        .store
        .seat(&v.tenant, &v.performance, &seat(&ids[0]))
        .unwrap();
    assert_eq!(state.cart.as_ref(), Some(&second.id));
    assert!(
        holds
            .contents(&v.tenant, &first)
            .await
            .unwrap()
            .holds
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_and_repeated_seats_are_named_before_anything_is_written() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let performance = v.performance.as_str();
    let unknown = holds
        .hold(
            &v.tenant,
            &access,
            performance,
            &wanted_seats(&["Z-99".into()]),
        )
        .await
        .unwrap_err();
    assert!(matches!(&unknown, HoldError::UnknownSeats(s) if s == &["Z-99".to_owned()]));
    let ids = seats(&v, 1);
    let twice = holds
        .hold(
            &v.tenant,
            &access,
            performance,
            &wanted_seats(&[ids[0].clone(), ids[0].clone()]),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(twice, HoldError::Invalid(ref i) if i.field == "seats"),
        "{twice:?}"
    );
    assert_eq!(v.world.store.faults.calls("hold_seats"), 0);
}

#[tokio::test]
async fn the_ticket_limit_counts_live_holds_and_frees_up_as_they_expire() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let performance = v.performance.as_str();
    let ids = seats(&v, 5);
    let too_many = holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids))
        .await
        .unwrap_err();
    assert!(
        matches!(too_many, HoldError::LimitExceeded { most: 4, .. }),
        "{too_many:?}"
    );
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[..4]))
        .await
        .unwrap();
    let full = holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[4..]))
        .await
        .unwrap_err();
    assert!(
        matches!(
            full,
            HoldError::LimitExceeded {
                remaining: 0,
                most: 4
            }
        ),
        "{full:?}"
    );
    // After the hold time the cart's own expired holds are released and the budget is back.
    v.world.clock.advance(Duration::seconds(601));
    let held = holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[4..]))
        .await
        .unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(
        holds
            .contents(&v.tenant, &access)
            .await
            .unwrap()
            .holds
            .len(),
        1
    );
}

#[tokio::test]
async fn a_performance_off_sale_or_unknown_is_refused() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    let unknown = holds
        .hold(&v.tenant, &access, "not-a-performance", &wanted_seats(&ids))
        .await
        .unwrap_err();
    assert!(matches!(unknown, HoldError::PerformanceNotFound));
    v.world
        .store
        .set_performance_status(&v.tenant, &v.performance, PerformanceStatus::Paused);
    let paused = holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap_err();
    assert!(matches!(paused, HoldError::NotOnSale), "{paused:?}");
}

#[tokio::test]
async fn best_available_holds_adjacent_seats_and_says_when_none_are_left() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let performance = v.performance.as_str();
    let best = HoldWanted::BestAvailable {
        quantity: 3,
        zone: None,
    };
    let held = holds
        .hold(&v.tenant, &access, performance, &best)
        .await
        .unwrap();
    let rows: Vec<_> = held
        .iter()
        .map(|h| h.spot.seat().unwrap().to_string())
        .collect();
    assert_eq!(rows, seats(&v, 3), "the best row, together");
    let other = cart(&v, &holds).await;
    let none = holds
        .hold(&v.tenant, &other, performance, &best)
        .await
        .unwrap_err();
    assert!(matches!(none, HoldError::NoneTogether), "{none:?}");
    let bad_zone = HoldWanted::BestAvailable {
        quantity: 1,
        zone: Some("balcony".into()),
    };
    let refused = holds
        .hold(&v.tenant, &other, performance, &bad_zone)
        .await
        .unwrap_err();
    assert!(matches!(refused, HoldError::Invalid(ref i) if i.field == "zone"));
}

#[tokio::test]
async fn best_available_chooses_again_when_its_view_of_taken_seats_is_stale() {
    let v = venue();
    let holds = v.world.holds();
    let performance = v.performance.as_str();
    let one = HoldWanted::BestAvailable {
        quantity: 1,
        zone: None,
    };
    // This instance reads the taken seats (none) and keeps that view for a moment.
    let first = cart(&v, &holds).await;
    let picked = holds
        .hold(&v.tenant, &first, performance, &one)
        .await
        .unwrap();
    let picked = picked[0].spot.seat().unwrap().to_string();
    // Meanwhile another instance takes the rest of row A.
    let other_instance = v.world.holds();
    let second = cart(&v, &other_instance).await;
    let ids = seats(&v, 5);
    let rest_of_a: Vec<String> = ids[..3].iter().filter(|s| **s != picked).cloned().collect();
    other_instance
        .hold(&v.tenant, &second, performance, &wanted_seats(&rest_of_a))
        .await
        .unwrap();
    let writes_before = v.world.store.faults.calls("hold_seats");
    let third = cart(&v, &holds).await;
    let two = HoldWanted::BestAvailable {
        quantity: 2,
        zone: None,
    };
    let held = holds
        .hold(&v.tenant, &third, performance, &two)
        .await
        .unwrap();
    let got: Vec<String> = held
        .iter()
        .map(|h| h.spot.seat().unwrap().to_string())
        .collect();
    assert!(
        got.iter().all(|s| !ids[..3].contains(s)),
        "never a seat someone else holds: {got:?}"
    );
    assert_eq!(got.len(), 2);
    assert!(
        v.world.store.faults.calls("hold_seats") - writes_before >= 1,
        "the store decided"
    );
}

#[tokio::test]
async fn best_available_passes_over_seats_another_request_is_writing_unless_nothing_else_fits() {
    let v = venue();
    let holds = v.world.holds();
    let performance = v.performance.as_str();
    let key = (v.tenant.clone(), v.performance.clone());
    let view = Arc::new(TakenSeats::new([]));
    holds.taken.put(key, view.clone());
    let row_a: Vec<SeatId> = seats(&v, 3).iter().map(|s| seat(s)).collect();
    // Another request of this instance is writing row A right now.
    let trying = view.try_seats(&row_a);
    let access = cart(&v, &holds).await;
    let two = HoldWanted::BestAvailable {
        quantity: 2,
        zone: None,
    };
    let held = holds
        .hold(&v.tenant, &access, performance, &two)
        .await
        .unwrap();
    let got: Vec<String> = held
        .iter()
        .map(|h| h.spot.seat().unwrap().to_string())
        .collect();
    assert_eq!(got, seats(&v, 5)[3..], "row B, not the block being written");
    // Three together fit only in row A: the search tries it anyway, and the store decides.
    let other = cart(&v, &holds).await;
    let three = HoldWanted::BestAvailable {
        quantity: 3,
        zone: None,
    };
    let held = holds
        .hold(&v.tenant, &other, performance, &three)
        .await
        .unwrap();
    assert_eq!(held.len(), 3);
    drop(trying);
    assert!(
        view.view(|_, is_tried| !row_a.iter().any(is_tried)),
        "a finished write no longer marks its seats"
    );
}

#[tokio::test]
async fn general_admission_counts_places_against_the_capacity() {
    let v = venue();
    let holds = v.world.holds();
    let first = cart(&v, &holds).await;
    let second = cart(&v, &holds).await;
    let performance = v.performance.as_str();
    let three = HoldWanted::GeneralAdmission {
        area: "pit".into(),
        quantity: 3,
    };
    let held = holds
        .hold(&v.tenant, &first, performance, &three)
        .await
        .unwrap();
    assert_eq!(held.len(), 3);
    assert!(held.iter().all(|h| h.spot.area().is_some()));
    let full = holds
        .hold(&v.tenant, &second, performance, &three)
        .await
        .unwrap_err();
    assert!(
        matches!(full, HoldError::AreaFull { available: 2 }),
        "{full:?}"
    );
    let pit = AreaId::parse("pit").unwrap();
    assert_eq!(v.world.store.area(&v.tenant, &v.performance, &pit), (3, 0));
    let unknown = HoldWanted::GeneralAdmission {
        area: "balcony".into(),
        quantity: 1,
    };
    let refused = holds
        .hold(&v.tenant, &second, performance, &unknown)
        .await
        .unwrap_err();
    assert!(matches!(refused, HoldError::Invalid(ref i) if i.field == "areaId"));
}

#[tokio::test]
async fn a_released_hold_frees_its_seat_once_and_only_for_its_own_token() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    let held = holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap();
    let hold_id = held[0].hold_id.to_string();
    let stranger = CartAccess::new(access.id.clone(), "not the token");
    let refused = holds
        .release(&v.tenant, &stranger, &hold_id)
        .await
        .unwrap_err();
    assert!(matches!(refused, HoldError::CartNotFound));
    holds.release(&v.tenant, &access, &hold_id).await.unwrap();
    assert!(
        v.world
            .store
            .seat(&v.tenant, &v.performance, &seat(&ids[0]))
            .is_none()
    );
    let again = holds
        .release(&v.tenant, &access, &hold_id)
        .await
        .unwrap_err();
    assert!(matches!(again, HoldError::HoldNotFound));
    assert_eq!(
        holds
            .contents(&v.tenant, &access)
            .await
            .unwrap()
            .remaining(),
        6
    );
}

#[tokio::test]
async fn lost_races_are_retried_and_reported_as_busy_when_they_keep_happening() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    let performance = v.performance.as_str();
    v.world.store.contention.fail("hold_seats", 1);
    v.world.store.contention.fail("hold_seats", 2);
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[..1]))
        .await
        .unwrap();
    for nth in 1..=4 {
        v.world.store.contention.fail("hold_seats", nth);
    }
    let busy = holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[1..]))
        .await
        .unwrap_err();
    assert!(matches!(busy, HoldError::Busy), "{busy:?}");
}

#[tokio::test]
async fn a_store_failure_is_an_error_and_holds_nothing() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    v.world.store.faults.fail("hold_seats", 1);
    let failed = holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap_err();
    assert!(matches!(failed, HoldError::Store(_)), "{failed:?}");
    assert!(
        holds
            .contents(&v.tenant, &access)
            .await
            .unwrap()
            .holds
            .is_empty()
    );
    assert_eq!(v.world.store.filed_for_expiry(&v.tenant, &access.id), None);
}

#[tokio::test]
async fn the_sweep_releases_only_expired_holds_and_a_second_sweep_is_harmless() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    let performance = v.performance.as_str();
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    // Before the holds end, nothing is due.
    let early = holds.sweep().await.unwrap();
    assert_eq!((early.carts, early.released), (0, 0));
    v.world.clock.advance(Duration::seconds(602));
    let sweep = holds.sweep().await.unwrap();
    assert_eq!(
        (sweep.carts, sweep.released, sweep.carts_expired),
        (1, 2, 1)
    );
    assert!(
        v.world
            .store
            .seat(&v.tenant, &v.performance, &seat(&ids[0]))
            .is_none()
    );
    assert_eq!(
        v.world
            .store
            .stored_cart(&v.tenant, &access.id)
            .unwrap()
            .status,
        CartStatus::Expired
    );
    assert_eq!(v.world.store.filed_for_expiry(&v.tenant, &access.id), None);
    let again = holds.sweep().await.unwrap();
    assert_eq!((again.carts, again.released), (0, 0));
}

#[tokio::test]
async fn the_sweep_leaves_a_seat_someone_else_took_after_the_deadline() {
    let v = venue();
    let holds = v.world.holds();
    let first = cart(&v, &holds).await;
    let second = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    let performance = v.performance.as_str();
    holds
        .hold(&v.tenant, &first, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    v.world.clock.advance(Duration::seconds(601));
    holds
        .hold(&v.tenant, &second, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    let sweep = holds.sweep().await.unwrap();
    assert_eq!(sweep.released, 1, "the first cart's hold is gone");
    let state = v
        .world
        .store
        .seat(&v.tenant, &v.performance, &seat(&ids[0]))
        .unwrap();
    assert_eq!(
        state.cart.as_ref(),
        Some(&second.id),
        "the new holder keeps it"
    );
}

#[tokio::test]
async fn a_cart_that_fails_stays_filed_without_holding_up_the_others() {
    let v = venue();
    let holds = v.world.holds();
    let failing = cart(&v, &holds).await;
    let other = cart(&v, &holds).await;
    let ids = seats(&v, 2);
    let performance = v.performance.as_str();
    for (access, id) in [(&failing, &ids[..1]), (&other, &ids[1..])] {
        holds
            .hold(&v.tenant, access, performance, &wanted_seats(id))
            .await
            .unwrap();
    }
    v.world.clock.advance(Duration::seconds(601));
    // The first cart's release fails (the carts are swept in id order).
    let (first, second) = if failing.id < other.id {
        (&failing, &other)
    } else {
        (&other, &failing)
    };
    v.world.store.faults.fail("release_hold", 1);
    assert!(holds.sweep().await.is_err(), "the failure is reported");
    assert!(
        v.world
            .store
            .filed_for_expiry(&v.tenant, &first.id)
            .is_some(),
        "still filed"
    );
    assert_eq!(
        v.world.store.filed_for_expiry(&v.tenant, &second.id),
        None,
        "the other cart was cleaned up all the same"
    );
    let retried = holds.sweep().await.unwrap();
    assert_eq!((retried.carts, retried.released), (1, 1));
    assert_eq!(v.world.store.filed_for_expiry(&v.tenant, &first.id), None);
}

#[tokio::test]
async fn a_job_sent_before_the_sweep_is_still_honoured() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids),
        )
        .await
        .unwrap();
    let job = crate::jobs::HoldExpiryJob {
        tenant: v.tenant.clone(),
        cart_id: access.id.clone(),
        hold_ids: Vec::new(),
        expires_at: (crate::testkit::start() + Duration::seconds(600)).timestamp_millis(),
    };
    let early = holds.release_expired(&job).await.unwrap();
    assert_eq!(
        (early.released, early.rescheduled),
        (0, 1),
        "still held: filed"
    );
    v.world.clock.advance(Duration::seconds(601));
    let late = holds.release_expired(&job).await.unwrap();
    assert_eq!(late.released, 1);
    assert!(late.cart_expired);
}

#[tokio::test]
async fn a_first_hold_creates_its_cart_in_the_same_write_and_a_refused_one_creates_none() {
    let v = venue();
    let holds = v.world.holds();
    let ids = seats(&v, 3);
    let (created, held) = holds
        .create_cart_with_hold(&v.tenant, v.performance.as_str(), &wanted_seats(&ids[..2]))
        .await
        .unwrap();
    assert_eq!(held.len(), 2);
    assert_eq!(
        v.world.store.faults.calls("create_cart"),
        0,
        "no separate cart write"
    );
    let stored = v
        .world
        .store
        .stored_cart(&v.tenant, &created.cart.id)
        .unwrap();
    assert_eq!(stored.remaining, created.cart.limit - 2);
    assert_eq!(stored.version, 1);
    assert!(
        v.world
            .store
            .filed_for_expiry(&v.tenant, &created.cart.id)
            .is_some(),
        "the clean-up is arranged, in the same write"
    );
    // The token given is the cart's: its holder sees the holds and can add more.
    let access = CartAccess::new(created.cart.id.clone(), &created.token);
    assert_eq!(
        holds
            .contents(&v.tenant, &access)
            .await
            .unwrap()
            .holds
            .len(),
        2
    );
    holds
        .hold(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&ids[2..]),
        )
        .await
        .unwrap();

    let carts = v.world.store.cart_count();
    let refused = holds
        .create_cart_with_hold(&v.tenant, v.performance.as_str(), &wanted_seats(&ids[1..2]))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, HoldError::SeatsUnavailable(_)),
        "{refused:?}"
    );
    let most = created.cart.limit;
    let too_many = seats(&v, usize::try_from(most).unwrap() + 1);
    let refused = holds
        .create_cart_with_hold(&v.tenant, v.performance.as_str(), &wanted_seats(&too_many))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, HoldError::LimitExceeded { .. }),
        "{refused:?}"
    );
    assert_eq!(
        v.world.store.cart_count(),
        carts,
        "refused first holds leave no cart"
    );
}

#[tokio::test]
async fn a_cart_is_filed_once_and_the_sweep_files_it_again_while_it_holds_anything() {
    let v = venue();
    let holds = v.world.holds();
    let ids = seats(&v, 5);
    let performance = v.performance.as_str();
    let (created, _) = holds
        .create_cart_with_hold(&v.tenant, performance, &wanted_seats(&ids[..1]))
        .await
        .unwrap();
    let access = CartAccess::new(created.cart.id.clone(), &created.token);
    let ends = |after: i64| (crate::testkit::start() + Duration::seconds(after)).timestamp_millis();
    for id in &ids[1..4] {
        v.world.clock.advance(Duration::seconds(60));
        holds
            .hold(
                &v.tenant,
                &access,
                performance,
                &wanted_seats(std::slice::from_ref(id)),
            )
            .await
            .unwrap();
    }
    let filed = |v: &crate::testkit::Venue| v.world.store.filed_for_expiry(&v.tenant, &access.id);
    assert_eq!(filed(&v), Some(ends(600)), "for the first hold's end");

    // When the first hold ends, it is released and the cart is filed for the next one's end.
    v.world.clock.advance(Duration::seconds(600 - 180));
    let sweep = holds.sweep().await.unwrap();
    assert_eq!((sweep.released, sweep.carts_expired), (1, 0));
    assert_eq!(filed(&v), Some(ends(660)));

    // The holder gives everything back: the next sweep finds nothing and takes the cart out ...
    for hold in holds.contents(&v.tenant, &access).await.unwrap().holds {
        holds
            .release(&v.tenant, &access, hold.hold_id.as_str())
            .await
            .unwrap();
    }
    v.world.clock.advance(Duration::seconds(60));
    let sweep = holds.sweep().await.unwrap();
    assert_eq!((sweep.carts, sweep.released), (1, 0));
    assert_eq!(filed(&v), None);
    let cart = v.world.store.stored_cart(&v.tenant, &access.id).unwrap();
    assert_eq!(cart.status, CartStatus::Open, "emptied, not expired");
    // ... and its next hold files it again.
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[4..]))
        .await
        .unwrap();
    assert_eq!(filed(&v), Some(ends(660 + 600)));
}

#[tokio::test]
async fn a_hold_decided_on_an_out_of_date_copy_of_the_performance_is_decided_again() {
    let v = venue();
    let holds = v.world.holds();
    let access = cart(&v, &holds).await;
    let ids = seats(&v, 3);
    let performance = v.performance.as_str();
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[..1]))
        .await
        .unwrap();
    // Changed behind this instance's cached copy: its hold limit is now 1 per order.
    let mut changed = v
        .world
        .store
        .stored_performance(&v.tenant, &v.performance)
        .unwrap();
    changed.max_tickets_per_order = 1;
    changed.updated_at = (crate::testkit::start() + Duration::seconds(1)).to_rfc3339();
    v.world.store.put_performance(&v.tenant, changed);
    let reads = v.world.store.faults.calls("performance");

    let refused = holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[1..3]))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, HoldError::LimitExceeded { most: 1, .. }),
        "decided on the new limit, not the cached one: {refused:?}"
    );
    assert_eq!(
        v.world.store.faults.calls("performance"),
        reads + 1,
        "read afresh once"
    );
    // The fresh copy is cached: the next hold needs no read.
    holds
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[1..2]))
        .await
        .unwrap();
    assert_eq!(v.world.store.faults.calls("performance"), reads + 1);
}

#[tokio::test]
async fn a_refused_hold_files_nothing() {
    let v = venue();
    let holds = v.world.holds();
    let taker = cart(&v, &holds).await;
    let loser = cart(&v, &holds).await;
    let ids = seats(&v, 1);
    let performance = v.performance.as_str();
    holds
        .hold(&v.tenant, &taker, performance, &wanted_seats(&ids))
        .await
        .unwrap();
    let refused = holds
        .hold(&v.tenant, &loser, performance, &wanted_seats(&ids))
        .await
        .unwrap_err();
    assert!(
        matches!(refused, HoldError::SeatsUnavailable(_)),
        "{refused:?}"
    );
    assert!(
        v.world
            .store
            .filed_for_expiry(&v.tenant, &taker.id)
            .is_some()
    );
    assert_eq!(v.world.store.filed_for_expiry(&v.tenant, &loser.id), None);
}

#[tokio::test]
async fn carts_started_within_seconds_of_each_other_read_the_venue_once() {
    let v = venue();
    let holds = v.world.holds();
    let ids = seats(&v, 2);
    let reads = v.world.store.faults.calls("venue");
    for id in &ids {
        holds
            .create_cart_with_hold(
                &v.tenant,
                v.performance.as_str(),
                &wanted_seats(std::slice::from_ref(id)),
            )
            .await
            .unwrap();
    }
    assert_eq!(v.world.store.faults.calls("venue"), reads + 1);
}

fn held_seats(contents: &CartContents) -> Vec<String> {
    contents
        .holds
        .iter()
        .map(|h| h.spot.seat().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_later_hold_on_a_cart_this_instance_knows_is_one_write_and_shows_the_whole_cart() {
    let v = venue();
    let holds = v.world.holds();
    let ids = seats(&v, 3);
    let performance = v.performance.as_str();
    let (new, _) = holds
        .create_cart_with_hold(&v.tenant, performance, &wanted_seats(&ids[..1]))
        .await
        .unwrap();
    let access = CartAccess::new(new.cart.id.clone(), &new.token);
    let reads = v.world.store.faults.calls("cart");
    let shown = holds
        .hold_and_show(&v.tenant, &access, performance, &wanted_seats(&ids[1..3]))
        .await
        .unwrap();
    assert_eq!(
        v.world.store.faults.calls("cart"),
        reads,
        "the cart is not read back"
    );
    assert_eq!(held_seats(&shown), ids, "every hold of the cart, in order");
    let stored = holds.contents(&v.tenant, &access).await.unwrap();
    assert_eq!(held_seats(&stored), held_seats(&shown));
    assert_eq!(stored.cart.version, shown.cart.version);
    assert_eq!(stored.cart.remaining, shown.cart.remaining);
    assert_eq!(stored.cart.perf_remaining, shown.cart.perf_remaining);
    assert_eq!(shown.remaining(), 3);
}

#[tokio::test]
async fn a_cart_changed_by_another_instance_is_decided_and_shown_as_stored() {
    let v = venue();
    let here = v.world.holds();
    let elsewhere = v.world.holds();
    let ids = seats(&v, 4);
    let performance = v.performance.as_str();
    let (new, first) = here
        .create_cart_with_hold(&v.tenant, performance, &wanted_seats(&ids[..2]))
        .await
        .unwrap();
    let access = CartAccess::new(new.cart.id.clone(), &new.token);
    // Another instance gives one seat back and holds another for the same cart.
    elsewhere
        .release(&v.tenant, &access, first[0].hold_id.as_str())
        .await
        .unwrap();
    elsewhere
        .hold(&v.tenant, &access, performance, &wanted_seats(&ids[2..3]))
        .await
        .unwrap();
    let shown = here
        .hold_and_show(&v.tenant, &access, performance, &wanted_seats(&ids[3..4]))
        .await
        .unwrap();
    assert_eq!(
        held_seats(&shown),
        ids[1..4].to_vec(),
        "what is stored, not this instance's old copy"
    );
    let stored = here.contents(&v.tenant, &access).await.unwrap();
    assert_eq!(stored.cart.version, shown.cart.version);
    assert_eq!(stored.cart.remaining, shown.cart.remaining);
    // The cart was read back (and once more above), so the copy is current again: the next
    // hold is one write and no read.
    let reads = v.world.store.faults.calls("cart");
    let shown = here
        .hold_and_show(&v.tenant, &access, performance, &wanted_seats(&ids[..1]))
        .await
        .unwrap();
    assert_eq!(v.world.store.faults.calls("cart"), reads);
    assert_eq!(held_seats(&shown), ids.to_vec());
}
