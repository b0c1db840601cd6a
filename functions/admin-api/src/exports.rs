//! CSV reports, answered inline or, when larger than the inline limit
//! (`REPORT_INLINE_LIMIT_BYTES`, default 5 MB: API Gateway buffers responses up to 6 MB),
//! written to the documents bucket under `{tenant}/exports/{id}/{filename}` and answered
//! `303 See Other` with a presigned GET (15 minutes) in `Location` and in a small JSON body.
//!
//! The CSV is written row by row into a bounded buffer: up to the inline limit it is kept
//! (it may still be answered inline); past it, an S3 upload in parts starts and the buffer
//! goes out in parts of [`PART_BYTES`], so at most max(inline limit, part size) plus one
//! flush of rows is held, however large the export. Exports are tagged [`EXPORT_TAG`], which
//! the bucket's lifecycle rule expires after a day.

use crate::AdminState;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use marquee_domain::TenantId;
use marquee_platform::ApiError;
use marquee_platform::documents::{Documents, PartsUpload};
use serde::Serialize;
use std::time::Duration;
use utoipa::ToSchema;

/// The largest CSV answered inline unless `REPORT_INLINE_LIMIT_BYTES` says otherwise.
pub const DEFAULT_INLINE_LIMIT_BYTES: usize = 5 * 1024 * 1024;

/// Each part sent to S3 (every part but the last must be at least 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;

/// Rows are moved from the CSV writer to the buffer in chunks of about this size.
const FLUSH_BYTES: usize = 64 * 1024;

/// The tag the bucket's lifecycle rule `expire-report-exports` deletes after a day
/// (`infra/template.yaml`).
pub const EXPORT_TAG: &str = "marquee-retention=report-export";

/// How long the presigned link works.
const LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// The inline limit from `REPORT_INLINE_LIMIT_BYTES` (bytes), or the default when unset.
pub fn inline_limit_from_env() -> Result<usize, marquee_platform::config::ConfigError> {
    match std::env::var("REPORT_INLINE_LIMIT_BYTES") {
        Ok(raw) => raw.trim().parse().map_err(|_| {
            marquee_platform::config::ConfigError::new(
                "REPORT_INLINE_LIMIT_BYTES must be a number of bytes",
            )
        }),
        Err(_) => Ok(DEFAULT_INLINE_LIMIT_BYTES),
    }
}

/// A report too large to answer inline: where to fetch it.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportExport {
    /// The presigned GET, relative to the venue's site (also in `Location`).
    url: String,
    filename: String,
    expires_in_seconds: u64,
    /// The CSV's size in bytes.
    bytes: u64,
}

fn csv_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(format!("writing the CSV: {e}"))
}

fn csv_writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new())
}

/// A CSV report being written: rows in, then [`CsvOut::finish`] answers it.
pub struct CsvOut<'a> {
    documents: &'a Documents,
    tenant: &'a TenantId,
    inline_limit: usize,
    filename: String,
    writer: csv::Writer<Vec<u8>>,
    /// Written rows not yet sent to S3.
    buffer: Vec<u8>,
    upload: Option<PartsUpload>,
    bytes: u64,
}

impl<'a> CsvOut<'a> {
    pub fn new(state: &'a AdminState, tenant: &'a TenantId, filename: impl Into<String>) -> Self {
        Self {
            documents: &state.documents,
            tenant,
            inline_limit: state.report_inline_limit,
            filename: filename.into(),
            writer: csv_writer(),
            buffer: Vec::new(),
            upload: None,
            bytes: 0,
        }
    }

    /// Writes one row (cells already made formula-safe by the caller).
    pub async fn row<I, T>(&mut self, record: I) -> Result<(), ApiError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(record).map_err(csv_error)?;
        if self.writer.get_ref().len() >= FLUSH_BYTES {
            self.drain().await?;
        }
        Ok(())
    }

    /// Moves what the writer holds into the buffer, and sends full parts once uploading.
    async fn drain(&mut self) -> Result<(), ApiError> {
        let written = std::mem::replace(&mut self.writer, csv_writer())
            .into_inner()
            .map_err(csv_error)?;
        self.bytes += written.len() as u64;
        self.buffer.extend_from_slice(&written);
        if self.upload.is_none() && self.buffer.len() > self.inline_limit {
            let key = Documents::key(
                self.tenant,
                &format!(
                    "exports/{}/{}",
                    ulid::Ulid::new().to_string().to_lowercase(),
                    self.filename
                ),
            );
            let upload = self
                .documents
                .start_parts(
                    &key,
                    "text/csv; charset=utf-8",
                    &self.disposition(),
                    EXPORT_TAG,
                )
                .await?;
            self.upload = Some(upload);
        }
        while self.buffer.len() >= PART_BYTES {
            let Some(upload) = self.upload.as_mut() else {
                break;
            };
            let rest = self.buffer.split_off(PART_BYTES);
            let part = std::mem::replace(&mut self.buffer, rest);
            if let Err(e) = self.documents.put_part(upload, part).await {
                self.abort().await;
                return Err(e.into());
            }
        }
        Ok(())
    }

    async fn abort(&mut self) {
        if let Some(upload) = self.upload.take()
            && let Err(e) = self.documents.abort_parts(upload).await
        {
            tracing::warn!(error = %e, "export upload not aborted (the lifecycle rule will)");
        }
    }

    fn disposition(&self) -> String {
        format!("attachment; filename=\"{}\"", self.filename)
    }

    /// The answer: the CSV inline, or a 303 to the uploaded file.
    pub async fn finish(mut self) -> Result<Response, ApiError> {
        self.drain().await?;
        let Some(mut upload) = self.upload.take() else {
            return Ok((
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
                    (header::CONTENT_DISPOSITION, self.disposition()),
                ],
                std::mem::take(&mut self.buffer),
            )
                .into_response());
        };
        let last = std::mem::take(&mut self.buffer);
        let key = upload.key().to_owned();
        // A failed upload is left to the bucket's rule for incomplete uploads.
        self.documents.put_part(&mut upload, last).await?;
        self.documents.finish_parts(upload).await?;
        let url = self.documents.presign_get(&key, LINK_TTL).await?;
        let location = HeaderValue::from_str(&url)
            .map_err(|_| ApiError::internal("a presigned URL that is not a header value"))?;
        let mut response = (
            StatusCode::SEE_OTHER,
            axum::Json(ReportExport {
                url,
                filename: self.filename.clone(),
                expires_in_seconds: LINK_TTL.as_secs(),
                bytes: self.bytes,
            }),
        )
            .into_response();
        response.headers_mut().insert(header::LOCATION, location);
        Ok(response)
    }
}
