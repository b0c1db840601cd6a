//! Promo codes: one item per code in the venue's `T#{tenant}#PROMOS` partition, holding its
//! terms and its use count (`uses`). A checkout counts a use with a conditional `ADD` in its
//! own transaction (`crate::orders`); codes with a per-patron limit also count per email
//! address, in `T#{tenant}#PROMO#{code}`. Edits change the terms, never the count.

use crate::error::applied;
use crate::tenancy::{item, key, n, s};
use crate::{Store, StoreError, keys};
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use marquee_domain::promo::{PromoCode, PromoRecord};
use marquee_domain::records::CartStatus;
use marquee_domain::{CartId, TenantId};
use std::collections::HashMap;

/// The attributes an edit may leave out (and then removes).
const OPTIONAL_TERMS: [&str; 6] = [
    "percentOff",
    "amountOff",
    "maxUses",
    "perPatron",
    "validFrom",
    "validTo",
];

/// What an edit never overwrites: the keys, the count and the version (bumped instead).
const KEPT: [&str; 4] = [keys::PK, keys::SK, "uses", "version"];

impl Store {
    pub async fn promos(&self, tenant: &TenantId) -> Result<Vec<PromoRecord>, StoreError> {
        let mut codes = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("pk = :pk")
                .expression_attribute_values(":pk", s(keys::promos(tenant)))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::sdk)?;
            for found in out.items.unwrap_or_default() {
                codes.push(serde_dynamo::from_item(found)?);
            }
            start = out.last_evaluated_key;
            if start.is_none() {
                return Ok(codes);
            }
        }
    }

    pub async fn promo(
        &self,
        tenant: &TenantId,
        code: &PromoCode,
    ) -> Result<Option<PromoRecord>, StoreError> {
        self.get(keys::promos(tenant), &keys::promo_sk(code)).await
    }

    /// A new code; `ConditionFailed` when the venue has (or had) one of that name.
    pub async fn create_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item(
                keys::promos(tenant),
                &keys::promo_sk(&promo.code),
                promo,
            )?))
            .condition_expression("attribute_not_exists(pk)")
            .send()
            .await;
        if applied(result)? {
            Ok(())
        } else {
            Err(StoreError::ConditionFailed)
        }
    }

    /// The code's terms replaced, if it is still at `promo.version`; its count is untouched.
    pub async fn replace_promo(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
    ) -> Result<(), StoreError> {
        let record: HashMap<String, AttributeValue> = serde_dynamo::to_item(promo)?;
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::promos(tenant),
                &keys::promo_sk(&promo.code),
            )))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(promo.version))
            .expression_attribute_values(":one", n(1));
        let mut sets = vec!["version = version + :one".to_owned()];
        for (i, (name, value)) in record
            .into_iter()
            .filter(|(name, _)| !KEPT.contains(&name.as_str()))
            .enumerate()
        {
            sets.push(format!("#a{i} = :a{i}"));
            request = request
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        let mut expression = format!("SET {}", sets.join(", "));
        let absent: Vec<&str> = OPTIONAL_TERMS
            .iter()
            .copied()
            .filter(|name| match *name {
                "percentOff" => promo.percent_off.is_none(),
                "amountOff" => promo.amount_off.is_none(),
                "maxUses" => promo.max_uses.is_none(),
                "perPatron" => promo.per_patron.is_none(),
                "validFrom" => promo.valid_from.is_none(),
                _ => promo.valid_to.is_none(),
            })
            .collect();
        if !absent.is_empty() {
            expression.push_str(" REMOVE ");
            expression.push_str(&absent.join(", "));
        }
        let result = request.update_expression(expression).send().await;
        if applied(result)? {
            Ok(())
        } else {
            Err(StoreError::ConditionFailed)
        }
    }

    /// Puts a code on an open cart (or takes it off); the cart's version goes up, so a
    /// checkout priced before the change is refused.
    pub async fn set_cart_promo(
        &self,
        tenant: &TenantId,
        cart: &CartId,
        token_hash: &str,
        code: Option<&PromoCode>,
    ) -> Result<(), StoreError> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::cart(tenant, cart), keys::CART_SK)))
            .condition_expression("tokenHash = :token AND #status = :open")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":token", s(token_hash))
            .expression_attribute_values(":open", s(CartStatus::Open.as_str()))
            .expression_attribute_values(":one", n(1));
        let request = match code {
            Some(code) => request
                .update_expression("SET promo = :code, version = version + :one")
                .expression_attribute_values(":code", s(code.as_str())),
            None => request.update_expression("SET version = version + :one REMOVE promo"),
        };
        if applied(request.send().await)? {
            Ok(())
        } else {
            Err(StoreError::ConditionFailed)
        }
    }

    /// The checkout's share of the transaction: a use of the code counted, if it is still at
    /// the version that priced the order, not deleted and not used up; and, when the code
    /// limits uses per patron, a use for the order's email address, within that limit.
    pub(crate) fn count_promo_use(
        &self,
        tenant: &TenantId,
        promo: &PromoRecord,
        email: &str,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let total = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::promos(tenant),
                &keys::promo_sk(&promo.code),
            )))
            .update_expression("ADD uses :one")
            .condition_expression(
                "version = :v AND retired = :false \
                 AND (attribute_not_exists(maxUses) OR uses < maxUses)",
            )
            .expression_attribute_values(":v", n(promo.version))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":one", n(1))
            .return_values_on_condition_check_failure(
                aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
            )
            .build()
            .map_err(StoreError::dynamo)?;
        let mut items = vec![TransactWriteItem::builder().update(total).build()];
        if let Some(per_patron) = promo.per_patron {
            let patron = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::promo_patrons(tenant, &promo.code),
                    &keys::promo_patron_sk(email),
                )))
                .update_expression("ADD uses :one")
                .condition_expression("attribute_not_exists(uses) OR uses < :most")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":most", n(per_patron))
                .build()
                .map_err(StoreError::dynamo)?;
            items.push(TransactWriteItem::builder().update(patron).build());
        }
        Ok(items)
    }

    /// The use a cancelled unpaid order counted, given back (in the cancellation's own
    /// transaction: the order's pending → cancelled transition makes it happen once).
    pub(crate) fn return_promo_use(
        &self,
        tenant: &TenantId,
        promo: &marquee_domain::promo::PromoUse,
        email: &str,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let total = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(
                keys::promos(tenant),
                &keys::promo_sk(&promo.code),
            )))
            .update_expression("ADD uses :minus")
            .expression_attribute_values(":minus", n(-1))
            .build()
            .map_err(StoreError::dynamo)?;
        let mut items = vec![TransactWriteItem::builder().update(total).build()];
        if promo.per_patron {
            let patron = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::promo_patrons(tenant, &promo.code),
                    &keys::promo_patron_sk(email),
                )))
                .update_expression("ADD uses :minus")
                .expression_attribute_values(":minus", n(-1))
                .build()
                .map_err(StoreError::dynamo)?;
            items.push(TransactWriteItem::builder().update(patron).build());
        }
        Ok(items)
    }
}
