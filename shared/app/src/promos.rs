//! Promo codes: staff create, edit and delete them; a patron puts one on a cart, where
//! checkout applies it (see [`crate::checkout`]: the discount on the totals, the use counted
//! in the checkout's own transaction).

use crate::catalog::SaleCatalog;
use crate::holds::{CartAccess, HoldError, Holds};
use crate::ports::{Clock, PortError, PromoStore, WriteRefusal};
use marquee_domain::Invalid;
use marquee_domain::TenantId;
use marquee_domain::promo::{PromoCode, PromoInput, PromoRecord, PromoRefusal};
use marquee_domain::records::CartStatus;
use std::sync::Arc;

/// Why a promo code could not be created, changed or applied.
#[derive(Debug, thiserror::Error)]
pub enum PromoError {
    #[error("no such promo code")]
    NotFound,
    /// The venue has (or had, before deleting it) a code with that name.
    #[error("the venue already has the code {0}")]
    Taken(PromoCode),
    /// Someone else changed the code since it was read.
    #[error("the code changed meanwhile")]
    Changed,
    #[error("no such cart")]
    CartNotFound,
    #[error("the cart is {0:?}, not open")]
    CartNotOpen(CartStatus),
    #[error(transparent)]
    Refused(PromoRefusal),
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error(transparent)]
    Store(#[from] PortError),
}

impl From<HoldError> for PromoError {
    fn from(e: HoldError) -> Self {
        match e {
            HoldError::Store(e) => Self::Store(e),
            HoldError::CartNotOpen(status) => Self::CartNotOpen(status),
            _ => Self::CartNotFound,
        }
    }
}

pub struct Promos {
    store: Arc<dyn PromoStore>,
    holds: Arc<Holds>,
    catalog: Arc<SaleCatalog>,
    clock: Arc<dyn Clock>,
}

impl Promos {
    pub fn new(
        store: Arc<dyn PromoStore>,
        holds: Arc<Holds>,
        catalog: Arc<SaleCatalog>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            store,
            holds,
            catalog,
            clock,
        }
    }

    /// The venue's codes, deleted ones last.
    pub async fn list(&self, tenant: &TenantId) -> Result<Vec<PromoRecord>, PromoError> {
        let mut codes = self.store.promos(tenant).await?;
        codes.sort_by(|a, b| (a.retired, &a.code.as_str()).cmp(&(b.retired, &b.code.as_str())));
        Ok(codes)
    }

    pub async fn create(
        &self,
        tenant: &TenantId,
        input: &PromoInput,
    ) -> Result<PromoRecord, PromoError> {
        let promo = PromoRecord::create(input, self.clock.now())?;
        match self.store.create_promo(tenant, &promo).await {
            Ok(()) => Ok(promo),
            Err(WriteRefusal::Changed) => Err(PromoError::Taken(promo.code)),
            Err(WriteRefusal::Store(e)) => Err(e.into()),
        }
    }

    /// New terms for a code; its uses stay counted. Returns the code before and after.
    pub async fn edit(
        &self,
        tenant: &TenantId,
        code: &str,
        input: &PromoInput,
    ) -> Result<(PromoRecord, PromoRecord), PromoError> {
        let before = self.current(tenant, code).await?;
        if input.version.is_some_and(|v| v != before.version) {
            return Err(PromoError::Changed);
        }
        let after = before.edit(input)?;
        self.replace(tenant, &after).await?;
        Ok((before.clone(), bumped(after)))
    }

    /// Deletes a code: patrons can no longer use it; orders that did keep it.
    pub async fn retire(&self, tenant: &TenantId, code: &str) -> Result<PromoRecord, PromoError> {
        let before = self.current(tenant, code).await?;
        let after = PromoRecord {
            retired: true,
            ..before.clone()
        };
        self.replace(tenant, &after).await?;
        Ok(before)
    }

    async fn current(&self, tenant: &TenantId, code: &str) -> Result<PromoRecord, PromoError> {
        let code = PromoCode::parse(code).map_err(|_| PromoError::NotFound)?;
        self.store
            .promo(tenant, &code)
            .await?
            .filter(|p| !p.retired)
            .ok_or(PromoError::NotFound)
    }

    async fn replace(&self, tenant: &TenantId, promo: &PromoRecord) -> Result<(), PromoError> {
        self.store
            .replace_promo(tenant, promo)
            .await
            .map_err(|e| match e {
                WriteRefusal::Changed => PromoError::Changed,
                WriteRefusal::Store(e) => e.into(),
            })
    }

    /// Puts a code on the patron's cart. Refused with the reason when the code is unknown,
    /// outside its dates, used up, or covers none of the cart's performances; per-patron
    /// limits and price types are judged at checkout, when the email and the price types are
    /// known.
    pub async fn apply(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        code: &str,
    ) -> Result<PromoRecord, PromoError> {
        let code = PromoCode::parse(code).map_err(PromoError::Invalid)?;
        let contents = self.holds.contents(tenant, access).await?;
        if contents.cart.status != CartStatus::Open {
            return Err(PromoError::CartNotOpen(contents.cart.status));
        }
        let promo = self
            .store
            .promo(tenant, &code)
            .await?
            .ok_or(PromoError::Refused(PromoRefusal::Unknown))?;
        if let Some(refusal) = promo.refusal_at(self.clock.now()) {
            return Err(PromoError::Refused(refusal));
        }
        let mut covered = contents.holds.is_empty();
        for hold in &contents.holds {
            if let Some(performance) = self
                .catalog
                .published_cached(tenant, &hold.performance_id)
                .await?
                && promo.covers(&performance.event_id, &performance.id)
            {
                covered = true;
                break;
            }
        }
        if !covered {
            return Err(PromoError::Refused(PromoRefusal::NotApplicable));
        }
        self.set(tenant, access, Some(&promo.code)).await?;
        Ok(promo)
    }

    /// Takes the code off the cart.
    pub async fn remove(&self, tenant: &TenantId, access: &CartAccess) -> Result<(), PromoError> {
        self.set(tenant, access, None).await
    }

    async fn set(
        &self,
        tenant: &TenantId,
        access: &CartAccess,
        code: Option<&PromoCode>,
    ) -> Result<(), PromoError> {
        match self
            .store
            .set_cart_promo(tenant, &access.id, &access.token_hash, code)
            .await
        {
            Ok(()) => Ok(()),
            Err(WriteRefusal::Store(e)) => Err(e.into()),
            // Not open, or not this token's: say which.
            Err(WriteRefusal::Changed) => {
                let contents = self.holds.contents(tenant, access).await?;
                Err(PromoError::CartNotOpen(contents.cart.status))
            }
        }
    }

    /// The code on a cart, with its terms, if it still exists.
    pub async fn of_cart(
        &self,
        tenant: &TenantId,
        code: Option<&PromoCode>,
    ) -> Result<Option<PromoRecord>, PromoError> {
        match code {
            Some(code) => Ok(self.store.promo(tenant, code).await?),
            None => Ok(None),
        }
    }
}

/// The record as the store keeps it after a replace.
fn bumped(promo: PromoRecord) -> PromoRecord {
    PromoRecord {
        version: promo.version + 1,
        ..promo
    }
}

#[cfg(test)]
mod tests;
