//! The SQS worker path through the devserver's poller: batches, partial failures, redrive
//! to the dead-letter queue, and at-most-once sending on redelivery.

use crate::helpers::{spawn_app, unique};
use marquee_domain::{Email, Role, TenantId};
use marquee_platform::mail::{MailJob, MailMessage};
use marquee_platform::resources::MAIL_QUEUE;
use std::time::{Duration, Instant};

fn invitation(tenant: &TenantId, to: &str) -> MailJob {
    MailJob::new(
        tenant.clone(),
        MailMessage::StaffInvitation {
            to: Email::parse(to).unwrap(),
            venue_name: "Worker Hall".into(),
            role: Role::Scanner,
            accept_url: "http://worker.localhost/admin/accept-invite?code=ab12".into(),
            code: "ab12".into(),
        },
    )
}

#[tokio::test]
async fn an_invitation_reaches_the_local_ses_with_its_link() {
    let app = spawn_app().await;
    let venue = app.create_venue().await;
    let token = app.login_owner(&venue).await;
    let email = format!("usher@{}.example.org", venue.slug);
    let body = serde_json::json!({ "email": email, "name": "Usher", "role": "scanner" });
    assert_eq!(
        app.post(&venue.host, "/admin/v1/staff", Some(&token), body)
            .await
            .status,
        reqwest::StatusCode::CREATED
    );
    let mail = app.wait_for_mail(&email, Duration::from_secs(20)).await;
    assert!(
        mail.subject.contains(&format!("Venue {}", venue.slug)),
        "{}",
        mail.subject
    );
    assert!(
        mail.source.contains(devserver::LOCAL_SENDER_DOMAIN),
        "{}",
        mail.source
    );
    assert!(
        mail.body.contains(&format!(
            "http://{}:{}/admin/accept-invite",
            venue.host,
            app.server.addr.port()
        )),
        "{}",
        mail.body
    );
    // The devserver's mail page lists it.
    let page = app
        .http
        .get(app.url("/_dev/mail"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&email));
}

#[tokio::test]
async fn a_poison_job_lands_in_the_dead_letter_queue_without_blocking_the_batch() {
    let app = spawn_app().await;
    let queue = app.server.resources.queue(&MAIL_QUEUE).unwrap().clone();
    let tenant = TenantId::generate();
    let to = format!("{}@example.org", unique("good"));
    let poison = format!(
        "{{\"not\": \"a mail job\", \"marker\": \"{}\"}}",
        unique("p")
    );
    app.server
        .sqs
        .send_message()
        .queue_url(&queue.url)
        .message_body(&poison)
        .send()
        .await
        .unwrap();
    let good = serde_json::to_string(&invitation(&tenant, &to)).unwrap();
    app.server
        .sqs
        .send_message()
        .queue_url(&queue.url)
        .message_body(good)
        .send()
        .await
        .unwrap();

    // The good job is sent at once, although its neighbour keeps failing.
    app.wait_for_mail(&to, Duration::from_secs(10)).await;

    // After the queue's receive limit (5), the poison job moves to the dead-letter queue.
    let start = Instant::now();
    let dead = loop {
        let out = app
            .server
            .sqs
            .receive_message()
            .queue_url(&queue.dead_letter_url)
            .wait_time_seconds(1)
            .message_system_attribute_names(
                aws_sdk_sqs::types::MessageSystemAttributeName::ApproximateReceiveCount,
            )
            .send()
            .await
            .unwrap();
        if let Some(message) = out.messages.unwrap_or_default().into_iter().next() {
            break message;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the poison job never reached the dead-letter queue"
        );
    };
    assert_eq!(dead.body.as_deref(), Some(poison.as_str()));
    assert_eq!(
        app.mail_to(&to).await.len(),
        1,
        "the good job was sent exactly once"
    );
}

#[tokio::test]
async fn a_redelivered_job_is_sent_once() {
    let app = spawn_app().await;
    let queue = app.server.resources.queue(&MAIL_QUEUE).unwrap().clone();
    let to = format!("{}@example.org", unique("once"));
    let job = serde_json::to_string(&invitation(&TenantId::generate(), &to)).unwrap();
    for _ in 0..3 {
        app.server
            .sqs
            .send_message()
            .queue_url(&queue.url)
            .message_body(&job)
            .send()
            .await
            .unwrap();
    }
    app.wait_for_mail(&to, Duration::from_secs(10)).await;
    // Give the other two deliveries time to be processed, then count.
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(4) {
        let visible = app
            .server
            .sqs
            .get_queue_attributes()
            .queue_url(&queue.url)
            .attribute_names(aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessages)
            .attribute_names(
                aws_sdk_sqs::types::QueueAttributeName::ApproximateNumberOfMessagesNotVisible,
            )
            .send()
            .await
            .unwrap();
        let attrs = visible.attributes.unwrap_or_default();
        let pending: u32 = attrs.values().filter_map(|v| v.parse::<u32>().ok()).sum();
        if pending == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(app.mail_to(&to).await.len(), 1);
}

#[tokio::test]
async fn a_mail_lease_runs_out_instead_of_needing_to_be_given_back() {
    use marquee_store::MailLease;
    let app = spawn_app().await;
    let store = &app.server.store;
    let tenant = TenantId::generate();
    let job = unique("job");
    let now = chrono::Utc::now();
    let lease = |at| store.lease_mail_job(&tenant, &job, at, 120);
    assert_eq!(lease(now).await.unwrap(), MailLease::Acquired);
    // A second delivery while the first is sending waits.
    assert_eq!(
        lease(now + chrono::Duration::seconds(30)).await.unwrap(),
        MailLease::Busy
    );
    // The first delivery crashed without giving anything back: its lease runs out and the
    // next delivery sends.
    let later = now + chrono::Duration::seconds(121);
    assert_eq!(lease(later).await.unwrap(), MailLease::Acquired);
    store
        .record_mail_sent(&tenant, &job, "ses-message-1", later)
        .await
        .unwrap();
    // Once SES's message id is recorded, no delivery sends again, lease or not.
    for at in [later, later + chrono::Duration::seconds(600)] {
        assert_eq!(
            lease(at).await.unwrap(),
            MailLease::Sent {
                message_id: "ses-message-1".into()
            }
        );
    }
    // Ending a lease early (after a failed send) lets the retry go at once.
    let other = unique("job");
    assert_eq!(
        store
            .lease_mail_job(&tenant, &other, now, 120)
            .await
            .unwrap(),
        MailLease::Acquired
    );
    store.end_mail_lease(&tenant, &other).await.unwrap();
    assert_eq!(
        store
            .lease_mail_job(&tenant, &other, now, 120)
            .await
            .unwrap(),
        MailLease::Acquired
    );
}
