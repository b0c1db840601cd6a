//! Carts and holds. A cart is addressed by its id plus the secret `X-Cart-Token`; it can hold
//! seats and general-admission places for several performances, up to the venue's limit.

use crate::PublicState;
use crate::catalog::{cached_performance, layout};
use crate::prepared::{PreparedLayout, TakenSeats};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, Duration, Utc};
use marquee_domain::best_available::MAX_BEST_AVAILABLE;
use marquee_domain::performance::PerformanceStatus;
use marquee_domain::seatmap::{AreaId, SeatId, ZoneId};
use marquee_platform::auth::{random_token, sha256_hex};
use marquee_platform::jobs::HoldExpiryJob;
use marquee_platform::tenancy::Tenant;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{
    CartRecord, CartStatus, HoldError, HoldRecord, HoldRequest, PerformanceRecord, ReleaseBy,
    SeatToHold, StoreError,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use utoipa::ToSchema;

/// An abandoned cart disappears after this long.
const CART_LIFETIME_HOURS: i64 = 24;
/// Attempts of a best-available hold when the chosen seats are taken meanwhile.
const BEST_AVAILABLE_ATTEMPTS: usize = 5;
/// Attempts when DynamoDB reports a conflicting concurrent transaction.
const CONTENTION_ATTEMPTS: usize = 4;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedCart {
    cart_id: String,
    /// The secret to send as `X-Cart-Token` with every cart request. Shown once.
    cart_token: String,
    /// When the cart itself is discarded if never checked out (holds expire much sooner).
    expires_at: String,
}

/// Start a cart.
#[utoipa::path(post, path = "/api/v1/carts", responses((status = 201, body = CreatedCart)))]
pub async fn create_cart(
    State(state): State<PublicState>,
    tenant: Tenant,
) -> Result<(StatusCode, axum::Json<CreatedCart>), ApiError> {
    let venue = state
        .store
        .venue(&tenant.id)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let now = Utc::now();
    let token = random_token(24);
    let expires = now + Duration::hours(CART_LIFETIME_HOURS);
    let cart = CartRecord {
        id: ulid_lower(),
        token_hash: sha256_hex(&token),
        status: CartStatus::Open,
        limit: venue.settings.max_tickets_per_order,
        remaining: venue.settings.max_tickets_per_order,
        perf_remaining: Default::default(),
        version: 0,
        order_id: None,
        created_at: now.to_rfc3339(),
        ttl: expires.timestamp(),
    };
    state.store.create_cart(&tenant.id, &cart).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(CreatedCart {
            cart_id: cart.id,
            cart_token: token,
            expires_at: expires.to_rfc3339(),
        }),
    ))
}

