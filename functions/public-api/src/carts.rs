//! Carts and holds over HTTP. A cart is addressed by its id plus the secret `X-Cart-Token`;
//! it can hold seats and general-admission places for several performances, up to the
//! venue's limit. What may be held is decided by `marquee_app::holds`; these handlers parse
//! the request, call it and show the cart.

use crate::PublicState;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use chrono::DateTime;
use marquee_app::holds::{CartAccess, CartContents, HoldWanted, NewCart};
use marquee_domain::CartId;
use marquee_domain::Invalid;
use marquee_domain::records::{CartStatus, HoldRecord, PerformanceRecord, Spot};
use marquee_platform::refusals::cart_not_found;
use marquee_platform::requests::{BestAvailableRequest, GeneralAdmissionRequest, HoldBody};
use marquee_platform::tenancy::Tenant;
use marquee_platform::{ApiError, http::Json};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedCart {
    cart_id: String,
    /// The secret to send as `X-Cart-Token` with every cart request. Shown once.
    cart_token: String,
    /// When the cart itself is discarded if never checked out (holds expire much sooner).
    expires_at: String,
    /// With a first hold: the cart's status.
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<CartStatus>,
    /// With a first hold: the tickets the cart may hold in all.
    #[serde(skip_serializing_if = "Option::is_none")]
    limit: Option<u32>,
    /// With a first hold: the tickets it may still add.
    #[serde(skip_serializing_if = "Option::is_none")]
    remaining: Option<u32>,
    /// With a first hold: when it expires (the countdown; the cart view's `expiresAt`).
    #[serde(skip_serializing_if = "Option::is_none")]
    holds_expire_at: Option<String>,
    /// With a first hold: its items.
    #[serde(skip_serializing_if = "Option::is_none")]
    items: Option<Vec<CartItem>>,
}

/// Optionally, the cart's first hold: the body of `POST /api/v1/carts/{cartId}/holds`.
/// An empty object (or no body) starts an empty cart.
#[derive(Deserialize, ToSchema, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewCartBody {
    performance_id: Option<String>,
    #[schema(min_items = 1, max_items = 30)]
    seats: Option<Vec<String>>,
    best_available: Option<BestAvailableRequest>,
    general_admission: Option<GeneralAdmissionRequest>,
}

impl NewCartBody {
    /// The first hold asked for, if any.
    fn first_hold(self) -> Result<Option<HoldBody>, ApiError> {
        let Some(performance_id) = self.performance_id else {
            if self.seats.is_some()
                || self.best_available.is_some()
                || self.general_admission.is_some()
            {
                return Err(Invalid::new(
                    "performanceId",
                    "name the performance of the first hold",
                )
                .into());
            }
            return Ok(None);
        };
        Ok(Some(HoldBody {
            performance_id,
            seats: self.seats,
            best_available: self.best_available,
            general_admission: self.general_admission,
        }))
    }
}

/// Start a cart, optionally with its first hold in the same request. With a hold, the cart
/// is created only if the hold is granted: the hold's 404/409/422 leave nothing behind.
#[utoipa::path(post, path = "/api/v1/carts", request_body(content = Option<NewCartBody>, description = "optional first hold"),
    responses((status = 201, body = CreatedCart), (status = 400, description = "malformed_json"),
        (status = 404, description = "no such venue or performance"),
        (status = 409, description = "the first hold's seat_unavailable with details.seats; not_on_sale"),
        (status = 422, description = "the first hold's limit_exceeded; unknown_seats; invalid_field; invalid_body"),
        (status = 503, description = "busy")))]
pub async fn create_cart(
    State(state): State<PublicState>,
    tenant: Tenant,
    body: Option<Json<NewCartBody>>,
) -> Result<(StatusCode, axum::Json<CreatedCart>), ApiError> {
    let first_hold = body.map(|Json(b)| b).unwrap_or_default().first_hold()?;
    let Some(hold) = first_hold else {
        let created = state.holds.create_cart(&tenant.id).await?;
        return Ok(created_cart(created, None));
    };
    let performance_id = hold.performance_id.clone();
    let wanted = HoldWanted::try_from(hold)?;
    let (created, holds) = state
        .holds
        .create_cart_with_hold(&tenant.id, &performance_id, &wanted)
        .await?;
    // Shown from what was just written: no read-back.
    let contents = CartContents {
        cart: created.cart.clone(),
        holds,
    };
    let view = cart_view(&state, &tenant, contents).await?;
    Ok(created_cart(created, Some(view)))
}

fn created_cart(created: NewCart, view: Option<CartView>) -> (StatusCode, axum::Json<CreatedCart>) {
    let mut body = CreatedCart {
        cart_id: created.cart.id.to_string(),
        cart_token: created.token,
        expires_at: created.expires_at.to_rfc3339(),
        status: None,
        limit: None,
        remaining: None,
        holds_expire_at: None,
        items: None,
    };
    if let Some(view) = view {
        body.status = Some(view.status);
        body.limit = Some(view.limit);
        body.remaining = Some(view.remaining);
        body.holds_expire_at = view.expires_at;
        body.items = Some(view.items);
    }
    (StatusCode::CREATED, axum::Json(body))
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
    /// The promo code on the cart, applied at checkout.
    #[serde(skip_serializing_if = "Option::is_none")]
    promo: Option<PromoView>,
}

