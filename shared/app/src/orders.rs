//! Who may see an order: the holder of the order token checkout gave, or the patron account
//! it was filed under. Anyone else — another venue, a wrong token, another patron — is told
//! there is no such order.

use crate::ports::{OrderStore, PortError};
use crate::tokens::{secrets_match, sha256_hex};
use marquee_domain::records::{OrderRecord, TicketStatus};
use marquee_domain::{Email, OrderId, TenantId};
use std::sync::Arc;

/// How a reader proves the order is theirs.
#[derive(Debug, Clone)]
pub enum OrderAccess {
    /// The secret order token (a link in the confirmation, the order page).
    Token(String),
    /// The logged-in patron whose account placed it.
    Patron(Email),
}

#[derive(Debug, thiserror::Error)]
pub enum OrderError {
    #[error("no such order")]
    NotFound,
    #[error("the order has no valid tickets to print")]
    NoTickets,
    #[error(transparent)]
    Store(#[from] PortError),
}

pub struct Orders {
    store: Arc<dyn OrderStore>,
}

impl Orders {
    pub fn new(store: Arc<dyn OrderStore>) -> Self {
        Self { store }
    }

    /// The order, if `access` proves it is the reader's.
    pub async fn for_holder(
        &self,
        tenant: &TenantId,
        raw_id: &str,
        access: &OrderAccess,
    ) -> Result<OrderRecord, OrderError> {
        let id = OrderId::parse(raw_id).map_err(|_| OrderError::NotFound)?;
        let order = self
            .store
            .order(tenant, &id)
            .await?
            .ok_or(OrderError::NotFound)?;
        let theirs = match access {
            OrderAccess::Token(token) => {
                secrets_match(&sha256_hex(token.trim()), &order.token_hash)
            }
            OrderAccess::Patron(email) => order.patron.as_ref() == Some(email),
        };
        if theirs {
            Ok(order)
        } else {
            Err(OrderError::NotFound)
        }
    }

    /// The order, if it has tickets that admit someone (what a re-print prints).
    pub async fn printable(
        &self,
        tenant: &TenantId,
        raw_id: &str,
        access: &OrderAccess,
    ) -> Result<OrderRecord, OrderError> {
        let order = self.for_holder(tenant, raw_id, access).await?;
        let printable = order.status.has_valid_tickets()
            && order
                .tickets
                .iter()
                .any(|t| t.status == TicketStatus::Valid);
        if printable {
            Ok(order)
        } else {
            Err(OrderError::NoTickets)
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use crate::testkit::{checked_out, pay, venue};

    #[tokio::test]
    async fn only_the_token_holder_or_the_patron_who_placed_it_can_read_an_order() {
        let v = venue();
        let (_, done) = checked_out(&v, 1).await;
        let orders = Orders::new(v.world.store.clone());
        let id = done.order.id.to_string();
        let token = OrderAccess::Token(done.order_token.clone());
        assert_eq!(
            orders.for_holder(&v.tenant, &id, &token).await.unwrap().id,
            done.order.id
        );
        let wrong = OrderAccess::Token("not-the-token".into());
        assert!(matches!(
            orders.for_holder(&v.tenant, &id, &wrong).await,
            Err(OrderError::NotFound)
        ));
        let stranger = OrderAccess::Patron(Email::parse("someone@example.com").unwrap());
        assert!(matches!(
            orders.for_holder(&v.tenant, &id, &stranger).await,
            Err(OrderError::NotFound)
        ));
        let other_venue = TenantId::generate();
        assert!(matches!(
            orders.for_holder(&other_venue, &id, &token).await,
            Err(OrderError::NotFound)
        ));
        assert!(matches!(
            orders.for_holder(&v.tenant, "garbage", &token).await,
            Err(OrderError::NotFound)
        ));
    }

    #[tokio::test]
    async fn an_unpaid_order_has_nothing_to_print_and_a_paid_one_does() {
        let v = venue();
        let (_, done) = checked_out(&v, 1).await;
        let orders = Orders::new(v.world.store.clone());
        let id = done.order.id.to_string();
        let token = OrderAccess::Token(done.order_token.clone());
        assert!(matches!(
            orders.printable(&v.tenant, &id, &token).await,
            Err(OrderError::NoTickets)
        ));
        pay(&v, &done).await.unwrap();
        assert!(orders.printable(&v.tenant, &id, &token).await.is_ok());
    }
}