fn ulid_lower() -> String {
    marquee_domain::EventId::generate().to_string()
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatView {
    id: String,
    section: String,
    section_name: String,
    row: String,
    label: String,
    accessible: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaView {
    id: String,
    name: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CartItem {
    hold_id: String,
    performance_id: String,
    seat: Option<SeatView>,
    area: Option<AreaView>,
    zone: String,
    expires_at: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CartView {
    cart_id: String,
    status: CartStatus,
    /// Tickets this cart may hold in all.
    limit: u32,
    /// Tickets it may still add.
    remaining: u32,
    /// When the first of its holds expires (the countdown), if it holds anything.
    expires_at: Option<String>,
    items: Vec<CartItem>,
}

/// Orders seats of a row naturally: "A-2" before "A-10".
fn seat_number(hold: &HoldRecord) -> (String, u64) {
    let id = hold
        .seat
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let digits: String = id
        .chars()
        .rev()
        .take_while(char::is_ascii_digit)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (
        id.trim_end_matches(|c: char| c.is_ascii_digit()).to_owned(),
        digits.parse().unwrap_or(0),
    )
}

pub(crate) fn millis(at: i64) -> String {
    DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Distinct from a missing performance, so a client knows to start a new cart.
fn cart_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "cart_not_found", "Cart not found")
}

pub(crate) fn cart_token(headers: &HeaderMap) -> Result<String, ApiError> {
    let token = headers
        .get("x-cart-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Send the cart's X-Cart-Token"))?;
    Ok(sha256_hex(token.trim()))
}

pub(crate) fn valid_cart_id(raw: &str) -> Result<&str, ApiError> {
    let ok = raw.len() == 26
        && raw
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    if ok { Ok(raw) } else { Err(cart_not_found()) }
}

/// Reads the cart and checks its token (a wrong token is the same as no cart).
pub(crate) async fn load_cart(
    state: &PublicState,
    tenant: &Tenant,
    cart_id: &str,
    token_hash: &str,
) -> Result<(CartRecord, Vec<HoldRecord>), ApiError> {
    match state.store.cart(&tenant.id, cart_id).await? {
        Some((cart, holds)) if cart.token_hash == token_hash => Ok((cart, holds)),
        _ => Err(cart_not_found()),
    }
}

async fn cart_view(
    state: &PublicState,
    tenant: &Tenant,
    cart: CartRecord,
    holds: Vec<HoldRecord>,
) -> Result<CartView, ApiError> {
    let now = Utc::now().timestamp_millis();
    let mut live: Vec<HoldRecord> = holds
        .into_iter()
        .filter(|h| h.expires_at > now || cart.status != CartStatus::Open)
        .collect();
    // In the order they were held, seats of one request in map order.
    live.sort_by(|a, b| {
        (&a.created_at, &a.performance_id, &a.section, seat_number(a)).cmp(&(
            &b.created_at,
            &b.performance_id,
            &b.section,
            seat_number(b),
        ))
    });
    let mut items = Vec::with_capacity(live.len());
    for hold in &live {
        let performance = cached_performance(state, tenant, hold.performance_id.as_str())
            .await
            .ok();
        let prepared = match &performance {
            Some(p) => Some(layout(state, tenant, p).await?),
            None => None,
        };
        let seat = hold.seat.as_ref().map(|seat_id| {
            let located = prepared
                .as_ref()
                .and_then(|l| l.index.get(seat_id).and_then(|p| l.map.seat_at(*p)));
            let section_name = prepared
                .as_ref()
                .and_then(|l| {
                    located.and_then(|at| l.map.sections.iter().find(|s| &s.id == at.section))
                })
                .map(|s| s.name.clone())
                .unwrap_or_default();
            SeatView {
                id: seat_id.to_string(),
                section: hold
                    .section
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
                section_name,
                row: located.map(|at| at.row.to_owned()).unwrap_or_default(),
                label: located.map(|at| at.seat.label.clone()).unwrap_or_default(),
                accessible: located.is_some_and(|at| at.seat.accessible),
            }
        });
        let area = hold.area.as_ref().map(|area_id| AreaView {
            id: area_id.to_string(),
            name: prepared
                .as_ref()
                .and_then(|l| l.map.areas.iter().find(|a| &a.id == area_id))
                .map(|a| a.name.clone())
                .unwrap_or_default(),
        });
        items.push(CartItem {
            hold_id: hold.hold_id.clone(),
            performance_id: hold.performance_id.to_string(),
            seat,
            area,
            zone: hold.zone.to_string(),
            expires_at: millis(hold.expires_at),
        });
    }
    let held = u32::try_from(live.len()).unwrap_or(u32::MAX);
    Ok(CartView {
        cart_id: cart.id,
        status: cart.status,
        limit: cart.limit,
        remaining: cart.limit.saturating_sub(held),
        expires_at: live.iter().map(|h| h.expires_at).min().map(millis),
        items,
    })
}

/// The cart with its live holds.
#[utoipa::path(get, path = "/api/v1/carts/{cartId}", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)),
    responses((status = 200, body = CartView), (status = 401), (status = 404)))]
