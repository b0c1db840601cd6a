//! Writes the OpenAPI documents the APIs serve (`/api/openapi.json`, `/admin/openapi.json`) to
//! `<out dir>/public.json` and `<out dir>/admin.json`, without running a server. The web app's
//! API types are generated from them (`npm --prefix web run gen:api`), and
//! `infra/local/check-api-types.sh` fails CI when the checked-in copies are out of date.
//!
//! `cargo run -q -p marquee-tests --bin openapi -- web/src/lib/api`

use anyhow::{Context, bail};
use serde_json::Value;
use std::path::Path;
use utoipa::OpenApi;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(out), None) = (args.next(), args.next()) else {
        bail!("usage: openapi <out dir>");
    };
    let out = Path::new(&out);
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    write(
        &out.join("public.json"),
        &public_api::PublicApiDoc::openapi(),
    )?;
    write(&out.join("admin.json"), &admin_api::AdminApiDoc::openapi())?;
    Ok(())
}

/// Pretty JSON with every object's keys sorted, so the file changes only when the API does.
fn write(path: &Path, doc: &utoipa::openapi::OpenApi) -> anyhow::Result<()> {
    let value = sorted(serde_json::to_value(doc)?);
    let mut text = serde_json::to_string_pretty(&value)?;
    text.push('\n');
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// The value with object keys in order, whichever map `serde_json` was built with.
fn sorted(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(String, Value)> = map.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sorted).collect()),
        other => other,
    }
}
