//! Mail templates, rendered in Rust. Everything a user typed is HTML-escaped.

use marquee_platform::mail::{MailMessage, OutgoingEmail};

/// Renders a message that carries everything it shows; `None` for order mail, which reads
/// the order first (see `orders`).
pub fn render(message: &MailMessage) -> Option<OutgoingEmail> {
    match message {
        MailMessage::StaffInvitation {
            to,
            venue_name,
            role,
            accept_url,
            code,
        } => {
            let role = role.as_str().replace('_', " ");
            let text = format!(
                "You have been invited to join {venue_name} on Marquee as {role}.\n\n\
                 Set your password here: {accept_url}\n\
                 Or open the invitation page from the staff login page and enter this code: {code}\n\n\
                 The invitation is valid for 7 days. If you did not expect it, ignore this email.\n"
            );
            let html = format!(
                "<!doctype html><html><body style=\"font-family:sans-serif\">\
                 <h1>Join {venue}</h1>\
                 <p>You have been invited to join <strong>{venue}</strong> on Marquee as <strong>{role}</strong>.</p>\
                 <p><a href=\"{url}\">Set your password</a></p>\
                 <p>Or open the invitation page from the staff login page and enter this code: <code>{code}</code></p>\
                 <p style=\"color:#666\">The invitation is valid for 7 days. If you did not expect it, ignore this email.</p>\
                 </body></html>",
                venue = escape_html(venue_name),
                role = escape_html(&role),
                url = escape_html(accept_url),
                code = escape_html(code),
            );
            Some(OutgoingEmail {
                from_name: format!("{venue_name} via Marquee"),
                reply_to: None,
                to: to.clone(),
                subject: format!("You're invited to {venue_name}"),
                text,
                html,
                attachments: Vec::new(),
            })
        }
        MailMessage::PasswordReset {
            to,
            venue_name,
            code,
            reset_url,
        } => {
            let text = format!(
                "Someone (we hope you) asked to reset the password of your {venue_name} account.\n\n\
                 Your code: {code}\n\nEnter it here within 30 minutes: {reset_url}\n\n\
                 If you did not ask, ignore this email: your password stays as it is.\n"
            );
            let html = format!(
                "<!doctype html><html><body style=\"font-family:sans-serif\">\
                 <h1>Reset your password</h1>\
                 <p>Someone (we hope you) asked to reset the password of your <strong>{venue}</strong> account.</p>\
                 <p>Your code: <code style=\"font-size:1.4em\">{code}</code></p>\
                 <p><a href=\"{url}\">Enter it within 30 minutes</a></p>\
                 <p style=\"color:#666\">If you did not ask, ignore this email: your password stays as it is.</p>\
                 </body></html>",
                venue = escape_html(venue_name),
                code = escape_html(code),
                url = escape_html(reset_url),
            );
            Some(OutgoingEmail {
                from_name: venue_name.clone(),
                reply_to: None,
                to: to.clone(),
                subject: format!("Your password reset code for {venue_name}"),
                text,
                html,
                attachments: Vec::new(),
            })
        }
        MailMessage::OrderConfirmation { .. }
        | MailMessage::OrderRefunded { .. }
        | MailMessage::TicketsPosted { .. }
        | MailMessage::PrintLetter { .. }
        | MailMessage::PaymentLink { .. }
        | MailMessage::PerformanceMoved { .. } => None,
    }
}

pub fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use marquee_domain::{Email, Role};

    #[test]
    fn invitation_escapes_the_venue_name() {
        let mail = render(&MailMessage::StaffInvitation {
            to: Email::parse("new@example.org").unwrap(),
            venue_name: "<script>alert(1)</script> & Co".into(),
            role: Role::BoxOffice,
            accept_url: "https://demo.example/admin/accept-invite?code=abc".into(),
            code: "abc".into(),
        })
        .expect("an invitation renders by itself");
        assert!(!mail.html.contains("<script>"));
        assert!(
            mail.html
                .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co")
        );
        assert!(mail.text.contains("box office"));
        assert!(mail.html.contains("?code=abc"));
    }
}
