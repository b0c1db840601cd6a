//! The double's stand-in for Stripe's hosted onboarding: the `url` of an account link.
//!
//! - `GET /_double/onboarding/{link}` shows a small page (no external assets) naming the
//!   account and its business, with two buttons: **Complete onboarding** and **Leave
//!   requirements due**.
//! - Pressing one POSTs the form back to the same URL, which applies that outcome to the
//!   account (an `account.updated` event) and answers 303 to the link's `return_url`.
//!
//! Links are single use, as Stripe's are: showing a link a second time, or after it expired,
//! or pressing a button on a spent one answers 303 to its `refresh_url`, where the platform
//! makes a new link. No key is needed: the link id is the secret, as with Stripe.

use axum::Extension;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;

use crate::accounts::{self, AccountLink, Onboarding};
use crate::api::RequestId;
use crate::payments::Ctx;
use crate::signature::unix_now;
use crate::store::Store;
use crate::{App, webhooks};

pub(crate) fn routes() -> Router<App> {
    Router::new().route(
        "/_double/onboarding/{link}",
        get(show_onboarding).post(finish_onboarding),
    )
}

/// The platform holding a link, and the link.
fn find_link<'a>(store: &'a mut Store, link_id: &str) -> Option<(String, &'a mut AccountLink)> {
    store
        .platforms
        .iter_mut()
        .find_map(|(platform_id, platform)| {
            platform
                .account_links
                .get_mut(link_id)
                .map(|link| (platform_id.clone(), link))
        })
}

async fn show_onboarding(State(app): State<App>, Path(link_id): Path<String>) -> Response {
    let now = unix_now();
    let mut store = app.lock();
    let Some((platform_id, link)) = find_link(&mut store, &link_id) else {
        return not_found();
    };
    if link.visited || link.completed || link.expired(now) {
        return Redirect::to(&link.refresh_url).into_response();
    }
    link.visited = true;
    let account_id = link.account.clone();
    let business = store
        .platforms
        .get(&platform_id)
        .and_then(|platform| platform.connected.get(&account_id))
        .and_then(|connected| connected.profile.business_name.clone());
    Html(page(&link_id, &account_id, business.as_deref())).into_response()
}

async fn finish_onboarding(
    State(app): State<App>,
    Extension(request_id): Extension<RequestId>,
    Path(link_id): Path<String>,
    body: Bytes,
) -> Response {
    let outcome = form_urlencoded::parse(&body)
        .find(|(name, _)| name == "outcome")
        .and_then(|(_, value)| Onboarding::parse_outcome(&value));
    let now = unix_now();
    let mut store = app.lock();
    let Some((platform_id, link)) = find_link(&mut store, &link_id) else {
        return not_found();
    };
    if link.completed || link.expired(now) {
        return Redirect::to(&link.refresh_url).into_response();
    }
    let Some(outcome) = outcome else {
        return (
            StatusCode::BAD_REQUEST,
            "outcome must be complete or requirements_due",
        )
            .into_response();
    };
    link.completed = true;
    let return_url = link.return_url.clone();
    let account_id = link.account.clone();
    let ctx = Ctx::control(&app, request_id.0, &platform_id);
    if let Some(connected) = store
        .platform_mut(&platform_id)
        .connected
        .get_mut(&account_id)
    {
        accounts::set_onboarding(connected, outcome, &ctx);
    }
    webhooks::publish(&app, &mut store, &platform_id);
    Redirect::to(&return_url).into_response()
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(CONTENT_TYPE, "text/plain; charset=utf-8")],
        "This onboarding link does not exist.",
    )
        .into_response()
}

fn page(link_id: &str, account_id: &str, business: Option<&str>) -> String {
    let business = escape(business.unwrap_or("your business"));
    let account_id = escape(account_id);
    let action = format!("/_double/onboarding/{}", escape(link_id));
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Stripe onboarding (test double)</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; padding: 0 1rem; color: #1a1f36; }}
.note {{ color: #697386; font-size: 0.9rem; }}
button {{ display: block; width: 100%; margin: 0.75rem 0; padding: 0.75rem; font-size: 1rem; border-radius: 6px; border: 1px solid #635bff; cursor: pointer; }}
button[value="complete"] {{ background: #635bff; color: #fff; }}
button[value="requirements_due"] {{ background: #fff; color: #635bff; }}
</style>
</head>
<body>
<h1>Set up payments for {business}</h1>
<p>Connected account <code>{account_id}</code></p>
<p class="note">This is the local Stripe test double standing in for Stripe's hosted onboarding. Choose how onboarding ends.</p>
<form method="post" action="{action}">
<button type="submit" name="outcome" value="complete">Complete onboarding</button>
<button type="submit" name="outcome" value="requirements_due">Leave requirements due</button>
</form>
</body>
</html>
"#
    )
}

/// Text as HTML: business names are user input.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_escapes_the_business_name_and_has_both_buttons() {
        let html = page("link1", "acct_1", Some("<Roxy> & \"Co\""));
        assert!(html.contains("&lt;Roxy&gt; &amp; &quot;Co&quot;"));
        assert!(html.contains(">Complete onboarding</button>"));
        assert!(html.contains(">Leave requirements due</button>"));
        assert!(!html.contains("http"));
    }
}