pub async fn get_cart(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
) -> Result<axum::Json<CartView>, ApiError> {
    let token = cart_token(&headers)?;
    let (cart, holds) = load_cart(&state, &tenant, valid_cart_id(&cart_id)?, &token).await?;
    Ok(axum::Json(cart_view(&state, &tenant, cart, holds).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BestAvailableRequest {
    quantity: u32,
    zone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneralAdmissionRequest {
    area_id: String,
    quantity: u32,
}

/// Exactly one of `seats`, `bestAvailable`, `generalAdmission`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldBody {
    performance_id: String,
    seats: Option<Vec<String>>,
    best_available: Option<BestAvailableRequest>,
    general_admission: Option<GeneralAdmissionRequest>,
}

fn seat_unavailable(seats: &[SeatId]) -> ApiError {
    ApiError::conflict(
        "seat_unavailable",
        "Some of these seats were just taken by someone else",
    )
    .with_details(json!({ "seats": seats }))
}

fn hold_error(e: HoldError, performance: &PerformanceRecord) -> ApiError {
    match e {
        HoldError::CartNotFound => cart_not_found(),
        HoldError::CartNotOpen(status) => ApiError::conflict(
            "cart_not_open",
            format!("This cart is {status:?} and cannot take more holds").to_lowercase(),
        ),
        HoldError::NotOnSale => {
            ApiError::conflict("not_on_sale", "This performance is not on sale")
        }
        HoldError::LimitExceeded { remaining } => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit_exceeded",
            format!(
                "You can hold at most {} tickets; you can add {remaining} more",
                performance.max_tickets_per_order
            ),
        )
        .with_details(json!({ "remaining": remaining })),
        HoldError::SeatsUnavailable(seats) => seat_unavailable(&seats),
        HoldError::AreaFull { available } => ApiError::conflict(
            "seat_unavailable",
            format!("Only {available} places are left in this area"),
        )
        .with_details(json!({ "seats": [], "available": available })),
        HoldError::Contention => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "busy",
            "Many people are buying right now; please try again",
        ),
        HoldError::Store(e) => e.into(),
    }
}

/// Hold seats (explicit, best available) or general-admission places for a performance.
#[utoipa::path(post, path = "/api/v1/carts/{cartId}/holds", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)), request_body = HoldBody,
    responses((status = 201, body = CartView), (status = 404), (status = 409, description = "seat_unavailable with details.seats; not_on_sale; cart_not_open"),
        (status = 422, description = "limit_exceeded; unknown_seats; invalid_field")))]
pub async fn add_hold(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    Json(body): Json<HoldBody>,
) -> Result<(StatusCode, axum::Json<CartView>), ApiError> {
    let token = cart_token(&headers)?;
    let cart_id = valid_cart_id(&cart_id)?.to_owned();
    let performance = cached_performance(&state, &tenant, &body.performance_id).await?;
    let now = Utc::now();
    if performance.status != PerformanceStatus::OnSale || !performance.schedule.is_selling(now) {
        return Err(ApiError::conflict(
            "not_on_sale",
            "This performance is not on sale",
        ));
    }
    let prepared = layout(&state, &tenant, &performance).await?;
    let kinds = [
        body.seats.is_some(),
        body.best_available.is_some(),
        body.general_admission.is_some(),
    ];
    if kinds.iter().filter(|k| **k).count() != 1 {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_body",
            "Send exactly one of seats, bestAvailable, generalAdmission",
        ));
    }
    let context = HoldContext {
        state: &state,
        tenant: &tenant,
        cart_id: &cart_id,
        token: &token,
        performance: &performance,
        prepared: &prepared,
    };
    let holds = if let Some(seats) = &body.seats {
        context.explicit(seats).await?
    } else if let Some(best) = &body.best_available {
        context.best_available(best).await?
    } else if let Some(ga) = &body.general_admission {
        context.general_admission(ga).await?
    } else {
        Vec::new()
    };
    let job = HoldExpiryJob {
        tenant: tenant.id.clone(),
        cart_id: cart_id.clone(),
        hold_ids: holds.iter().map(|h| h.hold_id.clone()).collect(),
        expires_at: holds.first().map_or(0, |h| h.expires_at),
    };
    // Correctness does not depend on this job (expired holds are free anyway), so a failure
    // to enqueue it is logged, not shown to the patron who has their seats.
    if let Err(e) = state
        .hold_expiry
        .schedule(&job, Utc::now().timestamp_millis())
        .await
    {
        tracing::error!(cart = %cart_id, error = %e.message, "could not schedule hold expiry");
    }
    let (cart, all) = load_cart(&state, &tenant, &cart_id, &token).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(cart_view(&state, &tenant, cart, all).await?),
    ))
}

