//! A small venue for the services' unit tests: one performance on sale with a seated
//! section (rows A and B) and a standing area of 5 places, priced in USD.

#![allow(clippy::unwrap_used)]

use crate::fakes::World;
use crate::holds::{CartAccess, HoldWanted};
use chrono::{DateTime, Duration, TimeZone, Utc};
use marquee_domain::performance::{PerformanceStatus, Schedule};
use marquee_domain::pricing::{PriceRow, PriceTable};
use marquee_domain::records::{EventRecord, PerformanceRecord, SeatMapRecord, VenueRecord};
use marquee_domain::seatmap::{SeatMap, SeatMapInput, ZoneId};
use marquee_domain::{
    ConnectedAccount, Currency, EventId, Hostname, PerformanceId, SeatMapId, Slug, TenantId,
    Timezone, VenueSettings,
};

pub struct Venue {
    pub world: World,
    pub tenant: TenantId,
    pub performance: PerformanceId,
}

/// The venue's connected payment account (charges and payouts enabled).
pub const ACCOUNT: &str = "acct_little";

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 6, 18, 0, 0).unwrap()
}

fn map() -> SeatMap {
    let input: SeatMapInput = serde_json::from_value(serde_json::json!({
        "name": "Little Theatre",
        "zones": [{ "id": "stalls" }, { "id": "standing" }],
        "sections": [{
            "id": "main",
            "name": "Main floor",
            "rows": [
                { "label": "A", "seats": [
                    { "label": "1", "x": 10, "y": 10, "zone": "stalls", "rank": 1 },
                    { "label": "2", "x": 20, "y": 10, "zone": "stalls", "rank": 1 },
                    { "label": "3", "x": 30, "y": 10, "zone": "stalls", "rank": 1 }
                ]},
                { "label": "B", "seats": [
                    { "label": "1", "x": 10, "y": 20, "zone": "stalls", "rank": 2 },
                    { "label": "2", "x": 20, "y": 20, "zone": "stalls", "rank": 2 }
                ]}
            ]
        }],
        "areas": [{ "id": "pit", "name": "Standing pit", "zone": "standing", "capacity": 5, "x": 50, "y": 90 }]
    }))
    .unwrap();
    SeatMap::parse(input).unwrap()
}

/// The venue, with `adult` at $50.00 in the stalls, $20.00 standing, and `comp` free.
pub fn venue() -> Venue {
    let world = World::new(start());
    let tenant = TenantId::generate();
    let mut settings = VenueSettings::new(
        "Little Theatre",
        Timezone::parse("America/New_York").unwrap(),
        Currency::parse("USD").unwrap(),
    )
    .unwrap();
    settings.max_tickets_per_order = 6;
    world.store.put_venue(VenueRecord {
        id: tenant.clone(),
        slug: Slug::parse("little").unwrap(),
        hostname: Hostname::parse("little.example.com").unwrap(),
        settings,
        created_at: start().to_rfc3339(),
        payments: Some(ConnectedAccount {
            account_id: ACCOUNT.to_owned(),
            charges_enabled: true,
            payouts_enabled: true,
            details_submitted: true,
            requirements: Vec::new(),
            disabled_reason: None,
            ever_enabled: true,
            updated_at: start().to_rfc3339(),
        }),
        platform_fee: None,
    });
    let map = map();
    let map_id = SeatMapId::generate();
    world.store.put_seat_map(
        &tenant,
        SeatMapRecord {
            id: map_id.clone(),
            name: map.name.clone(),
            version: 1,
            zones: map.zones.clone(),
            areas: map.areas.clone(),
            section_ids: map.sections.iter().map(|s| s.id.clone()).collect(),
            seat_count: 5,
            created_at: start().to_rfc3339(),
            updated_at: start().to_rfc3339(),
        },
        map,
    );
    let event = EventId::generate();
    world.store.put_event(
        &tenant,
        EventRecord {
            id: event.clone(),
            title: "La Traviata".into(),
            description: String::new(),
            image_key: None,
            created_at: start().to_rfc3339(),
            updated_at: start().to_rfc3339(),
        },
    );
    let zones = [
        ZoneId::parse("stalls").unwrap(),
        ZoneId::parse("standing").unwrap(),
    ];
    let row = |zone: &str, price_type: &str, amount| PriceRow {
        zone: zone.into(),
        price_type: price_type.into(),
        amount,
        hidden: false,
    };
    let prices = PriceTable::parse(
        vec![
            row("stalls", "adult", 5000),
            row("stalls", "comp", 0),
            row("standing", "adult", 2000),
            row("standing", "comp", 0),
        ],
        &zones,
    )
    .unwrap();
    let performance = PerformanceId::generate();
    world.store.put_performance(
        &tenant,
        PerformanceRecord {
            id: performance.clone(),
            event_id: event,
            seat_map_id: map_id,
            status: PerformanceStatus::OnSale,
            schedule: Schedule {
                starts_at: start() + Duration::days(7),
                on_sale_at: start() - Duration::days(1),
                off_sale_at: start() + Duration::days(7),
            },
            prices,
            fees: Vec::new(),
            taxes: Vec::new(),
            max_tickets_per_order: 4,
            hold_seconds: 600,
            ga_shards: std::collections::BTreeMap::new(),
            created_at: start().to_rfc3339(),
            updated_at: start().to_rfc3339(),
        },
    );
    Venue {
        world,
        tenant,
        performance,
    }
}

