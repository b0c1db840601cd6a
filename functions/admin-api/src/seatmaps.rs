//! Seat maps: created from JSON or imported from CSV, read back, and replaced — unless the
//! replacement would remove seats that patrons hold or bought.

use crate::AdminState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use marquee_domain::seatmap::{CsvError, SeatMap, SeatMapError, SeatMapInput, SeatStatus};
use marquee_domain::{Permission, SeatMapId, TenantId};
use marquee_platform::auth::StaffAuth;
use marquee_platform::{ApiError, http::Json};
use marquee_store::{SeatMapRecord, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashSet;
use utoipa::ToSchema;

/// Seat map uploads are larger than other bodies (a 20,000-seat CSV is about 1 MB); Lambda
/// accepts at most 6 MB.
pub const SEAT_MAP_BODY_LIMIT: usize = 5 * 1024 * 1024;

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapSummary {
    id: String,
    name: String,
    version: u32,
    seat_count: u32,
    sections: usize,
    general_admission_areas: usize,
    updated_at: String,
}

impl From<&SeatMapRecord> for SeatMapSummary {
    fn from(r: &SeatMapRecord) -> Self {
        Self {
            id: r.id.to_string(),
            name: r.name.clone(),
            version: r.version,
            seat_count: r.seat_count,
            sections: r.section_ids.len(),
            general_admission_areas: r.areas.len(),
            updated_at: r.updated_at.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapView {
    #[serde(flatten)]
    summary: SeatMapSummary,
    layout: SeatMap,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SeatMapList {
    seat_maps: Vec<SeatMapSummary>,
}

pub(crate) fn invalid_layout(e: SeatMapError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_seat_map",
        e.to_string(),
    )
    .with_details(json!({ "field": e.path }))
}

fn invalid_csv(e: CsvError) -> ApiError {
    ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_csv",
        e.to_string(),
    )
    .with_details(json!({ "line": e.line, "column": e.column }))
}

fn store_error(e: StoreError) -> ApiError {
    match e {
        StoreError::TooLarge(message) => ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "seat_map_too_large",
            message,
        ),
        other => other.into(),
    }
}

async fn save_new(
    state: &AdminState,
    tenant: &TenantId,
    layout: SeatMap,
) -> Result<(StatusCode, axum::Json<SeatMapView>), ApiError> {
    let now = Utc::now().to_rfc3339();
    let record = SeatMapRecord {
        id: SeatMapId::generate(),
        name: layout.name.clone(),
        version: 1,
        zones: layout.zones.clone(),
        areas: layout.areas.clone(),
        section_ids: layout.sections.iter().map(|s| s.id.clone()).collect(),
        seat_count: u32::try_from(layout.seat_count()).unwrap_or(u32::MAX),
        created_at: now.clone(),
        updated_at: now,
    };
    state
        .store
        .put_seat_map(tenant, &record, &layout)
        .await
        .map_err(store_error)?;
    tracing::info!(tenant = %tenant, seat_map = %record.id, seats = record.seat_count, "seat map created");
    Ok((
        StatusCode::CREATED,
        axum::Json(SeatMapView {
            summary: (&record).into(),
            layout,
        }),
    ))
}

/// Create a seat map from a JSON layout.
#[utoipa::path(post, path = "/admin/v1/seatmaps", request_body = SeatMapInput,
    responses((status = 201, body = SeatMapView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 413, description = "body_too_large (over 5 MB)"),
        (status = 422, description = "invalid_seat_map with details.field; seat_map_too_large; invalid_body")), security(("staff" = [])))]
pub async fn create_seat_map(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(input): Json<SeatMapInput>,
) -> Result<(StatusCode, axum::Json<SeatMapView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let layout = SeatMap::parse(input).map_err(invalid_layout)?;
    save_new(&state, &auth.tenant, layout).await
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    /// The seat map's name.
    name: Option<String>,
}

/// Import a seat map from CSV (`text/csv`; columns section, row, seat, price zone,
/// best-available rank, x, y, note; optional accessible, restricted view, companion).
#[utoipa::path(post, path = "/admin/v1/seatmaps/import", params(ImportParams), request_body(content = String, content_type = "text/csv"),
    responses((status = 201, body = SeatMapView), (status = 401), (status = 403), (status = 413, description = "body_too_large (over 5 MB)"),
        (status = 415, description = "unsupported_media_type: not text/csv"),
        (status = 422, description = "invalid_csv with details.line and details.column; seat_map_too_large")), security(("staff" = [])))]
pub async fn import_seat_map(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(params): Query<ImportParams>,
    headers: axum::http::HeaderMap,
    body: String,
) -> Result<(StatusCode, axum::Json<SeatMapView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("text/csv") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            "Send the seat map as text/csv",
        ));
    }
    let name = params.name.unwrap_or_else(|| "Imported seat map".into());
    let layout = SeatMap::from_csv(&name, &body).map_err(invalid_csv)?;
    save_new(&state, &auth.tenant, layout).await
}

