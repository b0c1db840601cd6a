//! The local stand-in for API Gateway and the Lambda triggers. It mounts every HTTP
//! function's `router()` the way API Gateway routes them (by path prefix, `Host` passed
//! through), polls the local SQS queues and invokes the worker handlers with Lambda's batch
//! and partial-failure semantics, tails the table's stream for the `seat-events` worker and
//! serves the live seat map WebSocket at `/live`, shows mail sent through (moto's) SES at
//! `/_dev/mail` (on the `localhost` host only), runs reconciliation on a timer (the `reconcile`
//! function's schedule), adds the security headers CloudFront adds in
//! AWS ([`security_headers`]), and can seed the demo venue. The integration tests start it
//! in-process on a free port.

pub mod documents;
mod live;
mod mailbox;
mod poller;
pub mod security_headers;
pub mod seed;
mod stream;

use anyhow::Context;
use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderMap, StatusCode, header, uri::Authority};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use marquee_domain::Hostname;
use marquee_platform::aws::{self, Endpoints};
use marquee_platform::config::DomainSettings;
use marquee_platform::documents::Documents;

use marquee_platform::mail::{MailQueue, SesMailer};
use marquee_platform::payments::StripeSettings;
use marquee_platform::resources::{self, MAIL_QUEUE, ProvisionOptions, Provisioned};
use marquee_platform::{Config, Secret, Stage, services};
use marquee_store::Store;
use security_headers::{LocalOrigins, SecurityHeaders};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::task::JoinHandle;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

pub use mailbox::{SentAttachment, SentMail, sent_mail};
pub use poller::{BatchHandler, poll_queue};

/// Local-only credentials, printed by `make dev` and written in the README. They exist only
/// in the local stage; deployed stacks read their secrets from Secrets Manager.
pub const LOCAL_PLATFORM_KEY: &str = "local-platform-key";
pub const DEMO_SLUG: &str = "demo";
pub const DEMO_OWNER_EMAIL: &str = "owner@demo.localhost";
pub const DEMO_OWNER_PASSWORD: &str = "demo-owner-password";
const LOCAL_JWT_SECRET: &str = "local-only-jwt-secret-not-for-deployment-0123456789";
pub const LOCAL_SENDER_DOMAIN: &str = "mail.marquee.localhost";
/// What the local Lob double signs webhooks with (tests sign theirs with it too).
pub const LOCAL_LOB_WEBHOOK_SECRET: &str = "local-only-lob-webhook-secret";

#[derive(Debug, Clone)]
pub struct DevOptions {
    /// 0 picks a free port.
    pub port: u16,
    pub endpoints: Endpoints,
    /// Resource name prefix (table, queues, bucket).
    pub prefix: String,
    /// Run the SQS pollers that invoke the workers.
    pub workers: bool,
    /// Visibility timeout for the local queues (seconds): how soon a failed job returns.
    pub visibility_timeout: u32,
    /// The built web app (`web/dist`), served for every path that is not an API.
    pub web_dist: PathBuf,
    /// The local Stripe double; `None`: no card payments (free orders only).
    pub stripe: Option<LocalStripe>,
    /// How long checkout keeps the seats for the payment (tests shorten it).
    pub payment_window_seconds: u32,
    /// A CJK font to put in the documents bucket for the tickets (what the deploy uploads in
    /// AWS); `None` leaves it out (CJK text on tickets prints as boxes).
    pub cjk_font: Option<PathBuf>,
    /// Play CloudFront: requests carrying this as `X-Origin-Secret` may name the client's
    /// address in `CloudFront-Viewer-Address` (tests of that rule); `None` in `make dev`.
    pub origin_secret: Option<String>,
    /// Watches every DynamoDB call of the devserver (the onsale bench counts them).
    pub dynamodb_interceptor: Option<aws_sdk_dynamodb::config::SharedInterceptor>,
    /// CSV reports larger than this go to the documents bucket and are answered with a
    /// redirect (tests lower it); `None`: `REPORT_INLINE_LIMIT_BYTES`, else 5 MB.
    pub report_inline_limit: Option<usize>,
}

