//! The app's secrets from Secrets Manager (moto locally): nothing is fetched until the first
//! use, the fetched values are kept for the instance's life, a failed fetch is tried again,
//! and the configuration a function builds from them is the one it would build from the
//! environment.

use crate::helpers::unique;
use marquee_platform::aws::{self, Endpoints};
use marquee_platform::payments::StripeSettings;
use marquee_platform::secrets::Secrets;

const JWT: &str = "a jwt secret of at least thirty-two characters";

async fn client() -> aws_sdk_secretsmanager::Client {
    let endpoints = Endpoints::from_env();
    assert!(
        endpoints.moto.is_some(),
        "MARQUEE_MOTO_URL is not set: run the tests through `make test` (it starts the local stack)"
    );
    aws::secretsmanager(&aws::sdk_config().await, &endpoints)
}

async fn create(client: &aws_sdk_secretsmanager::Client, name: &str, value: serde_json::Value) {
    client
        .create_secret()
        .name(name)
        .secret_string(value.to_string())
        .send()
        .await
        .expect("moto creates the secret");
}

#[tokio::test]
async fn the_secret_is_fetched_on_first_use_and_kept() {
    let client = client().await;
    let name = unique("marquee/test");
    // Built before the secret exists: building makes no call.
    let secrets = Secrets::secrets_manager(client.clone(), &name);
    create(
        &client,
        &name,
        serde_json::json!({
            "jwtSecret": JWT,
            "platformKey": "the platform key",
            "stripeSecretKey": "sk_test_secret",
            "stripeWebhookSecret": "whsec_secret",
            "stripePublishableKey": "pk_test_key",
            "originSecret": "the origin secret",
        }),
    )
    .await;
    let first = secrets.get().await.expect("fetched");
    assert_eq!(first.jwt_secret.as_ref().unwrap().expose(), JWT);
    assert_eq!(
        first.origin_secret.as_ref().unwrap().expose(),
        "the origin secret"
    );

    // Changed in Secrets Manager: this instance keeps what it fetched; a new one sees it.
    client
        .put_secret_value()
        .secret_id(&name)
        .secret_string(serde_json::json!({ "jwtSecret": format!("{JWT}, rotated") }).to_string())
        .send()
        .await
        .unwrap();
    let again = secrets.get().await.unwrap();
    assert!(std::ptr::eq(first, again), "the same fetched copy");
    assert_eq!(again.jwt_secret.as_ref().unwrap().expose(), JWT);
    let fresh = Secrets::secrets_manager(client.clone(), &name);
    assert_eq!(
        fresh
            .get()
            .await
            .unwrap()
            .jwt_secret
            .as_ref()
            .unwrap()
            .expose(),
        format!("{JWT}, rotated")
    );
}

#[tokio::test]
async fn a_failed_fetch_is_tried_again_at_the_next_use() {
    let client = client().await;
    let name = unique("marquee/test");
    let secrets = Secrets::secrets_manager(client.clone(), &name);
    let error = secrets.get().await.expect_err("no such secret yet");
    assert!(error.to_string().contains("fetching the secret"), "{error}");
    create(&client, &name, serde_json::json!({ "jwtSecret": JWT })).await;
    assert_eq!(
        secrets
            .get()
            .await
            .unwrap()
            .jwt_secret
            .as_ref()
            .unwrap()
            .expose(),
        JWT
    );
}

#[tokio::test]
async fn stripe_takes_its_keys_from_the_fetched_secret() {
    let client = client().await;
    let name = unique("marquee/test");
    create(
        &client,
        &name,
        serde_json::json!({
            "jwtSecret": JWT,
            "stripeSecretKey": "sk_test_from_the_secret",
            "stripeWebhookSecret": "whsec_from_the_secret",
            "stripePublishableKey": "pk_test_from_the_secret",
        }),
    )
    .await;
    let secrets = Secrets::secrets_manager(client, &name);
    let stripe = StripeSettings::from_secrets(secrets.get().await.unwrap()).expect("Stripe");
    assert_eq!(stripe.secret_key.expose(), "sk_test_from_the_secret");
    assert_eq!(stripe.webhook_secret.expose(), "whsec_from_the_secret");
    assert_eq!(stripe.publishable_key, "pk_test_from_the_secret");
}

#[tokio::test]
async fn without_a_stripe_key_there_is_no_stripe() {
    let client = client().await;
    let name = unique("marquee/test");
    create(&client, &name, serde_json::json!({ "jwtSecret": JWT })).await;
    let secrets = Secrets::secrets_manager(client, &name);
    assert!(StripeSettings::from_secrets(secrets.get().await.unwrap()).is_none());
}