/// The venue's seat maps.
#[utoipa::path(get, path = "/admin/v1/seatmaps", responses((status = 200, body = SeatMapList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn list_seat_maps(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<SeatMapList>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let maps = state.store.seat_maps(&auth.tenant).await?;
    Ok(axum::Json(SeatMapList {
        seat_maps: maps.iter().map(SeatMapSummary::from).collect(),
    }))
}

pub(crate) fn parse_map_id(raw: &str) -> Result<SeatMapId, ApiError> {
    SeatMapId::parse(raw).map_err(|_| ApiError::not_found("Seat map"))
}

/// A seat map with its layout.
#[utoipa::path(get, path = "/admin/v1/seatmaps/{mapId}", params(("mapId" = String, Path)),
    responses((status = 200, body = SeatMapView), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn get_seat_map(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(map_id): Path<String>,
) -> Result<axum::Json<SeatMapView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let id = parse_map_id(&map_id)?;
    let (record, layout) = state
        .store
        .seat_map(&auth.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Seat map"))?;
    Ok(axum::Json(SeatMapView {
        summary: (&record).into(),
        layout,
    }))
}

/// Replace a seat map's layout. Refused (409 `seats_in_use`) when a published performance
/// has held or sold seats that the new layout would remove.
#[utoipa::path(put, path = "/admin/v1/seatmaps/{mapId}", params(("mapId" = String, Path)), request_body = SeatMapInput,
    responses((status = 200, body = SeatMapView), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 409, description = "seats_in_use with details.seats"), (status = 413, description = "body_too_large (over 5 MB)"),
        (status = 422, description = "invalid_seat_map with details.field; seat_map_too_large; invalid_body")), security(("staff" = [])))]
pub async fn replace_seat_map(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(map_id): Path<String>,
    Json(input): Json<SeatMapInput>,
) -> Result<axum::Json<SeatMapView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let id = parse_map_id(&map_id)?;
    let (current, old_layout) = state
        .store
        .seat_map(&auth.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Seat map"))?;
    let layout = SeatMap::parse(input).map_err(invalid_layout)?;

    let kept: HashSet<&str> = layout
        .sections
        .iter()
        .flat_map(|s| s.rows.iter())
        .flat_map(|r| r.seats.iter())
        .map(|s| s.id.as_str())
        .collect();
    let kept_areas: HashSet<&str> = layout.areas.iter().map(|a| a.id.as_str()).collect();
    let now_ms = Utc::now().timestamp_millis();
    let section_ids: Vec<_> = old_layout.sections.iter().map(|s| s.id.clone()).collect();
    let mut in_use = Vec::new();
    for performance in state.store.all_performances(&auth.tenant).await? {
        if performance.seat_map_id != id || !performance.status.is_published() {
            continue;
        }
        let states = state
            .store
            .seat_states(&auth.tenant, &performance.id, &section_ids)
            .await?;
        for (seat, record) in states {
            let taken = matches!(record.status(now_ms), SeatStatus::Held | SeatStatus::Sold);
            if taken && !kept.contains(seat.as_str()) {
                in_use.push(json!({ "performanceId": performance.id, "seatId": seat }));
            }
        }
        // GA areas with patrons cannot disappear either.
        for area in &old_layout.areas {
            if !kept_areas.contains(area.id.as_str())
                && state
                    .store
                    .ga_area_in_use(
                        &auth.tenant,
                        &performance.id,
                        &area.id,
                        performance.ga_capacity(area),
                    )
                    .await?
            {
                in_use.push(json!({ "performanceId": performance.id, "areaId": area.id }));
            }
        }
    }
    if !in_use.is_empty() {
        return Err(ApiError::conflict(
            "seats_in_use",
            "The new layout removes seats that patrons hold or bought; keep those seats",
        )
        .with_details(json!({ "seats": in_use })));
    }

    let record = SeatMapRecord {
        name: layout.name.clone(),
        version: current.version + 1,
        zones: layout.zones.clone(),
        areas: layout.areas.clone(),
        section_ids: layout.sections.iter().map(|s| s.id.clone()).collect(),
        seat_count: u32::try_from(layout.seat_count()).unwrap_or(u32::MAX),
        updated_at: Utc::now().to_rfc3339(),
        ..current
    };
    state
        .store
        .put_seat_map(&auth.tenant, &record, &layout)
        .await
        .map_err(store_error)?;
    state
        .store
        .delete_seat_map_version(&auth.tenant, &id, record.version - 1)
        .await?;
    tracing::info!(tenant = %auth.tenant, seat_map = %id, version = record.version, "seat map replaced");
    Ok(axum::Json(SeatMapView {
        summary: (&record).into(),
        layout,
    }))
}
