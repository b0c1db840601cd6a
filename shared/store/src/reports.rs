//! Sales figures kept as running totals per venue-local day, updated from the table's stream
//! (`sales-reports`): one `DAY` item and one item per performance × price type × zone in
//! `T#{tenant}#REPORT#{date}`. Each change is applied in one transaction with a marker item
//! keyed by the change (`T#{tenant}#REPORTED#{date}`), so a redelivered stream record adds
//! nothing the second time. The same changes keep each performance's demand figures in
//! `T#{tenant}#DEMAND#{performance}`: tickets sold per zone (and how soon after sales opened)
//! and seats held and let go; and each performance's attendance (`ATTENDANCE`: tickets valid
//! and tickets admitted), from the issued tickets' changes.

use crate::error::condition_failed_at;
use crate::tenancy::{key, n, s};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem, Update};
use chrono::NaiveDate;
use futures::StreamExt;
use marquee_domain::TenantId;
use marquee_domain::reports::{ReportChange, Target};
use std::collections::HashMap;

/// How long a counted change's marker is kept.
const COUNTED_FOR_SECONDS: i64 = 7 * 24 * 3600;

/// Days read at once for a report over a range.
const DAYS_IN_FLIGHT: usize = 16;

/// A figure set as stored: its numbers by attribute name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Figures(pub HashMap<String, i64>);

impl Figures {
    pub fn get(&self, name: &str) -> i64 {
        self.0.get(name).copied().unwrap_or(0)
    }
}

/// One performance × price type × zone's figures on a day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineFigures {
    pub performance: String,
    pub price_type: String,
    pub zone: String,
    pub figures: Figures,
}

/// A day's figures: nothing at all when nothing was sold or refunded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DayFigures {
    pub day: Figures,
    pub lines: Vec<LineFigures>,
    /// Box office sales per staff member (by email), in email order.
    pub staff: Vec<(String, Figures)>,
}

/// A performance's demand figures: per zone and per tried seat, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Demand {
    pub zones: Vec<(String, Figures)>,
    pub seats: Vec<(String, Figures)>,
}

fn numbers_of(item: &HashMap<String, AttributeValue>) -> Figures {
    Figures(
        item.iter()
            .filter_map(|(name, value)| match value {
                AttributeValue::N(v) => Some((name.clone(), v.parse().ok()?)),
                _ => None,
            })
            .collect(),
    )
}

