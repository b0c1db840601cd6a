//! Patron search at the box office (`GET /admin/v1/patrons?q=`): a prefix of a name (any
//! case, accents ignored), an email address or telephone digits, over the directory each
//! checkout files (`marquee_domain::patrons`). At most 20 patrons.

use crate::AdminState;
use axum::extract::{Query, State};
use marquee_domain::Permission;
use marquee_domain::patrons::{MAX_PATRONS, PatronQuery, PatronSummary, summarise};
use marquee_platform::ApiError;
use marquee_platform::auth::StaffAuth;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatronSearch {
    /// At least 2 characters: the start of a name, an email address, or telephone digits.
    q: Option<String>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PatronList {
    /// Most recent order first.
    patrons: Vec<PatronSummary>,
}

/// Find a patron by the start of their name, email address or telephone number.
#[utoipa::path(get, path = "/admin/v1/patrons", params(PatronSearch),
    responses((status = 200, body = PatronList), (status = 401), (status = 403),
        (status = 422, description = "invalid_field (q shorter than 2 characters)"), (status = 503, description = "busy")),
    security(("staff" = [])))]
pub async fn search_patrons(
    State(state): State<AdminState>,
    auth: StaffAuth,
    Query(search): Query<PatronSearch>,
) -> Result<axum::Json<PatronList>, ApiError> {
    auth.require(Permission::Sell)?;
    let query = PatronQuery::parse(search.q.as_deref().unwrap_or_default())?;
    let entries = state.store.search_patrons(&auth.tenant, &query).await?;
    Ok(axum::Json(PatronList {
        patrons: summarise(entries, MAX_PATRONS),
    }))
}
