#![allow(clippy::unwrap_used)]

//! The mail flow's fault matrix: a crash — an error, a panic or a hang — before and after each
//! port call (lease, compose, send, record), then SQS redelivers until the job is delivered.
//! Every job is delivered; it is sent exactly once, except in the one window the design
//! admits (the transport accepted the message and its id was not recorded), which the test
//! counts and shows to be the only one.

use super::*;
use crate::fakes::FakeClock;
use crate::jobs::MailMessage;
use futures::FutureExt;
use marquee_domain::Email;
use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Crash {
    Error,
    Panic,
    Hang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Before,
    After,
}

/// One crash, at one step, once.
struct Plan {
    step: &'static str,
    when: When,
    crash: Crash,
    armed: AtomicBool,
}

impl Plan {
    fn new(step: &'static str, when: When, crash: Crash) -> Arc<Self> {
        Arc::new(Self {
            step,
            when,
            crash,
            armed: AtomicBool::new(true),
        })
    }

    async fn at(&self, step: &'static str, when: When) -> Result<(), PortError> {
        if step != self.step || when != self.when || !self.armed.swap(false, Ordering::SeqCst) {
            return Ok(());
        }
        match self.crash {
            Crash::Error => Err(PortError::new("fault", format!("injected at {step}"))),
            Crash::Panic => panic!("injected panic at {step}"),
            Crash::Hang => std::future::pending().await,
        }
    }
}

#[derive(Default)]
struct Record {
    lease_until: Option<DateTime<Utc>>,
    message_id: Option<String>,
}

struct Leases {
    plan: Arc<Plan>,
    records: Mutex<HashMap<String, Record>>,
}

#[async_trait]
impl MailLeases for Leases {
    async fn lease(
        &self,
        _tenant: &TenantId,
        job_id: &str,
        now: DateTime<Utc>,
        seconds: i64,
    ) -> Result<MailLease, PortError> {
        self.plan.at("lease", When::Before).await?;
        let lease = {
            let mut records = self.records.lock().unwrap();
            let record = records.entry(job_id.to_owned()).or_default();
            if let Some(message_id) = &record.message_id {
                MailLease::Sent {
                    message_id: message_id.clone(),
                }
            } else if record.lease_until.is_some_and(|until| until > now) {
                MailLease::Busy
            } else {
                record.lease_until = Some(now + chrono::Duration::seconds(seconds));
                MailLease::Acquired
            }
        };
        self.plan.at("lease", When::After).await?;
        Ok(lease)
    }

    async fn record_sent(
        &self,
        _tenant: &TenantId,
        job_id: &str,
        message_id: &str,
        _at: DateTime<Utc>,
    ) -> Result<(), PortError> {
        self.plan.at("record_sent", When::Before).await?;
        self.records
            .lock()
            .unwrap()
            .entry(job_id.to_owned())
            .or_default()
            .message_id = Some(message_id.to_owned());
        self.plan.at("record_sent", When::After).await
    }

    async fn end_lease(&self, _tenant: &TenantId, job_id: &str) -> Result<(), PortError> {
        self.plan.at("end_lease", When::Before).await?;
        if let Some(record) = self.records.lock().unwrap().get_mut(job_id) {
            record.lease_until = None;
        }
        self.plan.at("end_lease", When::After).await
    }
}

struct Composer {
    plan: Arc<Plan>,
}

#[async_trait]
impl MailComposer<String> for Composer {
    async fn compose(&self, job: &MailJob) -> Result<Option<String>, PortError> {
        self.plan.at("compose", When::Before).await?;
        let email = format!("the mail of {}", job.id);
        self.plan.at("compose", When::After).await?;
        Ok(Some(email))
    }
}

#[derive(Default)]
struct Transport {
    plan: Option<Arc<Plan>>,
    sent: AtomicUsize,
}

#[async_trait]
impl MailTransport<String> for Transport {
    async fn send(&self, _email: &String) -> Result<String, PortError> {
        let plan = self.plan.as_ref().unwrap();
        plan.at("send", When::Before).await?;
        let n = self.sent.fetch_add(1, Ordering::SeqCst);
        plan.at("send", When::After).await?;
        Ok(format!("ses-{n}"))
    }
}

fn job() -> MailJob {
    MailJob {
        id: "order-confirmation-1".into(),
        tenant: TenantId::generate(),
        message: MailMessage::PasswordReset {
            to: Email::parse("patron@example.org").unwrap(),
            venue_name: "The Hall".into(),
            code: "1234-5678".into(),
            reset_url: "https://hall.example/account/reset".into(),
        },
    }
}

struct Setup {
    delivery: MailDelivery<String>,
    transport: Arc<Transport>,
    clock: Arc<FakeClock>,
}

