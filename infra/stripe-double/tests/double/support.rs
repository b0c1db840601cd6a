//! Test helpers: a double per test (its own port, state and webhook receiver) and a webhook
//! receiver that records what it gets and can be told to fail.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use reqwest::header::HeaderMap as ReqwestHeaders;
use serde_json::Value;
use stripe_double::{Config, DoubleHandle, RetryPolicy, WebhookTarget};
use tokio::sync::Notify;

pub const SECRET_KEY: &str = "sk_test_marquee_double_tests";
pub const WEBHOOK_SECRET: &str = "whsec_double_tests_0123456789";
pub const CONNECT_WEBHOOK_SECRET: &str = "whsec_double_tests_connect_0123";

/// Retries fast enough for tests.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        first_backoff: Duration::from_millis(50),
        timeout: Duration::from_millis(300),
    }
}

pub struct TestDouble {
    pub url: String,
    pub http: reqwest::Client,
    pub key: String,
    pub receiver: Receiver,
    _handle: DoubleHandle,
}

pub struct Response {
    pub status: u16,
    pub headers: ReqwestHeaders,
    pub body: Value,
}

impl TestDouble {
    /// A double whose configured webhook URL is a fresh receiver.
    pub async fn spawn() -> Self {
        let receiver = Receiver::start().await;
        let config = Config {
            webhook: Some(WebhookTarget {
                url: receiver.url(),
                secret: WEBHOOK_SECRET.to_owned(),
            }),
            retry: quick_retries(),
            ..Config::default()
        };
        let (_, handle) = stripe_double::start(config).await.expect("double starts");
        Self {
            url: handle.url(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            key: SECRET_KEY.to_owned(),
            receiver,
            _handle: handle,
        }
    }

    /// A double whose configured webhook URL is a fresh receiver, and whose connected
    /// accounts' events go to a second one (returned; like `stripe listen
    /// --forward-connect-to`).
    pub async fn spawn_with_connect() -> (Self, Receiver) {
        let receiver = Receiver::start().await;
        let connect = Receiver::start().await;
        let config = Config {
            webhook: Some(WebhookTarget {
                url: receiver.url(),
                secret: WEBHOOK_SECRET.to_owned(),
            }),
            connect_webhook: Some(WebhookTarget {
                url: connect.url(),
                secret: CONNECT_WEBHOOK_SECRET.to_owned(),
            }),
            retry: quick_retries(),
            ..Config::default()
        };
        let (_, handle) = stripe_double::start(config).await.expect("double starts");
        let mut double = Self::wrapping(handle).await;
        double.receiver = receiver;
        (double, connect)
    }

    /// A double started with its own configuration (its receiver unused).
    pub async fn wrapping(handle: DoubleHandle) -> Self {
        Self {
            url: handle.url(),
            http: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("client"),
            key: SECRET_KEY.to_owned(),
            receiver: Receiver::start().await,
            _handle: handle,
        }
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.send(self.http.post(self.url(path)).form(form)).await
    }

    pub async fn post_idempotent(&self, path: &str, key: &str, form: &[(&str, &str)]) -> Response {
        self.send(
            self.http
                .post(self.url(path))
                .header("Idempotency-Key", key)
                .form(form),
        )
        .await
    }

    pub async fn post_json(&self, path: &str, body: Value) -> Response {
        self.send(self.http.post(self.url(path)).json(&body)).await
    }

    pub async fn get(&self, path: &str) -> Response {
        self.send(self.http.get(self.url(path))).await
    }

    /// A POST acting on a connected account (`Stripe-Account`).
    pub async fn post_as(&self, account: &str, path: &str, form: &[(&str, &str)]) -> Response {
        self.send(
            self.http
                .post(self.url(path))
                .header("Stripe-Account", account)
                .form(form),
        )
        .await
    }

    /// A GET acting on a connected account (`Stripe-Account`).
    pub async fn get_as(&self, account: &str, path: &str) -> Response {
        self.send(
            self.http
                .get(self.url(path))
                .header("Stripe-Account", account),
        )
        .await
    }

    /// A request made with another platform's secret key.
    pub async fn send_as_platform(&self, key: &str, request: reqwest::RequestBuilder) -> Response {
        let response = request
            .bearer_auth(key)
            .send()
            .await
            .expect("double answers");
        Self::read(response).await
    }

    /// A connected account made through the control, already in `outcome`.
    pub async fn connected_account(&self, business_name: &str, outcome: &str) -> String {
        let created = self
            .post_json(
                "/_double/accounts",
                serde_json::json!({ "businessName": business_name, "outcome": outcome }),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        id(&created.body).to_owned()
    }

    /// An intent on a connected account with an application fee, paid with `pm_card_visa`.
    pub async fn paid_direct_charge(&self, account: &str, amount: i64, fee: i64) -> Value {
        let amount = amount.to_string();
        let fee = fee.to_string();
        let paid = self
            .post_as(
                account,
                "/v1/payment_intents",
                &[
                    ("amount", amount.as_str()),
                    ("currency", "gbp"),
                    ("application_fee_amount", fee.as_str()),
                    ("payment_method", "pm_card_visa"),
                    ("confirm", "true"),
                ],
            )
            .await;
        assert_eq!(paid.status, 200, "{}", paid.body);
        paid.body
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> Response {
        let response = request
            .bearer_auth(&self.key)
            .send()
            .await
            .expect("double answers");
        Self::read(response).await
    }

    pub async fn read(response: reqwest::Response) -> Response {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Response {
            status,
            headers,
            body,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.url)
    }

    /// A new intent for `amount` pence, with a cart id in its metadata.
    pub async fn create_intent(&self, amount: i64) -> Value {
        let amount = amount.to_string();
        let created = self
            .post(
                "/v1/payment_intents",
                &[
                    ("amount", amount.as_str()),
                    ("currency", "gbp"),
                    ("metadata[cart_id]", "cart_1"),
                    ("automatic_payment_methods[enabled]", "true"),
                ],
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.body);
        created.body
    }

    /// An intent paid with `pm_card_visa`.
    pub async fn paid_intent(&self, amount: i64) -> Value {
        let intent = self.create_intent(amount).await;
        let confirmed = self
            .post(
                &format!("/v1/payment_intents/{}/confirm", id(&intent)),
                &[("payment_method", "pm_card_visa")],
            )
            .await;
        assert_eq!(confirmed.status, 200, "{}", confirmed.body);
        confirmed.body
    }

    /// The events the double recorded, as `/_double/events` lists them.
    pub async fn events(&self) -> Vec<Value> {
        let listed = self.get("/_double/events").await;
        assert_eq!(listed.status, 200, "{}", listed.body);
        listed.body["data"].as_array().cloned().unwrap_or_default()
    }
}

pub fn id(object: &Value) -> &str {
    object["id"].as_str().expect("object has an id")
}

/// One webhook request as the receiver got it.
#[derive(Clone, Debug)]
pub struct Received {
    pub signature: String,
    pub body: String,
    pub answered: u16,
}

impl Received {
    pub fn event(&self) -> Value {
        serde_json::from_str(&self.body).expect("event JSON")
    }
}

#[derive(Default)]
struct ReceiverState {
    received: Mutex<Vec<Received>>,
    /// Requests still to answer with 500.
    failures_left: AtomicUsize,
    arrived: Notify,
}

/// A local webhook endpoint.
#[derive(Clone)]
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<ReceiverState>,
}

impl Receiver {
    pub async fn start() -> Self {
        let state = Arc::new(ReceiverState::default());
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .expect("bind receiver");
        let addr = listener.local_addr().expect("receiver addr");
        let app = Router::new()
            .route("/webhook", post(receive))
            .with_state(state.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, state }
    }

    pub fn url(&self) -> String {
        format!("http://{}/webhook", self.addr)
    }

    /// The next `n` requests get a 500.
    pub fn fail_next(&self, n: usize) {
        self.state.failures_left.store(n, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Waits until at least `n` requests arrived (or panics after five seconds).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let notified = self.state.arrived.notified();
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "expected {n} webhook requests, got {}: {received:?}",
                received.len()
            );
            let _ = tokio::time::timeout(left, notified).await;
        }
    }
}

async fn receive(
    State(state): State<Arc<ReceiverState>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let fail = state
        .failures_left
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    let answered = if fail {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let signature = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    if let Ok(mut received) = state.received.lock() {
        received.push(Received {
            signature,
            body: String::from_utf8_lossy(&body).into_owned(),
            answered: answered.as_u16(),
        });
    }
    state.arrived.notify_waiters();
    answered
}