/// What one hold attempt writes.
enum Operation<'a> {
    Seats(&'a [SeatToHold]),
    GeneralAdmission {
        area: &'a marquee_domain::seatmap::GaArea,
        hold_ids: &'a [String],
    },
}

struct HoldContext<'a> {
    state: &'a PublicState,
    tenant: &'a Tenant,
    cart_id: &'a str,
    token: &'a str,
    performance: &'a PerformanceRecord,
    prepared: &'a PreparedLayout,
}

impl HoldContext<'_> {
    fn check_quantity(&self, quantity: usize) -> Result<(), ApiError> {
        let max = self.performance.max_tickets_per_order as usize;
        if quantity == 0 {
            return Err(
                marquee_domain::Invalid::new("quantity", "ask for at least one ticket").into(),
            );
        }
        if quantity > max {
            return Err(hold_error(
                HoldError::LimitExceeded {
                    remaining: self.performance.max_tickets_per_order,
                },
                self.performance,
            ));
        }
        Ok(())
    }

    /// Runs a hold attempt; on a full budget, releases this cart's expired holds (the expiry
    /// worker may not have run yet) and tries once more; retries on transaction conflicts.
    async fn attempt(&self, operation: Operation<'_>) -> Result<Vec<HoldRecord>, HoldError> {
        let mut cleaned = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let now = Utc::now();
            let created_at = now.to_rfc3339();
            let request = HoldRequest {
                tenant: &self.tenant.id,
                cart_id: self.cart_id,
                token_hash: self.token,
                performance: &self.performance.id,
                performance_limit: self.performance.max_tickets_per_order,
                expires_at: (now + Duration::seconds(i64::from(self.performance.hold_seconds)))
                    .timestamp_millis(),
                now: now.timestamp_millis(),
                created_at: &created_at,
            };
            let result = match &operation {
                Operation::Seats(seats) => self.state.store.hold_seats(&request, seats).await,
                Operation::GeneralAdmission { area, hold_ids } => {
                    self.state
                        .store
                        .hold_general_admission(
                            &request,
                            &area.id,
                            &area.zone,
                            area.capacity,
                            hold_ids,
                        )
                        .await
                }
            };
            match result {
                Err(HoldError::LimitExceeded { .. }) if !cleaned => {
                    cleaned = true;
                    if !self.release_expired().await? {
                        return run_limit(self).await;
                    }
                }
                Err(HoldError::Contention) if attempt < CONTENTION_ATTEMPTS => {
                    tokio::time::sleep(std::time::Duration::from_millis(
                        10 * attempt as u64 + jitter(),
                    ))
                    .await;
                }
                other => return other,
            }
        }
    }

    /// Releases this cart's holds whose time has passed; whether there were any.
    async fn release_expired(&self) -> Result<bool, HoldError> {
        let Some((_, holds)) = self.state.store.cart(&self.tenant.id, self.cart_id).await? else {
            return Ok(false);
        };
        let now = Utc::now().timestamp_millis();
        let mut any = false;
        for hold in holds.iter().filter(|h| h.expires_at <= now) {
            match self
                .state
                .store
                .release_hold(&self.tenant.id, self.cart_id, hold, ReleaseBy::Expiry, now)
                .await
            {
                Ok(()) => any = true,
                Err(HoldError::Store(StoreError::ConditionFailed)) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(any)
    }

    async fn explicit(&self, raw: &[String]) -> Result<Vec<HoldRecord>, ApiError> {
        self.check_quantity(raw.len())?;
        let mut seen = HashSet::new();
        let mut seats = Vec::with_capacity(raw.len());
        let mut unknown = Vec::new();
        for id in raw {
            if !seen.insert(id.as_str()) {
                return Err(marquee_domain::Invalid::new(
                    "seats",
                    format!("'{id}' is listed twice"),
                )
                .into());
            }
            match self.locate(id) {
                Some(seat) => seats.push(seat),
                None => unknown.push(id.clone()),
            }
        }
        if !unknown.is_empty() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown_seats",
                "Some seats are not on this performance's seat map",
            )
            .with_details(json!({ "seats": unknown })));
        }
        self.attempt(Operation::Seats(&seats))
            .await
            .map_err(|e| hold_error(e, self.performance))
    }

    fn locate(&self, raw: &str) -> Option<SeatToHold> {
        let id = SeatId::parse(raw).ok()?;
        let position = *self.prepared.index.get(&id)?;
        let at = self.prepared.map.seat_at(position)?;
        Some(SeatToHold {
            hold_id: ulid_lower(),
            section: at.section.clone(),
            seat: id,
            zone: at.seat.zone.clone(),
        })
    }

    async fn best_available(
        &self,
        request: &BestAvailableRequest,
    ) -> Result<Vec<HoldRecord>, ApiError> {
        if request.quantity > MAX_BEST_AVAILABLE {
            return Err(marquee_domain::Invalid::new(
                "quantity",
                format!("ask for at most {MAX_BEST_AVAILABLE} seats together"),
            )
            .into());
        }
        self.check_quantity(request.quantity as usize)?;
        let zone = match &request.zone {
            Some(raw) => Some(
                ZoneId::parse(raw)
                    .ok()
                    .filter(|z| self.prepared.map.zones.iter().any(|known| &known.id == z))
                    .ok_or_else(|| {
                        marquee_domain::Invalid::new("zone", "is not a price zone of this seat map")
                    })?,
            ),
            None => None,
        };
        let (mut taken, mut fresh) = self.taken_seats(false).await?;
        // Concurrent searches all want the same best block. After a lost race, each request
        // passes over a different random fifth of the free seats, so the racers spread over
        // the next-best blocks instead of colliding again and again.
        let salt = u64::from_str_radix(&random_token(8), 16).unwrap_or(1);
        let mut lost_races = 0u64;
        for _ in 0..BEST_AVAILABLE_ATTEMPTS {
            let skipping = lost_races > 0;
            let pick = self
                .prepared
                .best
                .find(request.quantity, zone.as_ref(), |seat| {
                    taken.contains(seat) || (skipping && spread(seat, salt ^ lost_races))
                });
            let pick = match pick {
                Some(pick) => Some(pick),
                // Nothing among the seats not skipped: try again with all of them.
                None if skipping => {
                    self.prepared
                        .best
                        .find(request.quantity, zone.as_ref(), |seat| taken.contains(seat))
                }
                None => None,
            };
            let Some(choice) = pick else {
                if fresh {
                    return Err(ApiError::conflict(
                        "seat_unavailable",
                        "No seats together are available for that request",
                    )
                    .with_details(json!({ "seats": [], "reason": "none_available" })));
                }
                // A cached view may miss a seat released a moment ago: look once more.
                (taken, fresh) = self.taken_seats(true).await?;
                continue;
            };
            let seats: Vec<SeatToHold> = choice
                .iter()
                .filter_map(|id| self.locate(id.as_str()))
                .collect();
            match self.attempt(Operation::Seats(&seats)).await {
                Ok(holds) => {
                    taken.add(choice);
                    return Ok(holds);
                }
                // Someone was faster: count those seats as taken and choose again.
                Err(HoldError::SeatsUnavailable(lost)) => {
                    lost_races += 1;
                    taken.add(lost);
                }
                Err(e) => return Err(hold_error(e, self.performance)),
            }
        }
        // Seats are left, but other patrons kept taking them first: worth trying again.
        Err(ApiError::conflict(
            "seat_unavailable",
            "Other patrons took those seats first; please try again",
        )
        .with_details(json!({ "seats": [], "reason": "contention" })))
    }

    /// This instance's view of the taken seats, read from the store when older than its TTL.
    /// Returns the view and whether it was just read.
    async fn taken_seats(
        &self,
        reload: bool,
    ) -> Result<(std::sync::Arc<TakenSeats>, bool), ApiError> {
        let key = (self.tenant.id.to_string(), self.performance.id.to_string());
        if !reload && let Some(taken) = self.state.taken.get(&key) {
            return Ok((taken, false));
        }
        let sections: Vec<_> = self
            .prepared
            .map
            .sections
            .iter()
            .map(|s| s.id.clone())
            .collect();
        let states = self
            .state
            .store
            .seat_states(&self.tenant.id, &self.performance.id, &sections)
            .await?;
        let now = Utc::now().timestamp_millis();
        let taken = std::sync::Arc::new(TakenSeats::default());
        taken.add(
            states
                .into_iter()
                .filter(|(_, s)| !s.status(now).is_free())
                .map(|(id, _)| id),
        );
        self.state.taken.put(key, taken.clone());
        Ok((taken, true))
    }

    async fn general_admission(
        &self,
        request: &GeneralAdmissionRequest,
    ) -> Result<Vec<HoldRecord>, ApiError> {
        self.check_quantity(request.quantity as usize)?;
        let area = AreaId::parse(&request.area_id)
            .ok()
            .and_then(|id| self.prepared.map.areas.iter().find(|a| a.id == id))
            .ok_or_else(|| {
                marquee_domain::Invalid::new(
                    "areaId",
                    "is not a general-admission area of this seat map",
                )
            })?;
        let hold_ids: Vec<String> = (0..request.quantity).map(|_| ulid_lower()).collect();
        self.attempt(Operation::GeneralAdmission {
            area,
            hold_ids: &hold_ids,
        })
        .await
        .map_err(|e| hold_error(e, self.performance))
    }
}