/// Seat ids of the map, row A then row B.
pub fn seats(venue: &Venue, n: usize) -> Vec<String> {
    let map = map();
    let _ = venue;
    map.sections[0]
        .rows
        .iter()
        .flat_map(|r| r.seats.iter().map(|s| s.id.to_string()))
        .take(n)
        .collect()
}

/// A new cart and its access.
pub async fn cart(venue: &Venue, holds: &crate::holds::Holds) -> CartAccess {
    let created = holds.create_cart(&venue.tenant).await.unwrap();
    CartAccess::new(created.cart.id, &created.token)
}

pub fn wanted_seats(ids: &[String]) -> HoldWanted {
    HoldWanted::Seats(ids.to_vec())
}

/// Checks out the cart with one price type for every hold it has.
pub fn request(
    contents: &crate::holds::CartContents,
    price_type: &str,
) -> crate::checkout::CheckoutRequest {
    crate::checkout::CheckoutRequest {
        email: Some(marquee_domain::Email::parse("patron@example.com").unwrap()),
        name: "Ελένη Παπαδοπούλου".into(),
        delivery: marquee_domain::Delivery::Email,
        tickets: contents
            .holds
            .iter()
            .map(|h| (h.hold_id.to_string(), price_type.to_owned()))
            .collect(),
        patron: None,
        window: None,
        address: None,
    }
}

/// Holds the first `n` seats in a new cart and checks them out as `adult`.
pub async fn checked_out(venue: &Venue, n: usize) -> (CartAccess, crate::checkout::CheckedOut) {
    checked_out_seats(venue, &seats(venue, n)).await
}

/// Holds these seats in a new cart and checks them out as `adult`.
pub async fn checked_out_seats(
    venue: &Venue,
    ids: &[String],
) -> (CartAccess, crate::checkout::CheckedOut) {
    let holds = venue.world.holds();
    let access = cart(venue, &holds).await;
    holds
        .hold(
            &venue.tenant,
            &access,
            venue.performance.as_str(),
            &wanted_seats(ids),
        )
        .await
        .unwrap();
    let contents = holds.contents(&venue.tenant, &access).await.unwrap();
    let done = venue
        .world
        .checkout()
        .checkout(&venue.tenant, &access, request(&contents, "adult"))
        .await
        .unwrap();
    (access, done)
}

/// The provider reports the checkout's payment as succeeded, for its exact amount.
pub async fn pay(
    venue: &Venue,
    done: &crate::checkout::CheckedOut,
) -> Result<crate::sales::PaymentOutcome, crate::sales::SaleError> {
    let intent = done.payment.as_ref().unwrap().id.clone();
    venue
        .world
        .sales()
        .complete_payment(
            &venue.tenant,
            &done.order.id,
            &crate::sales::PaymentReceived {
                payment_intent: &intent,
                amount: done.order.totals.total,
                currency: "usd",
            },
        )
        .await
}

/// A new cart holding `wanted` of the performance, and what it holds.
pub async fn held(
    venue: &Venue,
    wanted: &HoldWanted,
) -> (
    std::sync::Arc<crate::holds::Holds>,
    CartAccess,
    crate::holds::CartContents,
) {
    let holds = venue.world.holds();
    let access = cart(venue, &holds).await;
    holds
        .hold(&venue.tenant, &access, venue.performance.as_str(), wanted)
        .await
        .unwrap();
    let contents = holds.contents(&venue.tenant, &access).await.unwrap();
    (holds, access, contents)
}

/// The box office clerk of the window tests.
pub fn clerk() -> marquee_domain::Email {
    marquee_domain::Email::parse("clerk@example.com").unwrap()
}

/// A box office cart holding the first `n` seats.
pub async fn window_cart(
    v: &Venue,
    n: usize,
) -> (crate::holds::CartAccess, crate::holds::CartContents) {
    let holds = v.world.holds();
    let created = holds.create_staff_cart(&v.tenant, &clerk()).await.unwrap();
    let access = holds
        .staff_access(&v.tenant, &created.cart.id)
        .await
        .unwrap();
    holds
        .hold_for_staff(
            &v.tenant,
            &access,
            v.performance.as_str(),
            &wanted_seats(&seats(v, n)),
        )
        .await
        .unwrap();
    let contents = holds.contents(&v.tenant, &access).await.unwrap();
    (access, contents)
}