/// A promo code as the patron sees it: what it takes off each ticket it applies to.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PromoView {
    #[schema(example = "SPRING20")]
    code: String,
    /// Whole percent off each ticket's price.
    #[serde(skip_serializing_if = "Option::is_none")]
    percent_off: Option<u32>,
    /// Minor units off each ticket's price, in the venue's currency.
    #[serde(skip_serializing_if = "Option::is_none")]
    amount_off: Option<i64>,
    /// Some tickets only (events, performances or price types): checkout says which.
    limited: bool,
    /// Hidden prices it unlocks for the cart's performances: price types to offer at checkout
    /// beside everyone's.
    unlocks: Vec<UnlockedPrice>,
}

/// A hidden price a promo code unlocks: a price type of a zone of a performance in the cart.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnlockedPrice {
    performance_id: String,
    zone: String,
    #[schema(example = "friends")]
    price_type: String,
    /// Minor units, in the venue's currency (before fees and taxes).
    amount: i64,
}

pub(crate) fn millis(at: i64) -> String {
    DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The cart's id and token from the path and the `X-Cart-Token` header.
pub(crate) fn cart_access(headers: &HeaderMap, raw_id: &str) -> Result<CartAccess, ApiError> {
    let token = headers
        .get("x-cart-token")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| ApiError::unauthorized("Send the cart's X-Cart-Token"))?;
    let id = CartId::parse(raw_id).map_err(|_| cart_not_found())?;
    Ok(CartAccess::new(id, token))
}

/// Shows the cart: each hold with its place in words, from the map as it is now.
async fn cart_view(
    state: &PublicState,
    tenant: &Tenant,
    contents: CartContents,
) -> Result<CartView, ApiError> {
    let mut items = Vec::with_capacity(contents.holds.len());
    let mut performances = Vec::new();
    for hold in &contents.holds {
        let performance = state
            .catalog
            .published_cached(&tenant.id, &hold.performance_id)
            .await?;
        if let Some(p) = &performance
            && !performances
                .iter()
                .any(|known: &Arc<PerformanceRecord>| known.id == p.id)
        {
            performances.push(p.clone());
        }
        let layout = match &performance {
            Some(p) => Some(state.catalog.layout(&tenant.id, p).await?),
            None => None,
        };
        let (seat, area) = match &hold.spot {
            Spot::Seat { section, seat } => {
                let located = layout
                    .as_ref()
                    .and_then(|l| l.index.get(seat).and_then(|p| l.map.seat_at(*p)));
                let section_name = layout
                    .as_ref()
                    .and_then(|l| {
                        located.and_then(|at| l.map.sections.iter().find(|s| &s.id == at.section))
                    })
                    .map(|s| s.name.clone())
                    .unwrap_or_default();
                let view = SeatView {
                    id: seat.to_string(),
                    section: section.to_string(),
                    section_name,
                    row: located.map(|at| at.row.to_owned()).unwrap_or_default(),
                    label: located.map(|at| at.seat.label.clone()).unwrap_or_default(),
                    accessible: located.is_some_and(|at| at.seat.accessible),
                };
                (Some(view), None)
            }
            Spot::Area(area_id) => {
                let name = layout
                    .as_ref()
                    .and_then(|l| l.map.areas.iter().find(|a| &a.id == area_id))
                    .map(|a| a.name.clone())
                    .unwrap_or_default();
                let view = AreaView {
                    id: area_id.to_string(),
                    name,
                };
                (None, Some(view))
            }
        };
        items.push(item(hold, seat, area));
    }
    let promo = state
        .promos
        .of_cart(&tenant.id, contents.cart.promo.as_ref())
        .await?
        .filter(|p| !p.retired)
        .map(|p| PromoView {
            code: p.code.to_string(),
            percent_off: p.percent_off,
            amount_off: p.amount_off,
            limited: !(p.event_ids.is_empty()
                && p.performance_ids.is_empty()
                && p.price_types.is_empty()),
            unlocks: performances
                .iter()
                .flat_map(|performance| {
                    performance
                        .prices
                        .entries()
                        .iter()
                        .filter(|e| {
                            e.hidden
                                && p.unlocks(&performance.event_id, &performance.id, &e.price_type)
                        })
                        .map(|e| UnlockedPrice {
                            performance_id: performance.id.to_string(),
                            zone: e.zone.to_string(),
                            price_type: e.price_type.to_string(),
                            amount: e.amount,
                        })
                })
                .collect(),
        });
    Ok(CartView {
        cart_id: contents.cart.id.to_string(),
        status: contents.cart.status,
        limit: contents.cart.limit,
        remaining: contents.remaining(),
        expires_at: contents.expires_at().map(millis),
        items,
        promo,
    })
}

