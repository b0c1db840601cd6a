//! Events: title, description, image. Their performances are in `performances`.

use crate::AdminState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::Utc;
use marquee_domain::{EventId, Invalid, Permission, VenueSettings};
use marquee_platform::auth::{StaffAuth, random_token};
use marquee_platform::documents::{Documents, Upload};
use marquee_platform::views::{EventView, PerformanceView};
use marquee_platform::{ApiError, http::Json};
use marquee_store::EventRecord;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;

const MAX_IMAGE_BYTES: i64 = 5 * 1024 * 1024;
const IMAGE_TYPES: &[(&str, &str)] = &[
    ("image/jpeg", "jpg"),
    ("image/png", "png"),
    ("image/webp", "webp"),
];

fn parse_title(title: &str) -> Result<String, Invalid> {
    let title = title.trim();
    if title.is_empty() || title.chars().count() > 200 || title.chars().any(char::is_control) {
        return Err(Invalid::new(
            "title",
            "must be 1 to 200 printable characters",
        ));
    }
    Ok(title.to_owned())
}

fn parse_description(description: &str) -> Result<String, Invalid> {
    if description.chars().count() > 5000 {
        return Err(Invalid::new(
            "description",
            "must be at most 5000 characters",
        ));
    }
    Ok(description.trim().to_owned())
}

pub(crate) fn parse_event_id(raw: &str) -> Result<EventId, ApiError> {
    EventId::parse(raw).map_err(|_| ApiError::not_found("Event"))
}

