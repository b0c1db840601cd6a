//! Every partition and sort key of the table. No other module builds key strings.
//!
//! Venue data is keyed under `T#{tenant}` so no query can cross tenants by construction.
//! The hostname index (`HOST#{hostname}`) is global on purpose: it is how a request finds
//! its tenant, and its conditional put is what makes hostnames unique.

use marquee_domain::promo::PromoCode;
use marquee_domain::seatmap::{AreaId, SeatId, SectionId};
use marquee_domain::{
    CartId, Email, EventId, HoldId, Hostname, OrderId, OrderNumber, PerformanceId, SeatMapId,
    TenantId, TicketId,
};

use crate::live::ConnectionId;

pub const PK: &str = "pk";
pub const SK: &str = "sk";

pub fn tenant(tenant: &TenantId) -> String {
    format!("T#{tenant}")
}

pub const VENUE_SK: &str = "VENUE";

pub fn host(hostname: &Hostname) -> String {
    format!("HOST#{hostname}")
}

pub const HOST_SK: &str = "HOST";

/// A venue's staff accounts (password hashes, token versions): a partition of its own, so that
/// only the admin API may read it (`dynamodb:LeadingKeys` in the template; see
/// infra/permissions.yaml).
pub fn staff_accounts(tenant: &TenantId) -> String {
    format!("T#{tenant}#STAFF")
}

pub fn staff_sk(email: &Email) -> String {
    format!("STAFF#{email}")
}

pub const STAFF_PREFIX: &str = "STAFF#";

pub fn domain_sk(hostname: &Hostname) -> String {
    format!("DOMAIN#{hostname}")
}

pub const DOMAIN_PREFIX: &str = "DOMAIN#";

pub fn seat_map_sk(map: &SeatMapId) -> String {
    format!("MAP#{map}")
}

pub const SEAT_MAP_PREFIX: &str = "MAP#";

/// The partition holding a seat map's sections, one item per section per layout version.
pub fn seat_map_sections(tenant: &TenantId, map: &SeatMapId) -> String {
    format!("T#{tenant}#MAP#{map}")
}

/// Sections of one layout version: a replaced layout is written under a new version and
/// switched to by one metadata write, so readers never see a half-replaced map.
pub fn seat_map_section_sk(version: u32, section: &SectionId) -> String {
    format!("SECTION#{version:06}#{section}")
}

pub fn seat_map_version_prefix(version: u32) -> String {
    format!("SECTION#{version:06}#")
}

pub fn event_sk(event: &EventId) -> String {
    format!("EVENT#{event}")
}

pub const EVENT_PREFIX: &str = "EVENT#";

/// A performance has its own partition, so it can be read by id alone.
pub fn performance(tenant: &TenantId, performance: &PerformanceId) -> String {
    format!("T#{tenant}#PERF#{performance}")
}

pub const PERFORMANCE_SK: &str = "PERF";

/// gsi1: an event's performances, by start time.
pub fn event_performances(tenant: &TenantId, event: &EventId) -> String {
    format!("T#{tenant}#E#{event}")
}

/// gsi2: all of a venue's performances, by start time (the public "what's on").
pub fn venue_performances(tenant: &TenantId) -> String {
    format!("T#{tenant}#PERFS")
}

/// Sort key of a performance in both indexes: RFC 3339 UTC sorts as time.
pub fn performance_by_start(starts_at: &str, performance: &PerformanceId) -> String {
    format!("{starts_at}#{performance}")
}

/// Seat state items of one section of one performance. Partitioning by performance *and*
/// section spreads an onsale over many partitions (each takes 1,000 writes/s).
pub fn seat_states(tenant: &TenantId, performance: &PerformanceId, section: &SectionId) -> String {
    format!("T#{tenant}#PERF#{performance}#SEC#{section}")
}

pub fn seat_sk(seat: &SeatId) -> String {
    format!("SEAT#{seat}")
}

pub const SEAT_PREFIX: &str = "SEAT#";

/// One counter shard of a general-admission area for one performance. Shard 0 keeps the
/// key areas had before they were sharded; each other shard is its own partition, so the
/// shards of a big area do not share one partition's write rate.
pub fn ga_counter(
    tenant: &TenantId,
    performance: &PerformanceId,
    area: &AreaId,
    shard: u16,
) -> String {
    if shard == 0 {
        format!("T#{tenant}#PERF#{performance}#GA#{area}")
    } else {
        format!("T#{tenant}#PERF#{performance}#GA#{area}#{shard}")
    }
}

