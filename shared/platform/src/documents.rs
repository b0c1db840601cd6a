//! The documents bucket (S3): ticket PDFs, event images, large layouts, large report exports. Every key starts
//! with the tenant id; uploads and downloads go through short-lived presigned URLs, so
//! files never pass through a Lambda.
//!
//! The presigned URLs are handed out on the venue's own host, under [`SITE_PREFIX`]: the
//! distribution (and the devserver locally) passes `/documents/…` with its query string on
//! to the bucket, which checks the signature. Venue sites therefore load and upload
//! documents same-origin, on a hosted subdomain or a custom domain alike, and the bucket
//! needs no CORS rules.

use aws_sdk_s3::presigning::PresigningConfig;
use marquee_app::ports::PortError;
use marquee_domain::TenantId;
use std::time::Duration;

#[derive(Clone, Debug)]
pub struct Documents {
    client: aws_sdk_s3::Client,
    bucket: String,
}

/// A presigned upload: PUT the file to `url` with exactly these headers.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    pub url: String,
    pub method: &'static str,
    pub headers: std::collections::BTreeMap<String, String>,
    pub key: String,
    pub expires_in_seconds: u64,
}

/// Where the venue sites serve the documents bucket (the `/documents/*` cache behaviour).
pub const SITE_PREFIX: &str = "/documents";

/// A presigned S3 URL as the venue's site serves it: the same path (after the prefix) and
/// query string, relative to the site. In AWS the bucket's virtual-hosted URL
/// `https://{bucket}.s3.{region}.amazonaws.com/{key}?X-Amz-…` becomes `/documents/{key}?X-Amz-…`
/// and CloudFront strips the prefix; locally moto's path-style URL keeps the bucket in the path.
pub fn through_site(presigned: &str) -> Result<String, PortError> {
    let uri: http::Uri = presigned
        .parse()
        .map_err(|e| PortError::new("S3", format!("presigned URL: {e}")))?;
    let path_and_query = uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
    Ok(format!("{SITE_PREFIX}{path_and_query}"))
}

impl Documents {
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
        }
    }

    /// The key of a tenant's document: `{tenant}/{path}`.
    pub fn key(tenant: &TenantId, path: &str) -> String {
        format!("{tenant}/{path}")
    }

    /// A presigned PUT whose signature covers the content type and length, so the client
    /// can upload only what was checked.
    pub async fn presign_put(
        &self,
        key: &str,
        content_type: &str,
        content_length: i64,
        ttl: Duration,
    ) -> Result<Upload, PortError> {
        let config = PresigningConfig::expires_in(ttl).map_err(|e| PortError::new("S3", e))?;
        let request = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_length(content_length)
            .presigned(config)
            .await
            .map_err(|e| {
                PortError::transient(
                    "S3",
                    format!("presign: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
                )
            })?;
        let headers = request
            .headers()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        Ok(Upload {
            url: through_site(request.uri())?,
            method: "PUT",
            headers,
            key: key.to_owned(),
            expires_in_seconds: ttl.as_secs(),
        })
    }

    /// A presigned GET, relative to the venue's site (see [`through_site`]).
    pub async fn presign_get(&self, key: &str, ttl: Duration) -> Result<String, PortError> {
        let config = PresigningConfig::expires_in(ttl).map_err(|e| PortError::new("S3", e))?;
        let request = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(config)
            .await
            .map_err(|e| {
                PortError::transient(
                    "S3",
                    format!("presign: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
                )
            })?;
        through_site(request.uri())
    }

    /// An object's bytes, or `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, PortError> {
        let object = match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(object) => object,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => {
                return Err(PortError::transient(
                    "S3",
                    format!("get object: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
                ));
            }
        };
        let bytes = object
            .body
            .collect()
            .await
            .map_err(|e| PortError::transient("S3", format!("read object: {e}")))?;
        Ok(Some(bytes.into_bytes().to_vec()))
    }

    /// Whether an object exists (an upload finished).
    pub async fn exists(&self, key: &str) -> Result<bool, PortError> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) => Err(PortError::transient(
                "S3",
                format!("head object: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
            )),
        }
    }

    /// Stores a document the server made (ticket PDFs), private like everything here.
    pub async fn put(&self, key: &str, body: Vec<u8>, content_type: &str) -> Result<(), PortError> {
        self.client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(body.into())
            .send()
            .await
            .map_err(|e| {
                PortError::transient(
                    "S3",
                    format!("put object: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
                )
            })?;
        Ok(())
    }
}