/// The repository's Stripe double (`infra/stripe-double`) and the account to use on it. Each
/// secret key is its own account there, so every test can have its own.
#[derive(Debug, Clone)]
pub struct LocalStripe {
    pub url: String,
    pub secret_key: String,
    pub publishable_key: String,
    /// Register the devserver's webhook route with the double (as `stripe listen` would).
    /// `false` when another process receives the webhooks (the chaos test's).
    pub register_webhook: bool,
    /// Run reconciliation this often (the EventBridge schedule in AWS); `None`: never.
    pub reconcile_every: Option<std::time::Duration>,
}

impl LocalStripe {
    /// `MARQUEE_STRIPE_URL` and keys from the local stack (`infra/local/stack.sh`).
    pub fn from_env() -> Option<Self> {
        let url = std::env::var("MARQUEE_STRIPE_URL")
            .ok()
            .filter(|u| !u.is_empty())?;
        Some(Self {
            url,
            secret_key: std::env::var("MARQUEE_STRIPE_SECRET_KEY")
                .unwrap_or_else(|_| "sk_test_marquee_local".into()),
            publishable_key: std::env::var("MARQUEE_STRIPE_PUBLISHABLE_KEY")
                .unwrap_or_else(|_| "pk_test_marquee_local".into()),
            register_webhook: true,
            reconcile_every: std::env::var("MARQUEE_RECONCILE_EVERY_SECONDS")
                .ok()
                .and_then(|s| s.parse().ok())
                .filter(|s| *s > 0)
                .map(std::time::Duration::from_secs),
        })
    }
}

/// Which of Stripe's two webhook endpoints: the platform account's own events, or those of
/// venues' connected accounts (`connect=true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    Platform,
    Connect,
}

impl Endpoint {
    pub const ALL: [Endpoint; 2] = [Endpoint::Platform, Endpoint::Connect];

    /// The route Stripe posts this endpoint's events to (API Gateway's, in the template).
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Platform => "/api/v1/stripe/webhook",
            Endpoint::Connect => "/api/v1/stripe/connect-webhook",
        }
    }
}

/// How often the devserver runs the scheduled custom domain checks (EventBridge in AWS).
const DOMAIN_CHECK_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
const DOMAIN_CHECK_BATCH: usize = 50;
/// How often the devserver sweeps expired holds (every minute in AWS).
const SWEEP_EVERY: std::time::Duration = std::time::Duration::from_secs(2);
/// The multi-tenant distribution custom domains are tenants of, in the edge double.
const LOCAL_DISTRIBUTION_ID: &str = "EMARQUEELOCAL";

/// The edge double's connection group for this server (its routing endpoint is what venues
/// CNAME to) and the DNS server that answers for venues' domains locally.
async fn local_edge(
    cloudfront: &aws_sdk_cloudfront::Client,
    options: &DevOptions,
) -> anyhow::Result<(DomainSettings, String)> {
    let dns = options
        .endpoints
        .dns
        .as_deref()
        .context("MARQUEE_DNS_ADDR is not set: run inside the local stack (make dev, make test)")?
        .parse()
        .context("MARQUEE_DNS_ADDR is not an address")?;
    anyhow::ensure!(
        options.endpoints.edge.is_some(),
        "MARQUEE_EDGE_URL is not set: run inside the local stack (make dev, make test)"
    );
    let name = format!("marquee-{}", options.prefix);
    let group = match cloudfront
        .create_connection_group()
        .name(&name)
        .enabled(true)
        .send()
        .await
    {
        Ok(created) => created.connection_group().cloned(),
        // `make dev` restarted on the same stack: the group is there.
        Err(_) => cloudfront
            .get_connection_group()
            .identifier(&name)
            .send()
            .await
            .context("the edge double's connection group")?
            .connection_group()
            .cloned(),
    }
    .context("a connection group in the edge double's answer")?;
    let settings = DomainSettings {
        distribution_id: LOCAL_DISTRIBUTION_ID.into(),
        connection_group_id: group.id().context("connection group id")?.to_owned(),
        dns_servers: vec![dns],
    };
    let target = group
        .routing_endpoint()
        .context("connection group routing endpoint")?
        .to_owned();
    Ok((settings, target))
}