fn setup(plan: Arc<Plan>) -> Setup {
    let clock = Arc::new(FakeClock::at(Utc::now()));
    let transport = Arc::new(Transport {
        plan: Some(plan.clone()),
        sent: AtomicUsize::new(0),
    });
    let delivery = MailDelivery::new(
        Arc::new(Leases {
            plan: plan.clone(),
            records: Mutex::default(),
        }),
        Arc::new(Composer { plan }),
        transport.clone(),
        clock.clone(),
    );
    Setup {
        delivery,
        transport,
        clock,
    }
}

/// One delivery as the worker runs it: a panic or a hang (cut by the function's timeout) is
/// that delivery's failure, like an error.
async fn attempt(setup: &Setup, job: &MailJob) -> Option<Delivered> {
    let run = AssertUnwindSafe(setup.delivery.deliver(job)).catch_unwind();
    match tokio::time::timeout(std::time::Duration::from_millis(50), run).await {
        Ok(Ok(Ok(delivered))) => Some(delivered),
        _ => None,
    }
}

/// Delivers, then redelivers as SQS does (after the visibility timeout, 180 s) until done.
async fn deliver_until_done(setup: &Setup, job: &MailJob) -> (Delivered, usize) {
    let mut deliveries = 0;
    loop {
        deliveries += 1;
        if let Some(delivered) = attempt(setup, job).await {
            return (delivered, deliveries);
        }
        assert!(deliveries < 6, "never delivered");
        setup.clock.advance(chrono::Duration::seconds(180));
    }
}

#[tokio::test]
async fn a_mail_job_is_sent_once_however_it_crashes_except_in_the_one_window() {
    let steps = ["lease", "compose", "send", "record_sent"];
    let mut duplicates = Vec::new();
    let mut cases = 0;
    for step in steps {
        for when in [When::Before, When::After] {
            for crash in [Crash::Error, Crash::Panic, Crash::Hang] {
                cases += 1;
                let setup = setup(Plan::new(step, when, crash));
                let job = job();
                let (delivered, deliveries) = deliver_until_done(&setup, &job).await;
                assert!(
                    matches!(
                        delivered,
                        Delivered::Sent { .. } | Delivered::AlreadySent { .. }
                    ),
                    "{step} {when:?} {crash:?}: {delivered:?}"
                );
                let sent = setup.transport.sent.load(Ordering::SeqCst);
                assert!(
                    (1..=2).contains(&sent),
                    "{step} {when:?} {crash:?}: sent {sent}"
                );
                // A later duplicate delivery from SQS (at least once), after any lease ran out.
                setup
                    .clock
                    .advance(chrono::Duration::seconds(LEASE_SECONDS + 1));
                let later = attempt(&setup, &job).await;
                let total = setup.transport.sent.load(Ordering::SeqCst);
                if total == 1 {
                    assert!(
                        matches!(later, Some(Delivered::AlreadySent { .. })),
                        "{step} {when:?} {crash:?}: {later:?}"
                    );
                } else {
                    // The window: the transport accepted the message and its id was not
                    // recorded, so one more delivery sends it again (never a third time).
                    assert_eq!(total, 2, "{step} {when:?} {crash:?}: sent {total} times");
                    duplicates.push(format!("{step} {when:?} {crash:?}"));
                }
                assert!(
                    deliveries <= 3,
                    "{step} {when:?} {crash:?}: {deliveries} deliveries"
                );
            }
        }
    }
    assert_eq!(cases, 24);
    assert_eq!(
        duplicates,
        [
            "send After Error",
            "send After Panic",
            "send After Hang",
            "record_sent Before Error",
            "record_sent Before Panic",
            "record_sent Before Hang",
        ],
        "the only crashes that send twice are those between the transport and the record"
    );
}

#[tokio::test]
async fn a_second_delivery_waits_for_a_live_lease_and_takes_over_a_dead_one() {
    let setup = setup(Plan::new("compose", When::After, Crash::Hang));
    let job = job();
    // The first delivery hangs holding the lease (its function timed out).
    assert!(attempt(&setup, &job).await.is_none());
    // A redelivery within the lease waits: nothing is sent twice meanwhile.
    let busy = setup.delivery.deliver(&job).await.unwrap_err();
    assert!(matches!(busy, DeliveryError::Busy));
    // Once the lease ran out, the next delivery sends.
    setup
        .clock
        .advance(chrono::Duration::seconds(LEASE_SECONDS + 1));
    let delivered = setup.delivery.deliver(&job).await.unwrap();
    assert!(matches!(delivered, Delivered::Sent { .. }));
    assert_eq!(setup.transport.sent.load(Ordering::SeqCst), 1);
}