pub const GA_COUNTER_SK: &str = "COUNT";

/// A cart and its holds share one partition, so one query reads the whole cart.
pub fn cart(tenant: &TenantId, cart: &CartId) -> String {
    format!("T#{tenant}#CART#{cart}")
}

pub const CART_SK: &str = "CART";

pub fn hold_sk(hold: &HoldId) -> String {
    format!("HOLD#{hold}")
}

pub const HOLD_PREFIX: &str = "HOLD#";

/// An order: one item holding the order and its tickets as the patron bought them.
pub fn order(tenant: &TenantId, order: &OrderId) -> String {
    format!("T#{tenant}#ORDER#{order}")
}

pub const ORDER_SK: &str = "ORDER";

/// gsi1: a venue's orders, newest last (`gsi1sk` is the creation instant).
pub fn venue_orders(tenant: &TenantId) -> String {
    format!("T#{tenant}#ORDERS")
}

pub fn order_by_created(created_at: &str, order: &OrderId) -> String {
    format!("{created_at}#{order}")
}

/// gsi2: an order by the number a patron reads out.
pub fn order_number(tenant: &TenantId, number: &OrderNumber) -> String {
    format!("T#{tenant}#ORDERNO#{number}")
}

/// A performance's issued tickets, one item each: what the door scans (a conditional write on
/// one small item admits a ticket once), what a cancellation refunds, and what the sales
/// figures count. Partitioned by performance, like its seats.
pub fn performance_tickets(tenant: &TenantId, performance: &PerformanceId) -> String {
    format!("T#{tenant}#PERF#{performance}#TICKETS")
}

pub fn ticket_sk(ticket: &TicketId) -> String {
    format!("TICKET#{ticket}")
}

pub const TICKET_PREFIX: &str = "TICKET#";

/// A venue's audit log of staff actions (append-only; see `crate::audit`).
pub fn audit(tenant: &TenantId) -> String {
    format!("T#{tenant}#AUDIT")
}

/// An audit entry's sort key: its time, then its id (both sort as text).
pub fn audit_sk(at: &str, id: &str) -> String {
    format!("{at}#{id}")
}

/// A venue's promo codes, one item per code (see `crate::promos`).
pub fn promos(tenant: &TenantId) -> String {
    format!("T#{tenant}#PROMOS")
}

pub fn promo_sk(code: &PromoCode) -> String {
    format!("CODE#{code}")
}

/// How often each email address used a promo code (codes with a per-patron limit).
pub fn promo_patrons(tenant: &TenantId, code: &PromoCode) -> String {
    format!("T#{tenant}#PROMO#{code}")
}

/// Email addresses are counted in lower case: the same address however it is typed.
pub fn promo_patron_sk(email: &str) -> String {
    format!("EMAIL#{}", email.to_lowercase())
}

/// A venue-local day's sales figures (see `crate::reports`): `REPORT_DAY_SK` and one
/// `line_sk` item per performance × price type × zone.
pub fn report_day(tenant: &TenantId, date: &str) -> String {
    format!("T#{tenant}#REPORT#{date}")
}

pub const REPORT_DAY_SK: &str = "DAY";
pub const REPORT_LINE_PREFIX: &str = "LINE#";

pub fn report_line_sk(performance: &str, price_type: &str, zone: &str) -> String {
    format!("{REPORT_LINE_PREFIX}{performance}#{price_type}#{zone}")
}

/// A staff member's box office sales on the day (under [`report_day`]).
pub const REPORT_STAFF_PREFIX: &str = "STAFF#";

pub fn report_staff_sk(staff: &str) -> String {
    format!("{REPORT_STAFF_PREFIX}{staff}")
}

/// A performance's demand figures: `demand_zone_sk` per zone (sold, and how soon after
/// sales opened) and `demand_seat_sk` per seat that was held and let go.
pub fn demand(tenant: &TenantId, performance: &str) -> String {
    format!("T#{tenant}#DEMAND#{performance}")
}

pub const DEMAND_ZONE_PREFIX: &str = "ZONE#";
/// Not `SEAT#`: that prefix is the seat states' (the live seat map's stream filter).
pub const DEMAND_SEAT_PREFIX: &str = "TRIED#";

pub fn demand_zone_sk(zone: &str) -> String {
    format!("{DEMAND_ZONE_PREFIX}{zone}")
}