/// Registers the devserver's webhook route with the double (as `stripe listen` would) and
/// returns the signing secret the double will use.
async fn register_webhook(
    stripe: &LocalStripe,
    port: u16,
    endpoint: Endpoint,
) -> anyhow::Result<String> {
    #[derive(serde::Deserialize)]
    struct Registered {
        secret: String,
    }
    let path = endpoint.path();
    let connect = if endpoint == Endpoint::Connect {
        "true"
    } else {
        "false"
    };
    let endpoint: Registered = reqwest::Client::builder()
        .no_proxy()
        .build()?
        .post(format!("{}/v1/webhook_endpoints", stripe.url))
        .bearer_auth(&stripe.secret_key)
        .form(&[
            ("url", format!("http://127.0.0.1:{port}{path}")),
            ("enabled_events[]", "*".to_owned()),
            ("connect", connect.to_owned()),
        ])
        .send()
        .await
        .context("reaching the Stripe double")?
        .error_for_status()
        .context("registering the webhook endpoint with the Stripe double")?
        .json()
        .await?;
    Ok(endpoint.secret)
}

impl DevOptions {
    /// Debian's Noto Sans CJK (package `fonts-noto-cjk`, installed by `infra/local/install.sh`),
    /// if it is there.
    pub fn system_cjk_font() -> Option<PathBuf> {
        let path = PathBuf::from("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc");
        path.exists().then_some(path)
    }

    /// The repository's `web/dist`.
    pub fn default_web_dist() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/dist")
    }
}

/// A running devserver.
pub struct DevServer {
    pub addr: SocketAddr,
    pub config: Config,
    pub resources: Provisioned,
    pub store: Store,
    pub sqs: aws_sdk_sqs::Client,
    pub router: Router,
    tasks: Vec<JoinHandle<()>>,
    queue_gate: Arc<tokio::sync::RwLock<()>>,
}

impl DevServer {
    /// Stops the queue workers (mail, hold expiry) from taking messages until the guard is
    /// dropped; a round already under way finishes first. Lets a test observe the state the
    /// workers would otherwise clean up, whatever the machine's load.
    pub async fn pause_queue_workers(&self) -> tokio::sync::OwnedRwLockWriteGuard<()> {
        self.queue_gate.clone().write_owned().await
    }

    /// The base URL for a venue host, e.g. `http://demo.localhost:3000`.
    pub fn url_for(&self, host: &str) -> String {
        format!("http://{host}:{}", self.addr.port())
    }
}

impl Drop for DevServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