pub(crate) async fn load_event(
    state: &AdminState,
    auth: &StaffAuth,
    raw: &str,
) -> Result<EventRecord, ApiError> {
    let id = parse_event_id(raw)?;
    state
        .store
        .event(&auth.tenant, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Event"))
}

async fn venue_settings(state: &AdminState, auth: &StaffAuth) -> Result<VenueSettings, ApiError> {
    let venue = state
        .store
        .venue(&auth.tenant)
        .await?
        .ok_or_else(|| ApiError::not_found("Venue"))?;
    Ok(venue.settings)
}

async fn event_view(
    state: &AdminState,
    auth: &StaffAuth,
    settings: &VenueSettings,
    event: &EventRecord,
) -> Result<EventView, ApiError> {
    let now = Utc::now();
    let performances = state
        .store
        .event_performances(&auth.tenant, &event.id)
        .await?
        .iter()
        .map(|p| PerformanceView::new(p, None, settings.timezone, settings.currency, now))
        .collect();
    Ok(EventView::new(event, performances))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEventRequest {
    title: String,
    #[serde(default)]
    description: String,
}

/// Create an event.
#[utoipa::path(post, path = "/admin/v1/events", request_body = CreateEventRequest,
    responses((status = 201, body = EventView), (status = 400, description = "malformed_json"), (status = 401), (status = 403),
        (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn create_event(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Json(body): Json<CreateEventRequest>,
) -> Result<(StatusCode, axum::Json<EventView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let now = Utc::now().to_rfc3339();
    let event = EventRecord {
        id: EventId::generate(),
        title: parse_title(&body.title)?,
        description: parse_description(&body.description)?,
        image_key: None,
        created_at: now.clone(),
        updated_at: now,
    };
    state.store.put_event(&auth.tenant, &event).await?;
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::EventCreated,
        format!("event:{}", event.id),
        None,
        crate::audit::json(&event),
    )
    .await;
    Ok((
        StatusCode::CREATED,
        axum::Json(EventView::new(&event, Vec::new())),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct EventList {
    events: Vec<EventView>,
}

/// Every event of the venue, with its performances (drafts included).
#[utoipa::path(get, path = "/admin/v1/events", responses((status = 200, body = EventList), (status = 401), (status = 403)), security(("staff" = [])))]
pub async fn list_events(
    State(state): State<AdminState>,
    auth: StaffAuth,
) -> Result<axum::Json<EventList>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let settings = venue_settings(&state, &auth).await?;
    let mut events = Vec::new();
    for event in state.store.events(&auth.tenant).await? {
        events.push(event_view(&state, &auth, &settings, &event).await?);
    }
    Ok(axum::Json(EventList { events }))
}

/// One event with its performances.
#[utoipa::path(get, path = "/admin/v1/events/{eventId}", params(("eventId" = String, Path)),
    responses((status = 200, body = EventView), (status = 401), (status = 403), (status = 404)), security(("staff" = [])))]
pub async fn get_event(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
) -> Result<axum::Json<EventView>, ApiError> {
    auth.require(Permission::ViewSales)?;
    let event = load_event(&state, &auth, &event_id).await?;
    let settings = venue_settings(&state, &auth).await?;
    Ok(axum::Json(
        event_view(&state, &auth, &settings, &event).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateEventRequest {
    title: Option<String>,
    description: Option<String>,
    /// The key returned by the image upload, once the file is uploaded; "" removes the image.
    image_key: Option<String>,
}

/// Change an event's title, description or image.
#[utoipa::path(put, path = "/admin/v1/events/{eventId}", params(("eventId" = String, Path)), request_body = UpdateEventRequest,
    responses((status = 200, body = EventView), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn update_event(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
    Json(body): Json<UpdateEventRequest>,
) -> Result<axum::Json<EventView>, ApiError> {
    auth.require(Permission::EditCatalog)?;
    let mut event = load_event(&state, &auth, &event_id).await?;
    let before = event.clone();
    if let Some(title) = body.title {
        event.title = parse_title(&title)?;
    }
    if let Some(description) = body.description {
        event.description = parse_description(&description)?;
    }
    if let Some(key) = body.image_key {
        event.image_key = if key.is_empty() {
            None
        } else {
            let prefix = Documents::key(&auth.tenant, &format!("events/{}/", event.id));
            if !key.starts_with(&prefix) || !state.documents.exists(&key).await? {
                return Err(
                    Invalid::new("imageKey", "is not an uploaded image of this event").into(),
                );
            }
            Some(key)
        };
    }
    event.updated_at = Utc::now().to_rfc3339();
    state.store.put_event(&auth.tenant, &event).await?;
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::EventEdited,
        format!("event:{}", event.id),
        crate::audit::json(&before),
        crate::audit::json(&event),
    )
    .await;
    let settings = venue_settings(&state, &auth).await?;
    Ok(axum::Json(
        event_view(&state, &auth, &settings, &event).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ImageUploadRequest {
    content_type: String,
    /// Bytes, 1 to 5 MB (5242880).
    #[schema(minimum = 1, maximum = 5_242_880)]
    size: i64,
}

/// Get a presigned URL to upload the event's image (JPEG, PNG or WebP, at most 5 MB).
#[utoipa::path(post, path = "/admin/v1/events/{eventId}/image", params(("eventId" = String, Path)), request_body = ImageUploadRequest,
    responses((status = 201, body = Upload), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "invalid_field; invalid_body")), security(("staff" = [])))]
pub async fn image_upload(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
    Json(body): Json<ImageUploadRequest>,
) -> Result<(StatusCode, axum::Json<Upload>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let event = load_event(&state, &auth, &event_id).await?;
    let Some((content_type, extension)) = IMAGE_TYPES.iter().find(|(t, _)| *t == body.content_type)
    else {
        return Err(
            Invalid::new("contentType", "must be image/jpeg, image/png or image/webp").into(),
        );
    };
    if !(1..=MAX_IMAGE_BYTES).contains(&body.size) {
        return Err(Invalid::new("size", "must be between 1 byte and 5 MB").into());
    }
    let key = Documents::key(
        &auth.tenant,
        &format!("events/{}/image-{}.{extension}", event.id, random_token(8)),
    );
    let upload = state
        .documents
        .presign_put(&key, content_type, body.size, Duration::from_secs(600))
        .await?;
    Ok((StatusCode::CREATED, axum::Json(upload)))
}

/// The most performances one duplicate copies (one store transaction).
const MAX_COPIED_PERFORMANCES: usize = 100;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DuplicateEventRequest {
    /// The copy's title; the original's with " (copy)" when absent.
    title: Option<String>,
    /// With it, every performance that is not cancelled is copied as a draft this many days
    /// later at the same time on the venue's clock, whatever the clocks did in between (364
    /// keeps the weekday a year on), with its seat map, prices, fees, taxes and limits; each
    /// copy must start in the future. Without it, no performances are copied.
    #[schema(minimum = 1, maximum = 3660)]
    shift_days: Option<u32>,
}

/// A copy of an event — its title, description and image — for next season, optionally with
/// its performances as drafts shifted by a number of days.
#[utoipa::path(post, path = "/admin/v1/events/{eventId}/duplicate", params(("eventId" = String, Path)), request_body = DuplicateEventRequest,
    responses((status = 201, body = EventView), (status = 400, description = "malformed_json"), (status = 401), (status = 403), (status = 404),
        (status = 422, description = "invalid_field: title, shiftDays; invalid_body")), security(("staff" = [])))]
pub async fn duplicate_event(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Path(event_id): Path<String>,
    Json(body): Json<DuplicateEventRequest>,
) -> Result<(StatusCode, axum::Json<EventView>), ApiError> {
    auth.require(Permission::EditCatalog)?;
    let original = load_event(&state, &auth, &event_id).await?;
    let now = Utc::now();
    let title = match &body.title {
        Some(title) => parse_title(title)?,
        None => parse_title(&format!("{} (copy)", original.title))
            .or_else(|_| parse_title(&original.title))?,
    };
    let copy = EventRecord {
        id: EventId::generate(),
        title,
        description: original.description.clone(),
        image_key: original.image_key.clone(),
        created_at: now.to_rfc3339(),
        updated_at: now.to_rfc3339(),
    };
    let mut performances = Vec::new();
    if let Some(days) = body.shift_days {
        if !(1..=3660).contains(&days) {
            return Err(Invalid::new("shiftDays", "1 to 3660 days").into());
        }
        let zone = venue_settings(&state, &auth).await?.timezone;
        // Same time on the venue's clock, `days` later; for a time the clocks skip that
        // day, the same instant shifted (an hour off, rather than no copy).
        let shift = |at: chrono::DateTime<Utc>| {
            zone.same_time_days_later(at, days)
                .unwrap_or(at + chrono::Duration::days(i64::from(days)))
        };
        for p in state
            .store
            .event_performances(&auth.tenant, &original.id)
            .await?
            .into_iter()
            .filter(|p| p.status != marquee_domain::performance::PerformanceStatus::Cancelled)
        {
            let starts_at = shift(p.schedule.starts_at);
            if starts_at <= now {
                return Err(Invalid::new(
                    "shiftDays",
                    format!(
                        "the performance of {} would still be in the past; shift it further",
                        p.schedule.starts_at.format("%-d %B %Y")
                    ),
                )
                .into());
            }
            let on_sale_at = shift(p.schedule.on_sale_at).max(now);
            let schedule = marquee_domain::performance::Schedule::new(
                starts_at,
                Some(on_sale_at),
                Some(shift(p.schedule.off_sale_at)),
                now,
            )
            .map_err(|e| Invalid::new("shiftDays", e.message))?;
            performances.push(marquee_store::PerformanceRecord {
                id: marquee_domain::PerformanceId::generate(),
                event_id: copy.id.clone(),
                status: marquee_domain::performance::PerformanceStatus::Draft,
                schedule,
                created_at: now.to_rfc3339(),
                updated_at: now.to_rfc3339(),
                ..p
            });
        }
        if performances.len() > MAX_COPIED_PERFORMANCES {
            return Err(Invalid::new(
                "shiftDays",
                format!("an event with more than {MAX_COPIED_PERFORMANCES} performances is copied without them"),
            )
            .into());
        }
    }
    state.store.put_event(&auth.tenant, &copy).await?;
    if !performances.is_empty() {
        state
            .store
            .create_performances(&auth.tenant, &performances)
            .await?;
    }
    crate::audit::staff_did(
        &state,
        &auth,
        marquee_domain::records::AuditKind::EventCreated,
        format!("event:{}", copy.id),
        None,
        crate::audit::json(&serde_json::json!({
            "event": copy,
            "copiedFrom": original.id,
            "performances": performances.len(),
        })),
    )
    .await;
    let settings = venue_settings(&state, &auth).await?;
    let views = performances
        .iter()
        .map(|p| PerformanceView::new(p, None, settings.timezone, settings.currency, now))
        .collect();
    Ok((
        StatusCode::CREATED,
        axum::Json(EventView::new(&copy, views)),
    ))
}