pub fn demand_seat_sk(seat: &str) -> String {
    format!("{DEMAND_SEAT_PREFIX}{seat}")
}

/// A performance's attendance figures (tickets valid, tickets admitted), beside its demand
/// figures in `demand(tenant, performance)`.
pub const ATTENDANCE_SK: &str = "ATTENDANCE";

/// The changes already counted in a day's figures (one item each, kept a week: stream
/// records are redelivered within a day).
pub fn report_counted(tenant: &TenantId, date: &str) -> String {
    format!("T#{tenant}#REPORTED#{date}")
}

/// The tenant of an order item's key, if it is one.
pub fn parse_order_key(pk: &str, sk: &str) -> Option<(TenantId, OrderId)> {
    if sk != ORDER_SK {
        return None;
    }
    let mut parts = pk.split('#');
    let (Some("T"), Some(tenant), Some("ORDER"), Some(order), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some((TenantId::parse(tenant).ok()?, OrderId::parse(order).ok()?))
}

/// A Stripe event already handled (deliveries repeat): found through the order's tenant.
pub fn stripe_event(tenant: &TenantId, event_id: &str) -> String {
    format!("T#{tenant}#STRIPE#{event_id}")
}

pub const STRIPE_EVENT_SK: &str = "EVENT";

/// The venue's secrets (its ticket-signing key): only the functions that sign or check codes
/// may read this partition.
pub fn venue_keys(tenant: &TenantId) -> String {
    format!("T#{tenant}#KEYS")
}

/// The venue's secret key for signing ticket codes (created on first use).
pub const TICKET_KEY_SK: &str = "TICKETKEY";

/// The door's log of a performance: every scan, in time order.
pub fn performance_scans(tenant: &TenantId, performance: &PerformanceId) -> String {
    format!("T#{tenant}#PERF#{performance}#SCANS")
}

pub fn scan_sk(at: &str, scan_id: &str) -> String {
    format!("SCAN#{at}#{scan_id}")
}

/// A venue's patron accounts (password hashes, reset codes, token versions): only the public
/// API may read this partition. Accounts are per venue.
pub fn patron_accounts(tenant: &TenantId) -> String {
    format!("T#{tenant}#PATRONS")
}

pub fn patron_sk(email: &Email) -> String {
    format!("PATRON#{email}")
}

/// A patron's orders, newest last.
pub fn patron_orders(tenant: &TenantId, email: &Email) -> String {
    format!("T#{tenant}#PATRON#{email}")
}

pub fn patron_order_sk(created_at: &str, order: &OrderId) -> String {
    format!("ORDER#{created_at}#{order}")
}

pub const PATRON_ORDER_PREFIX: &str = "ORDER#";

/// Every order placed with a contact email (guest, account or box office), newest last:
/// `patron_order_sk` items, written with the checkout. Not the account's own index
/// (`patron_orders`), which lists only what the logged-in patron bought.
pub fn email_orders(tenant: &TenantId, email: &Email) -> String {
    format!("T#{tenant}#EMAIL#{email}")
}

/// A mail job's delivery claim: makes redelivered jobs send at most once.
pub fn mail_claim(tenant: &TenantId, job_id: &str) -> String {
    format!("T#{tenant}#MAIL#{job_id}")
}

pub const MAIL_CLAIM_SK: &str = "CLAIM";

/// A live seat map WebSocket connection: the venue it was opened on and what it watches.
pub fn live_connection(tenant: &TenantId, connection: &ConnectionId) -> String {
    format!("T#{tenant}#WS#{connection}")
}

pub const LIVE_CONNECTION_SK: &str = "CONN";

/// The WebSocket connections watching a performance on `channel`: its seat map (anyone) or
/// its sales figures (staff).
pub fn live_subscribers(
    tenant: &TenantId,
    performance: &PerformanceId,
    channel: crate::LiveChannel,
) -> String {
    match channel {
        crate::LiveChannel::Seats => format!("T#{tenant}#PERF#{performance}#WS"),
        crate::LiveChannel::Sales => format!("T#{tenant}#PERF#{performance}#WSSALES"),
    }
}

pub fn live_subscriber_sk(connection: &ConnectionId) -> String {
    format!("CONN#{connection}")
}

pub const LIVE_SUBSCRIBER_PREFIX: &str = "CONN#";

/// A seat state item's key, read back (from a stream record): see [`seat_states`], [`seat_sk`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatStateKey {
    pub tenant: TenantId,
    pub performance: PerformanceId,
    pub section: SectionId,
    pub seat: SeatId,
}