pub async fn start(options: DevOptions) -> anyhow::Result<DevServer> {
    // Before any HTTP client is built (see marquee_platform::tls).
    marquee_platform::tls::install_crypto_provider();
    let sdk = aws::sdk_config().await;
    let mut dynamodb = aws::dynamodb(&sdk, &options.endpoints);
    if let Some(interceptor) = &options.dynamodb_interceptor {
        let config = dynamodb
            .config()
            .to_builder()
            .interceptor(interceptor.clone())
            .build();
        dynamodb = aws_sdk_dynamodb::Client::from_conf(config);
    }
    let sqs = aws::sqs(&sdk, &options.endpoints);
    let sesv2 = aws::sesv2(&sdk, &options.endpoints);
    let s3 = aws::s3(&sdk, &options.endpoints);
    let provisioned = resources::provision(
        &dynamodb,
        &sqs,
        &s3,
        &sesv2,
        &ProvisionOptions {
            prefix: options.prefix.clone(),
            sender_domain: LOCAL_SENDER_DOMAIN.into(),
            visibility_timeout_override: Some(options.visibility_timeout),
        },
    )
    .await
    .context("creating the local resources")?;

    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
        .await
        .context("binding the devserver port")?;
    let addr = listener.local_addr()?;
    let mail_queue = provisioned.queue(&MAIL_QUEUE)?.clone();
    let cloudfront = aws::cloudfront(&sdk, &options.endpoints);
    let (domain_settings, cname_target) = local_edge(&cloudfront, &options).await?;
    let stripe = match &options.stripe {
        Some(local) => Some(StripeSettings {
            secret_key: Secret::new(local.secret_key.clone()),
            publishable_key: local.publishable_key.clone(),
            webhook_secret: Secret::new(if local.register_webhook {
                register_webhook(local, addr.port(), Endpoint::Platform).await?
            } else {
                String::new()
            }),
            connect_webhook_secret: Secret::new(if local.register_webhook {
                register_webhook(local, addr.port(), Endpoint::Connect).await?
            } else {
                String::new()
            }),
            api_base: Some(local.url.clone()),
            local: true,
        }),
        None => None,
    };
    let config = Config {
        stage: Stage::Local,
        table_name: provisioned.table_name.clone(),
        mail_queue_url: mail_queue.url.clone(),
        hold_expiry_queue_url: provisioned
            .queue(&resources::HOLD_EXPIRY_QUEUE)?
            .url
            .clone(),
        documents_bucket: provisioned.documents_bucket.clone(),
        platform_domain: local_platform_domain(),
        cname_target,
        mail_sender_domain: LOCAL_SENDER_DOMAIN.into(),
        public_url_template: format!("http://{{host}}:{}", addr.port()),
        jwt_secret: Secret::new(LOCAL_JWT_SECRET),
        platform_key: Secret::new(LOCAL_PLATFORM_KEY),
        stripe,
        live_url: Some(format!("ws://{{host}}:{}/live", addr.port())),
        payment_window_seconds: options.payment_window_seconds,
        // Locally the client's address comes from X-Forwarded-For (Stage::Local), or from
        // CloudFront-Viewer-Address with the origin secret when a test plays CloudFront.
        origin_secret: options.origin_secret.clone().map(Secret::new),
        lob_webhook_secret: Some(Secret::new(LOCAL_LOB_WEBHOOK_SECRET)),
        domains: Some(domain_settings.clone()),
    };
    let store = Store::new(dynamodb, &provisioned.table_name);
    let payments = config.payments()?;
    if let Some(font) = &options.cjk_font {
        seed_cjk_font(
            &Documents::new(s3.clone(), &provisioned.documents_bucket),
            font,
        )
        .await?;
    }

    let public = public_api::router(public_api::PublicState::new(
        config.clone(),
        store.clone(),
        Documents::new(s3.clone(), &provisioned.documents_bucket),
        payments.clone(),
        MailQueue::new(sqs.clone(), &mail_queue.url),
    ));
    store
        .migrate_legacy_domains(chrono::Utc::now())
        .await
        .context("moving custom domain claims to pending_dns")?;
    let custom_domains = services::custom_domains(&store, cloudfront, &domain_settings, &config)?;
    let admin = admin_api::router(
        admin_api::AdminState::new(
            config.clone(),
            store.clone(),
            MailQueue::new(sqs.clone(), &mail_queue.url),
            Documents::new(s3.clone(), &provisioned.documents_bucket),
            payments.clone(),
            custom_domains.clone(),
        )
        .with_report_inline_limit(match options.report_inline_limit {
            Some(bytes) => bytes,
            None => admin_api::exports::inline_limit_from_env()?,
        }),
    );
    let reconcile = options
        .stripe
        .as_ref()
        .and_then(|local| local.reconcile_every)
        .map(|every| {
            let state = reconcile::ReconcileState::new(
                &store,
                payments.clone(),
                MailQueue::new(sqs.clone(), &mail_queue.url),
                &config.public_url_template,
                reconcile::DEFAULT_LOOKBACK_DAYS,
            );
            (every, state)
        });
    let stripe_webhook = stripe_webhook::router(stripe_webhook::WebhookState::new(
        &config.public_url_template,
        store.clone(),
        payments,
        MailQueue::new(sqs.clone(), &mail_queue.url),
    ));
    let moto_url = options.endpoints.moto.clone().unwrap_or_default();
    let security_headers = SecurityHeaders::local(&LocalOrigins {
        port: addr.port(),
        stripe_double: options.stripe.as_ref().map(|stripe| stripe.url.clone()),
    })?;
    // API Gateway routes by path prefix and passes the path and Host through unchanged;
    // everything else is the web app (CloudFront + S3 in AWS), with the single-page app's
    // index.html for the paths it routes itself.
    let targets = Arc::new(Targets {
        public,
        admin,
        stripe_webhook,
        web: ServeDir::new(&options.web_dist)
            .fallback(ServeFile::new(options.web_dist.join("index.html"))),
        dev_pages: Router::new()
            .route("/_dev/mail", get(mailbox::mail_page))
            .with_state(Arc::new(mailbox::MailboxState {
                moto_url: moto_url.clone(),
                client: reqwest::Client::new(),
            })),
        documents: documents::DocumentsOrigin {
            client: reqwest::Client::builder().no_proxy().build()?,
            s3_url: moto_url,
        },
        security_headers,
    });
    let live_hub = live::LiveHub::default();
    let staff_check = ::live::StaffCheck::with_keys(
        marquee_platform::auth::JwtKeys::new(&Secret::new(LOCAL_JWT_SECRET)),
        store.clone(),
    );
    let live_state = ::live::LiveState::new(store.clone(), staff_check);
    let router = Router::new()
        .merge(live::routes(live_state, live_hub.clone()))
        .fallback(move |request: Request| dispatch(targets.clone(), request));

    let mut tasks = Vec::new();
    let app = router.clone();
    tasks.push(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "devserver stopped");
        }
    }));
    // The table's stream -> seat-events -> `/live` subscribers (Lambda + PostToConnection in AWS).
    tasks.push(
        stream::start_seat_events(
            aws::dynamodb_streams(&sdk, &options.endpoints),
            store.clone(),
            live_hub,
        )
        .await
        .context("tailing the table's stream")?,
    );
    // The EventBridge schedule of the `reconcile` function, locally.
    if let Some((every, state)) = reconcile {
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(every).await;
                // Failures are logged by the run; the next tick tries again.
                let _ = reconcile::reconcile_payments(&state).await;
            }
        }));
    }
    let queue_gate = Arc::new(tokio::sync::RwLock::new(()));
    // The EventBridge schedule of the `domain-checks` function, locally (more often).
    if options.workers {
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(DOMAIN_CHECK_EVERY).await;
                if let Err(e) = custom_domains.check_due(DOMAIN_CHECK_BATCH).await {
                    tracing::warn!(error = ?e, "custom domain checks failed; next tick tries again");
                }
            }
        }));
    }
    if options.workers {
        let mailer_state = Arc::new(mailer::MailerState {
            store: store.clone(),
            ses: SesMailer::new(sesv2, LOCAL_SENDER_DOMAIN),
            // Locally the backoff starts at the (short) visibility timeout.
            keys: Default::default(),
            fonts: marquee_platform::tickets::TicketFonts::new(Documents::new(
                s3.clone(),
                &provisioned.documents_bucket,
            )),
            retry: Some(mailer::MailRetry {
                sqs: sqs.clone(),
                queue_url: mail_queue.url.clone(),
                base_seconds: options.visibility_timeout,
            }),
            // The local Lob double (`MARQUEE_LOB_URL`), as the Stripe double plays Stripe.
            letters: std::env::var("MARQUEE_LOB_URL")
                .ok()
                .filter(|url| !url.is_empty())
                .map(|url| mailer::Letters {
                    provider: Arc::new(marquee_platform::printmail::LobLetters::new(
                        url,
                        marquee_platform::config::Secret::new(
                            std::env::var("LOB_API_KEY")
                                .unwrap_or_else(|_| "test_marquee_local".into()),
                        ),
                    )),
                    queue: marquee_platform::mail::MailQueue::new(
                        sqs.clone(),
                        mail_queue.url.clone(),
                    ),
                    public_url_template: config.public_url_template.clone(),
                }),
        });
        let handler: BatchHandler = Arc::new(move |event| {
            let state = mailer_state.clone();
            Box::pin(async move { mailer::send_mail_batch(&state, event).await })
        });
        tasks.push(tokio::spawn(poll_queue(
            sqs.clone(),
            mail_queue.url.clone(),
            handler,
            queue_gate.clone(),
        )));
        let expiry_state = Arc::new(hold_expiry::ExpiryState::new(store.clone()));
        // The hold-expiry function's schedule (every minute in AWS), locally more often; the
        // queue gate pauses it with the pollers.
        let sweep_state = expiry_state.clone();
        let gate = queue_gate.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                tokio::time::sleep(SWEEP_EVERY).await;
                let _round = gate.read().await;
                if let Err(e) = hold_expiry::sweep(&sweep_state).await {
                    tracing::warn!(error = %e, "hold-expiry sweep failed; next tick tries again");
                }
            }
        }));
        let handler: BatchHandler = Arc::new(move |event| {
            let state = expiry_state.clone();
            Box::pin(async move { hold_expiry::release_expired_holds(&state, event).await })
        });
        tasks.push(tokio::spawn(poll_queue(
            sqs.clone(),
            config.hold_expiry_queue_url.clone(),
            handler,
            queue_gate.clone(),
        )));
    }
    Ok(DevServer {
        addr,
        config,
        resources: provisioned,
        store,
        sqs,
        router,
        tasks,
        queue_gate,
    })
}