/// The limit refusal to report once cleaning up expired holds freed nothing.
async fn run_limit(context: &HoldContext<'_>) -> Result<Vec<HoldRecord>, HoldError> {
    let remaining = match context
        .state
        .store
        .cart(&context.tenant.id, context.cart_id)
        .await?
    {
        Some((cart, holds)) => {
            let now = Utc::now().timestamp_millis();
            let live = holds.iter().filter(|h| h.expires_at > now).count();
            cart.limit
                .saturating_sub(u32::try_from(live).unwrap_or(u32::MAX))
        }
        None => 0,
    };
    Err(HoldError::LimitExceeded { remaining })
}

/// Whether a seat is passed over in this attempt: about one in five, differently per
/// request and attempt (FNV-1a of the seat id, salted).
fn spread(seat: &SeatId, salt: u64) -> bool {
    let mut hash = 0xcbf2_9ce4_8422_2325_u64 ^ salt;
    for byte in seat.as_str().bytes() {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash.is_multiple_of(5)
}

fn jitter() -> u64 {
    u64::from(rand_byte() % 20)
}

fn rand_byte() -> u8 {
    random_token(1).as_bytes().first().copied().unwrap_or(0)
}

/// Release one hold.
#[utoipa::path(delete, path = "/api/v1/carts/{cartId}/holds/{holdId}", params(("cartId" = String, Path), ("holdId" = String, Path), ("X-Cart-Token" = String, Header)),
    responses((status = 200, body = CartView), (status = 404)))]
