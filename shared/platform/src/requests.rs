//! Request bodies both HTTP APIs accept: a hold, as a patron's cart and a box office cart
//! ask for one.

use crate::ApiError;
use axum::http::StatusCode;
use marquee_app::holds::HoldWanted;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BestAvailableRequest {
    /// 1 to 10 seats together, and at most the performance's `maxTicketsPerOrder`.
    #[schema(minimum = 1, maximum = 10)]
    pub quantity: u32,
    pub zone: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GeneralAdmissionRequest {
    pub area_id: String,
    /// 1 to the performance's `maxTicketsPerOrder` (at most 30).
    #[schema(minimum = 1, maximum = 30)]
    pub quantity: u32,
}

/// Exactly one of `seats`, `bestAvailable`, `generalAdmission`.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HoldBody {
    pub performance_id: String,
    /// 1 to the performance's `maxTicketsPerOrder` (at most 30) seat ids.
    #[schema(min_items = 1, max_items = 30)]
    pub seats: Option<Vec<String>>,
    pub best_available: Option<BestAvailableRequest>,
    pub general_admission: Option<GeneralAdmissionRequest>,
}

impl TryFrom<HoldBody> for HoldWanted {
    type Error = ApiError;
    fn try_from(body: HoldBody) -> Result<Self, ApiError> {
        match (body.seats, body.best_available, body.general_admission) {
            (Some(seats), None, None) => Ok(Self::Seats(seats)),
            (None, Some(best), None) => Ok(Self::BestAvailable {
                quantity: best.quantity,
                zone: best.zone,
            }),
            (None, None, Some(ga)) => Ok(Self::GeneralAdmission {
                area: ga.area_id,
                quantity: ga.quantity,
            }),
            _ => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_body",
                "Send exactly one of seats, bestAvailable, generalAdmission",
            )),
        }
    }
}