fn item(hold: &HoldRecord, seat: Option<SeatView>, area: Option<AreaView>) -> CartItem {
    CartItem {
        hold_id: hold.hold_id.to_string(),
        performance_id: hold.performance_id.to_string(),
        seat,
        area,
        zone: hold.zone.to_string(),
        expires_at: millis(hold.expires_at),
    }
}

/// The cart with its live holds.
#[utoipa::path(get, path = "/api/v1/carts/{cartId}", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)),
    responses((status = 200, body = CartView), (status = 401), (status = 404, description = "cart_not_found"), (status = 503, description = "busy")))]
pub async fn get_cart(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
) -> Result<axum::Json<CartView>, ApiError> {
    let access = cart_access(&headers, &cart_id)?;
    let contents = state.holds.contents(&tenant.id, &access).await?;
    Ok(axum::Json(cart_view(&state, &tenant, contents).await?))
}

/// Hold seats (explicit, best available) or general-admission places for a performance.
#[utoipa::path(post, path = "/api/v1/carts/{cartId}/holds", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)), request_body = HoldBody,
    responses((status = 201, body = CartView), (status = 400, description = "malformed_json"), (status = 401), (status = 404, description = "cart_not_found; no such performance"),
        (status = 409, description = "seat_unavailable with details.seats; not_on_sale; cart_not_open"),
        (status = 422, description = "limit_exceeded; unknown_seats; invalid_field; invalid_body"), (status = 503, description = "busy")))]
pub async fn add_hold(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    Json(body): Json<HoldBody>,
) -> Result<(StatusCode, axum::Json<CartView>), ApiError> {
    let access = cart_access(&headers, &cart_id)?;
    let performance_id = body.performance_id.clone();
    let wanted = HoldWanted::try_from(body)?;
    let contents = state
        .holds
        .hold_and_show(&tenant.id, &access, &performance_id, &wanted)
        .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(cart_view(&state, &tenant, contents).await?),
    ))
}

/// Release one hold.
#[utoipa::path(delete, path = "/api/v1/carts/{cartId}/holds/{holdId}", params(("cartId" = String, Path), ("holdId" = String, Path), ("X-Cart-Token" = String, Header)),
    responses((status = 200, body = CartView), (status = 401), (status = 404, description = "cart_not_found; no such hold"), (status = 409, description = "cart_not_open"),
        (status = 503, description = "busy")))]
pub async fn release_hold(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path((cart_id, hold_id)): Path<(String, String)>,
) -> Result<axum::Json<CartView>, ApiError> {
    let access = cart_access(&headers, &cart_id)?;
    state.holds.release(&tenant.id, &access, &hold_id).await?;
    let contents = state.holds.contents(&tenant.id, &access).await?;
    Ok(axum::Json(cart_view(&state, &tenant, contents).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PromoBody {
    /// As the patron typed it; case does not matter.
    #[schema(example = "spring20")]
    code: String,
}

/// Put a promo code on the cart: checked now (it exists, is within its dates, has uses left,
/// covers a performance in the cart) and applied at checkout, where the per-patron limit and
/// price types are judged.
#[utoipa::path(post, path = "/api/v1/carts/{cartId}/promo", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)), request_body = PromoBody,
    responses((status = 200, body = CartView), (status = 400, description = "malformed_json"), (status = 401), (status = 404, description = "cart_not_found"),
        (status = 409, description = "promo_exhausted; cart_not_open"),
        (status = 422, description = "promo_not_applicable; promo_expired; invalid_field; invalid_body"), (status = 503, description = "busy")))]
pub async fn apply_promo(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
    Json(body): Json<PromoBody>,
) -> Result<axum::Json<CartView>, ApiError> {
    let access = cart_access(&headers, &cart_id)?;
    state.promos.apply(&tenant.id, &access, &body.code).await?;
    let contents = state.holds.contents(&tenant.id, &access).await?;
    Ok(axum::Json(cart_view(&state, &tenant, contents).await?))
}

/// Take the promo code off the cart.
#[utoipa::path(delete, path = "/api/v1/carts/{cartId}/promo", params(("cartId" = String, Path), ("X-Cart-Token" = String, Header)),
    responses((status = 200, body = CartView), (status = 401), (status = 404, description = "cart_not_found"), (status = 409, description = "cart_not_open"),
        (status = 503, description = "busy")))]
pub async fn remove_promo(
    State(state): State<PublicState>,
    tenant: Tenant,
    headers: HeaderMap,
    Path(cart_id): Path<String>,
) -> Result<axum::Json<CartView>, ApiError> {
    let access = cart_access(&headers, &cart_id)?;
    state.promos.remove(&tenant.id, &access).await?;
    let contents = state.holds.contents(&tenant.id, &access).await?;
    Ok(axum::Json(cart_view(&state, &tenant, contents).await?))
}