/// Where a stand-alone webhook process (the chaos test's, which it kills and restarts)
/// finds the devserver's resources.
#[derive(Debug, Clone)]
pub struct WebhookOnly {
    pub port: u16,
    pub endpoints: Endpoints,
    pub table_name: String,
    pub mail_queue_url: String,
    pub public_url_template: String,
    pub stripe: StripeSettings,
}

/// Serves only the Stripe webhook routes on 127.0.0.1 until the process ends.
pub async fn serve_stripe_webhook(options: WebhookOnly) -> anyhow::Result<()> {
    let sdk = aws::sdk_config().await;
    let store = Store::new(aws::dynamodb(&sdk, &options.endpoints), &options.table_name);
    let mail = MailQueue::new(aws::sqs(&sdk, &options.endpoints), &options.mail_queue_url);
    let payments = marquee_platform::payments::Payments::new(options.stripe)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let router = stripe_webhook::router(stripe_webhook::WebhookState::new(
        &options.public_url_template,
        store,
        payments,
        mail,
    ));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", options.port))
        .await
        .context("binding the webhook port")?;
    axum::serve(listener, router)
        .await
        .context("serving the webhook")
}

/// What API Gateway and CloudFront would route to, and the devserver's own pages.
struct Targets {
    public: Router,
    admin: Router,
    stripe_webhook: Router,
    web: ServeDir<ServeFile>,
    /// `/_dev/…`, which exists only in the devserver.
    dev_pages: Router,
    /// The documents bucket, as CloudFront's `/documents/*` behaviour serves it.
    documents: documents::DocumentsOrigin,
    /// What CloudFront adds to every web app and API response.
    security_headers: SecurityHeaders,
}