pub async fn release_hold(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path((cart_id, hold_id)): Path<(String, String)>,
) -> Result<axum::Json<CartView>, ApiError> {
    let token = cart_token(&headers)?;
    let cart_id = valid_cart_id(&cart_id)?;
    let (_, holds) = load_cart(&state, &tenant, cart_id, &token).await?;
    let hold = holds
        .into_iter()
        .find(|h| h.hold_id == hold_id)
        .ok_or_else(|| ApiError::not_found("Hold"))?;
    let now = Utc::now().timestamp_millis();
    for attempt in 1..=CONTENTION_ATTEMPTS {
        match state
            .store
            .release_hold(&tenant.id, cart_id, &hold, ReleaseBy::Patron(&token), now)
            .await
        {
            Ok(()) => break,
            Err(HoldError::Store(StoreError::ConditionFailed)) => {
                return Err(ApiError::not_found("Hold"));
            }
            Err(HoldError::CartNotFound) => return Err(cart_not_found()),
            Err(HoldError::CartNotOpen(status)) => {
                return Err(ApiError::conflict(
                    "cart_not_open",
                    format!("This cart is {status:?}; its holds cannot change").to_lowercase(),
                ));
            }
            Err(HoldError::Contention) if attempt < CONTENTION_ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(10 * attempt as u64)).await;
            }
            Err(e) => return Err(ApiError::internal(e)),
        }
    }
    let (cart, holds) = load_cart(&state, &tenant, cart_id, &token).await?;
    Ok(axum::Json(cart_view(&state, &tenant, cart, holds).await?))
}