impl Store {
    /// Adds a change to its day's figures, once: `Ok(false)` when it was counted before.
    pub async fn count_report_change(
        &self,
        tenant: &TenantId,
        change: &ReportChange,
        now: i64,
    ) -> Result<bool, StoreError> {
        let date = change.date.to_string();
        let marker = Put::builder()
            .table_name(&self.table)
            .set_item(Some(HashMap::from([
                (keys::PK.to_owned(), s(keys::report_counted(tenant, &date))),
                (keys::SK.to_owned(), s(&change.key)),
                ("ttl".to_owned(), n(now / 1000 + COUNTED_FOR_SECONDS)),
            ])))
            .condition_expression("attribute_not_exists(pk)")
            .build()
            .map_err(StoreError::dynamo)?;
        let mut items = vec![TransactWriteItem::builder().put(marker).build()];
        let day_pk = keys::report_day(tenant, &date);
        for increment in &change.increments {
            let (pk, sk, labels) = match &increment.target {
                Target::Day => (day_pk.clone(), keys::REPORT_DAY_SK.to_owned(), Vec::new()),
                Target::Line {
                    performance,
                    price_type,
                    zone,
                } => (
                    day_pk.clone(),
                    keys::report_line_sk(performance, price_type, zone),
                    vec![
                        ("performanceId", performance.as_str()),
                        ("priceType", price_type.as_str()),
                        ("zone", zone.as_str()),
                    ],
                ),
                Target::Zone { performance, zone } => (
                    keys::demand(tenant, performance),
                    keys::demand_zone_sk(zone),
                    vec![("zone", zone.as_str())],
                ),
                Target::Seat { performance, seat } => (
                    keys::demand(tenant, performance),
                    keys::demand_seat_sk(seat),
                    vec![("seat", seat.as_str())],
                ),
                Target::Staff { staff } => (
                    day_pk.clone(),
                    keys::report_staff_sk(staff),
                    vec![("staff", staff.as_str())],
                ),
                Target::Attendance { performance } => (
                    keys::demand(tenant, performance),
                    keys::ATTENDANCE_SK.to_owned(),
                    vec![("performanceId", performance.as_str())],
                ),
            };
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, &sk)));
            let mut adds = Vec::new();
            for (i, (name, amount)) in increment.add.iter().enumerate() {
                adds.push(format!("#n{i} :n{i}"));
                update = update
                    .expression_attribute_names(format!("#n{i}"), *name)
                    .expression_attribute_values(format!(":n{i}"), n(amount));
            }
            let mut expression = String::new();
            if !labels.is_empty() {
                let sets: Vec<String> = labels
                    .iter()
                    .enumerate()
                    .map(|(i, (name, value))| {
                        update = update
                            .clone()
                            .expression_attribute_names(format!("#l{i}"), *name)
                            .expression_attribute_values(format!(":l{i}"), s(value));
                        format!("#l{i} = :l{i}")
                    })
                    .collect();
                expression.push_str(&format!("SET {} ", sets.join(", ")));
            }
            expression.push_str(&format!("ADD {}", adds.join(", ")));
            let update = update
                .update_expression(expression)
                .build()
                .map_err(StoreError::dynamo)?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) => match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e)
                    if condition_failed_at(e.cancellation_reasons(), 0) =>
                {
                    Ok(false)
                }
                other => Err(StoreError::dynamo(other)),
            },
        }
    }

    /// One day's figures.
    pub async fn report_day(
        &self,
        tenant: &TenantId,
        date: NaiveDate,
    ) -> Result<DayFigures, StoreError> {
        let mut figures = DayFigures::default();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::report_day(tenant, &date.to_string())))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for item in out.items.unwrap_or_default() {
                let text = |name: &str| match item.get(name) {
                    Some(AttributeValue::S(v)) => v.clone(),
                    _ => String::new(),
                };
                let numbers = numbers_of(&item);
                if text(keys::SK) == keys::REPORT_DAY_SK {
                    figures.day = numbers;
                } else if text(keys::SK).starts_with(keys::REPORT_LINE_PREFIX) {
                    figures.lines.push(LineFigures {
                        performance: text("performanceId"),
                        price_type: text("priceType"),
                        zone: text("zone"),
                        figures: numbers,
                    });
                } else if text(keys::SK).starts_with(keys::REPORT_STAFF_PREFIX) {
                    figures.staff.push((text("staff"), numbers));
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                figures.staff.sort_by(|a, b| a.0.cmp(&b.0));
                figures.lines.sort_by(|a, b| {
                    (&a.performance, &a.price_type, &a.zone).cmp(&(
                        &b.performance,
                        &b.price_type,
                        &b.zone,
                    ))
                });
                return Ok(figures);
            }
        }
    }

    /// A performance's demand figures: per zone, and per seat that was tried.
    pub async fn demand(
        &self,
        tenant: &TenantId,
        performance: &marquee_domain::PerformanceId,
    ) -> Result<Demand, StoreError> {
        let mut demand = Demand::default();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::demand(tenant, performance.as_str())))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for item in out.items.unwrap_or_default() {
                let Some(AttributeValue::S(sk)) = item.get(keys::SK) else {
                    continue;
                };
                let numbers = numbers_of(&item);
                if let Some(zone) = sk.strip_prefix(keys::DEMAND_ZONE_PREFIX) {
                    demand.zones.push((zone.to_owned(), numbers));
                } else if let Some(seat) = sk.strip_prefix(keys::DEMAND_SEAT_PREFIX) {
                    demand.seats.push((seat.to_owned(), numbers));
                }
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(demand);
            }
        }
    }

    /// Attendance figures of these performances, by performance id (one batch read per 100;
    /// a performance nothing was counted for yet is left out).
    pub async fn attendance(
        &self,
        tenant: &TenantId,
        performances: &[marquee_domain::PerformanceId],
    ) -> Result<HashMap<String, Figures>, StoreError> {
        let wanted = performances
            .iter()
            .map(|p| key(keys::demand(tenant, p.as_str()), keys::ATTENDANCE_SK))
            .collect();
        Ok(self
            .batch_get(wanted, false)
            .await?
            .into_iter()
            .filter_map(|item| match item.get("performanceId") {
                Some(AttributeValue::S(id)) => Some((id.clone(), numbers_of(&item))),
                _ => None,
            })
            .collect())
    }

    /// Each day's figures from `from` to `to` (both included), in order.
    pub async fn report_days(
        &self,
        tenant: &TenantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(NaiveDate, DayFigures)>, StoreError> {
        let days: Vec<NaiveDate> = from.iter_days().take_while(|d| *d <= to).collect();
        let read: Vec<Result<(NaiveDate, DayFigures), StoreError>> = futures::stream::iter(
            days.into_iter()
                .map(|date| async move { Ok((date, self.report_day(tenant, date).await?)) }),
        )
        .buffered(DAYS_IN_FLIGHT)
        .collect()
        .await;
        read.into_iter().collect()
    }
}