/// Routes by path prefix, like API Gateway's `/api/{proxy+}` routes: no path parameters of
/// ours reach the function's router.
async fn dispatch(targets: Arc<Targets>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/_dev" || path.starts_with("/_dev/") {
        // Only on the devserver's own host: a venue's page ({slug}.localhost, another origin)
        // must not read the mailbox with its own origin's rights. Elsewhere it does not exist.
        if is_devserver_host(request.headers()) {
            return targets
                .dev_pages
                .clone()
                .oneshot(request)
                .await
                .into_response();
        }
        let mut not_found = StatusCode::NOT_FOUND.into_response();
        targets.security_headers.apply(not_found.headers_mut());
        return not_found;
    }
    // API Gateway prefers the most specific route: the webhook has its own function.
    let target = if Endpoint::ALL.iter().any(|endpoint| endpoint.path() == path) {
        Some(&targets.stripe_webhook)
    } else if path.starts_with("/api/") {
        Some(&targets.public)
    } else if path.starts_with("/admin/v1/")
        || path == "/admin/openapi.json"
        || path.starts_with("/platform/")
    {
        Some(&targets.admin)
    } else {
        None
    };
    let documents = path.starts_with(marquee_platform::documents::SITE_PREFIX)
        && path[marquee_platform::documents::SITE_PREFIX.len()..].starts_with('/');
    let mut response = match target {
        Some(router) => router.clone().oneshot(request).await.into_response(),
        None if documents => targets.documents.forward(request).await,
        None => targets.web.clone().oneshot(request).await.into_response(),
    };
    targets.security_headers.apply(response.headers_mut());
    response
}

