//! Tickets printed at the window: an order's valid tickets as a PDF for ticket stock
//! (5.5″ × 2″ thermal), A4 or US Letter, answered directly so the clerk's print dialog opens
//! at once.

use crate::AdminState;
use crate::orders::load_order;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use marquee_domain::{Invalid, Permission};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use marquee_platform::tickets;
use marquee_store::TicketStatus;
use marquee_tickets::Paper;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PrintQuery {
    /// `stock` (5.5″ × 2″ ticket stock, one ticket a page), `a4` or `letter` (four tickets a
    /// sheet, with cut lines). Default `a4`.
    format: Option<String>,
}

fn paper(format: Option<&str>) -> Result<Paper, Invalid> {
    match format.unwrap_or("a4") {
        "stock" => Ok(Paper::Stock),
        "a4" => Ok(Paper::A4),
        "letter" => Ok(Paper::Letter),
        _ => Err(Invalid::new(
            "format",
            "format is one of stock, a4 or letter",
        )),
    }
}

/// The order's valid tickets to print (box office and above).
#[utoipa::path(get, path = "/admin/v1/orders/{orderId}/tickets.pdf",
    params(("orderId" = String, Path), PrintQuery),
    responses(
        (status = 200, description = "The tickets as a PDF", content_type = "application/pdf"),
        (status = 401), (status = 403), (status = 404),
        (status = 409, description = "no_tickets: nothing paid or every ticket refunded"),
        (status = 422, description = "invalid_field: an unknown format")),
    security(("staff" = [])))]
pub async fn tickets_pdf(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(order_id): Path<String>,
    Query(query): Query<PrintQuery>,
) -> Result<Response, ApiError> {
    auth.require(Permission::Sell)?;
    let paper = paper(query.format.as_deref())?;
    let order = load_order(&state, &auth, &order_id).await?;
    let printable = order.status.has_valid_tickets()
        && order
            .tickets
            .iter()
            .any(|t| t.status == TicketStatus::Valid);
    if !printable {
        return Err(ApiError::conflict(
            "no_tickets",
            "This order has no valid tickets to print",
        ));
    }
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    let signing = tickets::venue_key(&state.store, &auth.tenant).await?;
    let performances = tickets::performances_of(&state.store, &venue, &order).await?;
    let fonts = state.fonts.get().await;
    let pdf = tokio::task::spawn_blocking(move || {
        tickets::order_pdf_on(&signing, &fonts, &venue, &order, &performances, paper)
    })
    .await
    .map_err(ApiError::internal)??;
    let name = format!(
        "inline; filename=\"tickets-{}.pdf\"",
        order_id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (header::CONTENT_DISPOSITION, name),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        pdf,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_stock_a4_or_letter_and_a4_by_default() {
        assert_eq!(paper(Some("stock")), Ok(Paper::Stock));
        assert_eq!(paper(Some("letter")), Ok(Paper::Letter));
        assert_eq!(paper(None), Ok(Paper::A4));
        assert_eq!(paper(Some("A4")).map_err(|e| e.field), Err("format"));
    }
}
