//! Patron accounts: register, log in, reset a password with the code from the local mail,
//! orders filed under the account, and tokens that only work for patrons of their own venue.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::json;
use std::time::Duration;

const PASSWORD: &str = "a long patron passphrase";

#[tokio::test]
async fn a_patron_registers_logs_in_and_finds_their_orders() {
    let app = spawn_app().await;
    let show = app.grid_show(1, 6, 600).await;
    let host = &show.venue.host;
    let registered = app
        .post(
            host,
            "/api/v1/account/register",
            None,
            json!({ "email": "fan@example.org", "name": "Fan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.body
    );
    let again = app
        .post(
            host,
            "/api/v1/account/register",
            None,
            json!({ "email": "FAN@example.org", "name": "Fan", "password": PASSWORD }),
        )
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    let weak = app
        .post(
            host,
            "/api/v1/account/register",
            None,
            json!({ "email": "weak@example.org", "name": "W", "password": "short" }),
        )
        .await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak.body["error"]["details"]["field"], "password");

    let wrong = app
        .post(
            host,
            "/api/v1/account/login",
            None,
            json!({ "email": "fan@example.org", "password": "not the passphrase" }),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let login = app
        .post(
            host,
            "/api/v1/account/login",
            None,
            json!({ "email": "fan@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let token = login.body["token"].as_str().unwrap().to_owned();

    // A checkout while logged in is filed under the account.
    let cart = app.new_cart(host).await;
    app.hold_seats(&show, &cart, &[&show.seats[0][0]]).await;
    let hold = app.cart(host, &cart).await.body["items"][0]["holdId"].clone();
    let checkout = app
        .http
        .post(app.url(&format!("/api/v1/carts/{}/checkout", cart.0)))
        .header("host", host)
        .header("x-cart-token", &cart.1)
        .bearer_auth(&token)
        .json(&json!({ "email": "fan@example.org", "name": "Fan", "tickets": [{ "holdId": hold, "priceType": "adult" }] }))
        .send()
        .await
        .unwrap();
    assert_eq!(checkout.status(), StatusCode::CREATED);
    let checkout: serde_json::Value = checkout.json().await.unwrap();
    let mine = app.get(host, "/api/v1/account/orders", Some(&token)).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["orders"][0]["id"], checkout["orderId"]);
    // The account's token opens the order without the order token.
    let path = format!("/api/v1/orders/{}", checkout["orderId"].as_str().unwrap());
    let order = app.get(host, &path, Some(&token)).await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.body);

    // Another patron's token does not.
    let other = app
        .post(
            host,
            "/api/v1/account/register",
            None,
            json!({ "email": "other@example.org", "name": "O", "password": PASSWORD }),
        )
        .await;
    let other_token = other.body["token"].as_str().unwrap();
    assert_eq!(
        app.get(host, &path, Some(other_token)).await.status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(host, "/api/v1/account/orders", Some(other_token))
            .await
            .body["orders"],
        json!([])
    );

    // A patron token is not a staff token, and not valid at another venue.
    assert_eq!(
        app.get(host, "/admin/v1/orders", Some(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(host, "/api/v1/account/orders", Some(&show.token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let elsewhere = app.create_venue().await;
    assert_eq!(
        app.get(&elsewhere.host, "/api/v1/account/orders", Some(&token))
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get(host, "/api/v1/account/orders", None).await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_forgotten_password_is_reset_with_the_code_from_the_email() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let host = &venue.host;
    let registered = app
        .post(
            host,
            "/api/v1/account/register",
            None,
            json!({ "email": "forgetful@example.org", "name": "F", "password": PASSWORD }),
        )
        .await;
    let earlier_session = registered.body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        app.get(host, "/api/v1/account/orders", Some(&earlier_session))
            .await
            .status,
        StatusCode::OK
    );
    // Unknown accounts get the same answer, and no mail.
    let unknown = app
        .post(
            host,
            "/api/v1/account/password-reset",
            None,
            json!({ "email": "nobody@example.org" }),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::ACCEPTED);
    let asked = app
        .post(
            host,
            "/api/v1/account/password-reset",
            None,
            json!({ "email": "forgetful@example.org" }),
        )
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    let mail = app
        .wait_for_mail("forgetful@example.org", Duration::from_secs(20))
        .await;
    // The code looks like 4821-0937.
    let chars: Vec<char> = mail.body.chars().collect();
    let code: String = chars
        .windows(9)
        .find(|w| {
            w.iter().enumerate().all(|(i, c)| {
                if i == 4 {
                    *c == '-'
                } else {
                    c.is_ascii_digit()
                }
            })
        })
        .expect("the mail carries the code")
        .iter()
        .collect();
    assert!(app.mail_to("nobody@example.org").await.is_empty());

    let new_password = "an entirely new passphrase";
    let wrong = app
        .post(host, "/api/v1/account/password-reset/confirm", None, json!({ "email": "forgetful@example.org", "code": "0000-0000", "password": new_password }))
        .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert_eq!(wrong.body["error"]["code"], "invalid_code");
    let reset = app
        .post(
            host,
            "/api/v1/account/password-reset/confirm",
            None,
            json!({ "email": "forgetful@example.org", "code": code, "password": new_password }),
        )
        .await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    // The reset ends every earlier session (someone who knew the old password is out); the
    // token it answers with works.
    let ended = app
        .get(host, "/api/v1/account/orders", Some(&earlier_session))
        .await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED, "{}", ended.body);
    let fresh = reset.body["token"].as_str().unwrap();
    assert_eq!(
        app.get(host, "/api/v1/account/orders", Some(fresh))
            .await
            .status,
        StatusCode::OK
    );
    let reused = app
        .post(host, "/api/v1/account/password-reset/confirm", None, json!({ "email": "forgetful@example.org", "code": code, "password": "yet another passphrase" }))
        .await;
    assert_eq!(reused.status, StatusCode::BAD_REQUEST, "a code works once");
    let old = app
        .post(
            host,
            "/api/v1/account/login",
            None,
            json!({ "email": "forgetful@example.org", "password": PASSWORD }),
        )
        .await;
    assert_eq!(old.status, StatusCode::UNAUTHORIZED);
    let new = app
        .post(
            host,
            "/api/v1/account/login",
            None,
            json!({ "email": "forgetful@example.org", "password": new_password }),
        )
        .await;
    assert_eq!(new.status, StatusCode::OK);
}