/// Whether the request is for the devserver itself (`localhost`, `127.0.0.1` or `[::1]`,
/// with or without the port) rather than for a venue.
fn is_devserver_host(headers: &HeaderMap) -> bool {
    headers
        .get(header::HOST)
        .and_then(|host| host.to_str().ok())
        .and_then(|host| host.parse::<Authority>().ok())
        .is_some_and(|authority| {
            let host = authority.host();
            host.eq_ignore_ascii_case("localhost") || host == "127.0.0.1" || host == "[::1]"
        })
}

/// Locally every venue answers on `{slug}.localhost`, which browsers resolve to 127.0.0.1.
/// Puts the CJK font where the functions read it, unless it is there already.
async fn seed_cjk_font(documents: &Documents, font: &Path) -> anyhow::Result<()> {
    let key = marquee_platform::tickets::CJK_FONT_KEY;
    if documents.exists(key).await.map_err(anyhow::Error::from)? {
        return Ok(());
    }
    let bytes = tokio::fs::read(font)
        .await
        .with_context(|| format!("reading the CJK font {}", font.display()))?;
    documents
        .put(key, bytes, "font/collection")
        .await
        .map_err(anyhow::Error::from)
}

pub fn local_platform_domain() -> Hostname {
    Hostname::parse("localhost").unwrap_or_else(|_| unreachable!("'localhost' is a valid hostname"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Ok(value) = value.parse() {
            headers.insert(header::HOST, value);
        }
        headers
    }

    #[test]
    fn only_localhost_is_the_devserver_host() {
        for local in [
            "localhost",
            "localhost:3000",
            "LOCALHOST:3000",
            "127.0.0.1:3000",
            "127.0.0.1",
            "[::1]:3000",
        ] {
            assert!(is_devserver_host(&host(local)), "{local}");
        }
        for venue in [
            "demo.localhost",
            "demo.localhost:3000",
            "localhost.example.org",
            "127.0.0.2:3000",
            "",
        ] {
            assert!(!is_devserver_host(&host(venue)), "{venue}");
        }
        assert!(!is_devserver_host(&HeaderMap::new()));
    }
}