/// A general-admission counter's key, read back: see [`ga_counter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaCounterKey {
    pub tenant: TenantId,
    pub performance: PerformanceId,
    pub area: AreaId,
    pub shard: u16,
}

/// `T#{tenant}#PERF#{performance}#{kind}#{id}` split into its ids. Ids never contain `#`
/// (ULIDs and the layout id charset), so the parts are exactly these six.
fn performance_child(pk: &str, kind: &str) -> Option<(TenantId, PerformanceId, String)> {
    let mut parts = pk.split('#');
    let (Some("T"), Some(tenant), Some("PERF"), Some(performance), Some(k), Some(id), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    if k != kind {
        return None;
    }
    Some((
        TenantId::parse(tenant).ok()?,
        PerformanceId::parse(performance).ok()?,
        id.to_owned(),
    ))
}

/// The seat a key belongs to, if it is a seat state item's key.
pub fn parse_seat_state_key(pk: &str, sk: &str) -> Option<SeatStateKey> {
    let (tenant, performance, section) = performance_child(pk, "SEC")?;
    let seat = sk.strip_prefix(SEAT_PREFIX)?;
    Some(SeatStateKey {
        tenant,
        performance,
        section: SectionId::parse(&section).ok()?,
        seat: SeatId::parse(seat).ok()?,
    })
}

/// The venue and performance of an issued ticket's item, if `pk`/`sk` are one's.
pub fn parse_ticket_key(pk: &str, sk: &str) -> Option<(TenantId, PerformanceId)> {
    sk.strip_prefix(TICKET_PREFIX)?;
    let rest = pk.strip_suffix("#TICKETS")?;
    let mut parts = rest.split('#');
    let (Some("T"), Some(tenant), Some("PERF"), Some(performance), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    Some((
        TenantId::parse(tenant).ok()?,
        PerformanceId::parse(performance).ok()?,
    ))
}

/// The area and shard a key belongs to, if it is a general-admission counter's key.
pub fn parse_ga_counter_key(pk: &str, sk: &str) -> Option<GaCounterKey> {
    if sk != GA_COUNTER_SK {
        return None;
    }
    let (area_part, shard) = match performance_child(pk, "GA") {
        Some(parsed) => (parsed, 0),
        None => {
            // `…#GA#{area}#{shard}`: the shard, then the six parts of shard 0's key.
            let (rest, shard) = pk.rsplit_once('#')?;
            let shard: u16 = shard.parse().ok().filter(|k| *k > 0)?;
            (performance_child(rest, "GA")?, shard)
        }
    };
    let (tenant, performance, area) = area_part;
    Some(GaCounterKey {
        tenant,
        performance,
        area: AreaId::parse(&area).ok()?,
        shard,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn venue_keys_start_with_the_tenant() {
        let t = TenantId::generate();
        assert!(tenant(&t).starts_with(&format!("T#{t}")));
        assert!(mail_claim(&t, "job").starts_with(&format!("T#{t}#")));
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    fn ids() -> (TenantId, PerformanceId) {
        (TenantId::generate(), PerformanceId::generate())
    }

    #[test]
    fn seat_state_keys_parse_back() {
        let (t, p) = ids();
        let section = SectionId::parse("Stalls-Left").unwrap();
        let seat = SeatId::parse("Stalls-Left-A-1").unwrap();
        let parsed = parse_seat_state_key(&seat_states(&t, &p, &section), &seat_sk(&seat));
        assert_eq!(
            parsed,
            Some(SeatStateKey {
                tenant: t,
                performance: p,
                section,
                seat
            })
        );
    }

    #[test]
    fn ga_counter_keys_parse_back() {
        let (t, p) = ids();
        let area = AreaId::parse("lawn").unwrap();
        for shard in [0, 1, 63] {
            let parsed = parse_ga_counter_key(&ga_counter(&t, &p, &area, shard), GA_COUNTER_SK);
            assert_eq!(
                parsed,
                Some(GaCounterKey {
                    tenant: t.clone(),
                    performance: p.clone(),
                    area: area.clone(),
                    shard,
                })
            );
        }
        assert_eq!(
            ga_counter(&t, &p, &area, 0),
            format!("T#{t}#PERF#{p}#GA#lawn"),
            "shard 0 keeps the key of an unsharded area"
        );
    }

    #[test]
    fn expiry_index_keys_sort_by_time_and_parse_back() {
        let (t, _) = ids();
        let cart = CartId::generate();
        let early = expiry_sk(999, &t, &cart);
        let late = expiry_sk(1_765_000_000_000, &t, &cart);
        assert!(early < late, "{early} {late}");
        assert_eq!(parse_expiry_sk(&late), Some((t.clone(), cart.clone())));
        assert_eq!(parse_expiry_sk("0000000000999#nope"), None);
        let shard: u16 = expiry_partition(&cart)[7..].parse().unwrap();
        assert!(shard < EXPIRY_SHARDS);
    }

    #[test]
    fn ticket_keys_name_their_performance() {
        let (t, p) = ids();
        let ticket = TicketId::generate();
        assert_eq!(
            parse_ticket_key(&performance_tickets(&t, &p), &ticket_sk(&ticket)),
            Some((t.clone(), p.clone()))
        );
        assert_eq!(
            parse_ticket_key(&performance_scans(&t, &p), &ticket_sk(&ticket)),
            None
        );
        assert_eq!(
            parse_ticket_key(&performance_tickets(&t, &p), "SCAN#x"),
            None
        );
    }

    #[test]
    fn other_keys_are_neither() {
        let (t, p) = ids();
        let section = SectionId::parse("A").unwrap();
        let seat = SeatId::parse("A-1").unwrap();
        let area = AreaId::parse("floor").unwrap();
        let connection = ConnectionId::parse("abc=").unwrap();
        let cases = [
            (performance(&t, &p), PERFORMANCE_SK.to_owned()),
            (
                live_subscribers(&t, &p, crate::LiveChannel::Seats),
                live_subscriber_sk(&connection),
            ),
            (
                live_subscribers(&t, &p, crate::LiveChannel::Sales),
                live_subscriber_sk(&connection),
            ),
            (
                live_connection(&t, &connection),
                LIVE_CONNECTION_SK.to_owned(),
            ),
            (tenant(&t), VENUE_SK.to_owned()),
            // Right partition, wrong sort key, and the other way round.
            (seat_states(&t, &p, &section), GA_COUNTER_SK.to_owned()),
            (ga_counter(&t, &p, &area, 0), seat_sk(&seat)),
            (ga_counter(&t, &p, &area, 2), seat_sk(&seat)),
            (
                format!("{}#0", ga_counter(&t, &p, &area, 0)),
                GA_COUNTER_SK.to_owned(),
            ),
            (
                format!("{}#x", ga_counter(&t, &p, &area, 0)),
                GA_COUNTER_SK.to_owned(),
            ),
            (
                format!("{}#X", seat_states(&t, &p, &section)),
                seat_sk(&seat),
            ),
            ("T#nope#PERF#nope#SEC#A".to_owned(), seat_sk(&seat)),
        ];
        for (pk, sk) in cases {
            assert_eq!(parse_seat_state_key(&pk, &sk), None, "{pk} {sk}");
            assert_eq!(parse_ga_counter_key(&pk, &sk), None, "{pk} {sk}");
        }
    }

    #[test]
    fn live_keys_start_with_the_tenant() {
        let (t, p) = ids();
        let connection = ConnectionId::parse("L0SM9cOFvHcCIhw=").unwrap();
        assert!(live_connection(&t, &connection).starts_with(&format!("T#{t}#")));
        assert!(
            live_subscribers(&t, &p, crate::LiveChannel::Sales).starts_with(&format!("T#{t}#"))
        );
    }
}

/// Rate-limit counters of a venue (logins, codes): one item per subject and time window.
pub fn limits(tenant: &TenantId) -> String {
    format!("T#{tenant}#LIMITS")
}

/// A counter's sort key: what it counts (`patron-login#acct#{email}`) and the start of its
/// window (epoch seconds), so a new window is a new item; TTL only cleans up.
pub fn limit_sk(bucket: &str, window_start: i64) -> String {
    format!("{bucket}#{window_start}")
}

/// gsi3 (keys only): carts by the time their next hold ends, for the expiry sweep.
/// `gsi3pk` is one of [`EXPIRY_SHARDS`] partitions (by cart), `gsi3sk` is
/// `{epoch ms, 13 digits}#{tenant}#{cart}`. Global on purpose: one sweep serves every venue.
pub const EXPIRY_INDEX: &str = "gsi3";
pub const EXPIRY_PK: &str = "gsi3pk";
pub const EXPIRY_SK: &str = "gsi3sk";

/// Partitions of the expiry index, so a big onsale's carts do not all write one.
pub const EXPIRY_SHARDS: u16 = 4;

pub fn expiry_partition(cart: &CartId) -> String {
    let hash = cart
        .as_str()
        .bytes()
        .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!("EXPIRY#{}", hash % u32::from(EXPIRY_SHARDS))
}

pub fn expiry_partition_of_shard(shard: u16) -> String {
    format!("EXPIRY#{shard}")
}

pub fn expiry_sk(due: i64, tenant: &TenantId, cart: &CartId) -> String {
    format!("{:013}#{tenant}#{cart}", due.max(0))
}

/// The tenant and cart of an expiry index entry's sort key.
pub fn parse_expiry_sk(sk: &str) -> Option<(TenantId, CartId)> {
    let mut parts = sk.splitn(3, '#');
    let (Some(_due), Some(tenant), Some(cart)) = (parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    Some((TenantId::parse(tenant).ok()?, CartId::parse(cart).ok()?))
}

/// The operator's own items (not a venue's).
pub const PLATFORM: &str = "PLATFORM";

pub const PLATFORM_SETTINGS_SK: &str = "SETTINGS";

/// Connected payment accounts, each with its venue.
pub const PLATFORM_ACCOUNTS: &str = "PLATFORM#ACCOUNTS";

pub fn account_sk(account_id: &str) -> String {
    format!("ACCT#{account_id}")
}

pub const ACCOUNT_PREFIX: &str = "ACCT#";

/// A proven hostname's claim: the venue that proved it first (beside its `HOST` item, which
/// exists only once the domain is active).
pub const HOST_CLAIM_SK: &str = "CLAIM";

/// gsi1: custom domains by the time of their next scheduled check (`gsi1sk` is
/// `{unix seconds, 12 digits}#{tenant}#{hostname}`). Global on purpose: the schedule checks
/// every venue's claims.
pub const DOMAIN_CHECKS: &str = "DOMAINCHECKS";

pub fn domain_check_sk(at: i64, tenant: &TenantId, hostname: &Hostname) -> String {
    format!("{:012}#{tenant}#{hostname}", at.max(0))
}

/// A one-off data migration, once done (`PLATFORM` / `MIGRATION#{name}`).
pub fn migration_sk(name: &str) -> String {
    format!("MIGRATION#{name}")
}

/// A performance's reservations (kept unpaid until a deadline), for its will-call list: one
/// `reservation_sk` item per reservation, written with the checkout, expiring (TTL) a week
/// after the deadline. Its order says whether it is still to pay.
pub fn performance_reservations(tenant: &TenantId, performance: &PerformanceId) -> String {
    format!("T#{tenant}#RESERVED#{performance}")
}

pub fn reservation_sk(order: &OrderId) -> String {
    format!("ORDER#{order}")
}

pub const RESERVATION_PREFIX: &str = "ORDER#";

/// The orders whose tickets the box office posts itself (`delivery: mail`, in-house): one
/// `reservation_sk` item per order, written with the checkout, so the to-post list finds an
/// unposted order however many orders came after it. Its order says whether it is paid and
/// still to post; the item goes when it is posted, or by TTL.
pub fn orders_to_post(tenant: &TenantId) -> String {
    format!("T#{tenant}#TOPOST")
}

/// The box office's patron directory (`marquee_domain::patrons`): one entry per way to find
/// an order's patron — `NAME#{search name}#…`, `EMAIL#{address}#…`, `PHONE#{digits}#…` —
/// written with the checkout; searched by prefix. Not the patron accounts' partition, which
/// holds password hashes and is the public API's alone.
pub fn patron_directory(tenant: &TenantId) -> String {
    format!("T#{tenant}#DIRECTORY")
}

/// The directory's prefix for a name as searched (`patrons::search_name`).
pub fn directory_name_prefix(name: &str) -> String {
    format!("NAME#{name}")
}

/// The directory's prefix for an email address (lower case).
pub fn directory_email_prefix(email: &str) -> String {
    format!("EMAIL#{}", email.to_lowercase())
}

/// The directory's prefix for telephone digits.
pub fn directory_phone_prefix(digits: &str) -> String {
    format!("PHONE#{digits}")
}

/// A directory entry's sort key: the complete value, then the order it came from (`#` ends
/// the value, so `NAME#ann#` does not match `NAME#anne#`).
pub fn directory_sk(prefix: &str, order: &OrderId) -> String {
    format!("{prefix}#{order}")
}