/// An upload in parts under way (S3 multipart): parts are numbered from 1, and every part
/// but the last must be at least 5 MiB.
#[derive(Debug)]
pub struct PartsUpload {
    key: String,
    upload_id: String,
    parts: Vec<aws_sdk_s3::types::CompletedPart>,
}

fn s3_error(what: &str, e: impl std::error::Error + Send + Sync + 'static) -> PortError {
    PortError::transient(
        "S3",
        format!("{what}: {}", aws_sdk_s3::error::DisplayErrorContext(e)),
    )
}

impl PartsUpload {
    /// The document's key.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl Documents {
    /// Starts an upload in parts of a private document the server makes (large exports),
    /// tagged `tagging` (URL-encoded `key=value`, what lifecycle rules match).
    pub async fn start_parts(
        &self,
        key: &str,
        content_type: &str,
        content_disposition: &str,
        tagging: &str,
    ) -> Result<PartsUpload, PortError> {
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .content_disposition(content_disposition)
            .tagging(tagging)
            .send()
            .await
            .map_err(|e| s3_error("create multipart upload", e))?;
        let upload_id = out
            .upload_id
            .ok_or_else(|| PortError::new("S3", "create multipart upload: no upload id"))?;
        Ok(PartsUpload {
            key: key.to_owned(),
            upload_id,
            parts: Vec::new(),
        })
    }

    /// Sends the next part.
    pub async fn put_part(&self, upload: &mut PartsUpload, body: Vec<u8>) -> Result<(), PortError> {
        let number = i32::try_from(upload.parts.len() + 1)
            .map_err(|_| PortError::new("S3", "too many parts"))?;
        let out = self
            .client
            .upload_part()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .part_number(number)
            .body(body.into())
            .send()
            .await
            .map_err(|e| s3_error("upload part", e))?;
        upload.parts.push(
            aws_sdk_s3::types::CompletedPart::builder()
                .part_number(number)
                .set_e_tag(out.e_tag)
                .build(),
        );
        Ok(())
    }

    /// Puts the parts together into the document.
    pub async fn finish_parts(&self, upload: PartsUpload) -> Result<(), PortError> {
        self.client
            .complete_multipart_upload()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .multipart_upload(
                aws_sdk_s3::types::CompletedMultipartUpload::builder()
                    .set_parts(Some(upload.parts))
                    .build(),
            )
            .send()
            .await
            .map_err(|e| s3_error("complete multipart upload", e))?;
        Ok(())
    }

    /// Gives up an upload in parts (the bucket's lifecycle rule cleans up any that are left).
    pub async fn abort_parts(&self, upload: PartsUpload) -> Result<(), PortError> {
        self.client
            .abort_multipart_upload()
            .bucket(&self.bucket)
            .key(&upload.key)
            .upload_id(&upload.upload_id)
            .send()
            .await
            .map_err(|e| s3_error("abort multipart upload", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_virtual_hosted_url_is_served_under_the_prefix_with_its_signature() {
        let url = "https://docs-bucket.s3.eu-west-1.amazonaws.com/t_1/orders/o_2/tickets-3.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab%2Fcd";
        assert_eq!(
            through_site(url).unwrap(),
            "/documents/t_1/orders/o_2/tickets-3.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=ab%2Fcd"
        );
    }

    #[test]
    fn a_path_style_url_keeps_its_bucket_in_the_path() {
        assert_eq!(
            through_site("http://127.0.0.1:5000/local-docs/t_1/a.png?X-Amz-Expires=300").unwrap(),
            "/documents/local-docs/t_1/a.png?X-Amz-Expires=300"
        );
    }

    #[test]
    fn a_malformed_url_is_an_error() {
        assert!(through_site("not a url").is_err());
    }
}
