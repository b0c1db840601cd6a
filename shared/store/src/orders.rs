//! Orders and tickets: checkout (the cart's holds extended for the payment window, the order
//! written, in one transaction), the sale (held seats turned into sold seats and tickets
//! issued, in one transaction), and refunds (tickets voided and seats put back on sale).
//!
//! An order is one item with its tickets inside it, so one read shows the whole order. Each
//! issued ticket also gets a small item under its performance (`performance_tickets`): the
//! door's conditional write, a cancellation's list of what to refund and the sales figures
//! all work on those.

use crate::error::{build, condition_failed_at, is_conflict};
use crate::tenancy::{item, key, n, s};
use crate::{
    Capacities, CheckoutRefusal, HoldRecord, IssuedTicketRecord, OrderRecord, RefundRecord,
    SaleRefusal, SeatState, SeatStateRecord, Store, StoreError, TicketRecord, TicketStatus, keys,
};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use marquee_app::ports::{CheckoutWrite, ExchangeSwap};
use marquee_domain::promo::{PromoRecord, PromoRefusal};
use marquee_domain::records::{CartStatus, Spot};
use marquee_domain::seatmap::{AreaId, SeatId};
use marquee_domain::{
    CartId, HoldId, OrderId, OrderNumber, OrderStatus, PerformanceId, TenantId, TicketId,
};
use std::collections::{BTreeMap, HashMap};

impl Store {
    fn order_item(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
    ) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut record = item(keys::order(tenant, &order.id), keys::ORDER_SK, order)?;
        record.insert("gsi1pk".into(), s(keys::venue_orders(tenant)));
        record.insert(
            "gsi1sk".into(),
            s(keys::order_by_created(&order.created_at, &order.id)),
        );
        record.insert(
            "gsi2pk".into(),
            s(keys::order_number(tenant, &order.number)),
        );
        record.insert("gsi2sk".into(), s(order.id.as_str()));
        Ok(record)
    }

    /// Moves an open cart to checkout: the cart (token, status and version in the condition),
    /// every hold and its seat extended to the end of the payment window (each still live),
    /// and the pending order — all or nothing.
    pub async fn checkout(&self, write: &CheckoutWrite<'_>) -> Result<(), CheckoutRefusal> {
        let cart_pk = keys::cart(write.tenant, write.cart_id);
        let cart = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(cart_pk.clone(), keys::CART_SK)))
                .update_expression(
                    "SET #status = :checkout, orderId = :order, version = version + :one",
                )
                .condition_expression("tokenHash = :token AND #status = :open AND version = :v")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":checkout", s(CartStatus::Checkout.as_str()))
                .expression_attribute_values(":open", s(CartStatus::Open.as_str()))
                .expression_attribute_values(":order", s(write.order.id.as_str()))
                .expression_attribute_values(":token", s(write.token_hash))
                .expression_attribute_values(":v", n(write.cart_version))
                .expression_attribute_values(":one", n(1))
                .return_values_on_condition_check_failure(
                    aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .build(),
        )?;
        let mut items = vec![TransactWriteItem::builder().update(cart).build()];
        for hold in write.holds {
            let update = build(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(cart_pk.clone(), &keys::hold_sk(&hold.hold_id))))
                    .update_expression("SET expiresAt = :until")
                    .condition_expression("attribute_exists(pk) AND expiresAt > :now")
                    .expression_attribute_values(":until", n(write.hold_until))
                    .expression_attribute_values(":now", n(write.now))
                    .build(),
            )?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        for hold in write.holds {
            let Spot::Seat { section, seat } = &hold.spot else {
                continue;
            };
            let update = build(
                Update::builder()
                    .table_name(&self.table)
                    .set_key(Some(key(
                        keys::seat_states(write.tenant, &hold.performance_id, section),
                        &keys::seat_sk(seat),
                    )))
                    .update_expression("SET expiresAt = :until")
                    .condition_expression(
                        "#state = :held AND cart = :cart AND holdId = :hold AND expiresAt > :now",
                    )
                    .expression_attribute_names("#state", "state")
                    .expression_attribute_values(":held", s(SeatState::Held.as_str()))
                    .expression_attribute_values(":cart", s(write.cart_id))
                    .expression_attribute_values(":hold", s(&hold.hold_id))
                    .expression_attribute_values(":until", n(write.hold_until))
                    .expression_attribute_values(":now", n(write.now))
                    .build(),
            )?;
            items.push(TransactWriteItem::builder().update(update).build());
        }
        items.push(self.put_new(self.order_item(write.tenant, write.order)?)?);
        if let Some(patron) = &write.order.patron {
            items.push(
                TransactWriteItem::builder()
                    .put(build(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(crate::patrons::patron_order_item(
                                write.tenant,
                                patron,
                                &write.order.created_at,
                                &write.order.id,
                            )?))
                            .build(),
                    )?)
                    .build(),
            );
        }
        if let Ok(email) = marquee_domain::Email::parse(&write.order.email) {
            items.push(
                TransactWriteItem::builder()
                    .put(build(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(crate::patrons::email_order_item(
                                write.tenant,
                                &email,
                                &write.order.created_at,
                                &write.order.id,
                            )?))
                            .build(),
                    )?)
                    .build(),
            );
        }
        for entry in crate::directory::directory_items(write.tenant, write.order)? {
            items.push(
                TransactWriteItem::builder()
                    .put(build(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(entry))
                            .build(),
                    )?)
                    .build(),
            );
        }
        for reservation in crate::reservations::reservation_items(write.tenant, write.order)?
            .into_iter()
            .chain(crate::reservations::to_post_items(
                write.tenant,
                write.order,
            )?)
        {
            items.push(
                TransactWriteItem::builder()
                    .put(build(
                        Put::builder()
                            .table_name(&self.table)
                            .set_item(Some(reservation))
                            .build(),
                    )?)
                    .build(),
            );
        }
        let promo_at = items.len();
        if let Some(promo) = write.promo {
            items.extend(self.count_promo_use(write.tenant, promo, &write.order.email)?);
        }

        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(err) = result else {
            return Ok(());
        };
        let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error()
        else {
            return Err(StoreError::Cancelled("checkout transaction failed".into()).into());
        };
        let reasons = e.cancellation_reasons();
        if condition_failed_at(reasons, 0) {
            let cart = reasons
                .first()
                .and_then(|r| r.item())
                .and_then(|i| serde_dynamo::from_item::<_, crate::CartRecord>(i.clone()).ok());
            return Err(match cart {
                Some(cart) if cart.token_hash != write.token_hash => CheckoutRefusal::CartNotFound,
                Some(cart) if cart.status != crate::CartStatus::Open => {
                    CheckoutRefusal::CartNotOpen(cart.status)
                }
                Some(_) => CheckoutRefusal::CartChanged,
                None => CheckoutRefusal::CartNotFound,
            });
        }
        let count = write.holds.len();
        let mut expired: Vec<HoldId> = write
            .holds
            .iter()
            .enumerate()
            .filter(|(i, _)| condition_failed_at(reasons, 1 + i))
            .map(|(_, h)| h.hold_id.clone())
            .collect();
        let seat_holds = write.holds.iter().filter(|h| h.spot.seat().is_some());
        for (i, hold) in seat_holds.enumerate() {
            if condition_failed_at(reasons, 1 + count + i) && !expired.contains(&hold.hold_id) {
                expired.push(hold.hold_id.clone());
            }
        }
        if !expired.is_empty() {
            return Err(CheckoutRefusal::HoldsExpired(expired));
        }
        if let Some(promo) = write.promo {
            if condition_failed_at(reasons, promo_at) {
                let stored = reasons
                    .get(promo_at)
                    .and_then(|r| r.item())
                    .and_then(|i| serde_dynamo::from_item::<_, PromoRecord>(i.clone()).ok());
                return Err(match stored {
                    Some(p) if p.version == promo.version && !p.retired => {
                        CheckoutRefusal::Promo(PromoRefusal::Exhausted)
                    }
                    _ => CheckoutRefusal::PromoChanged,
                });
            }
            if condition_failed_at(reasons, promo_at + 1) {
                return Err(CheckoutRefusal::Promo(PromoRefusal::PatronLimit));
            }
        }
        if is_conflict(reasons) {
            return Err(CheckoutRefusal::Contention);
        }
        Err(StoreError::Cancelled("checkout transaction cancelled".into()).into())
    }

    pub async fn order(
        &self,
        tenant: &TenantId,
        order: &OrderId,
    ) -> Result<Option<OrderRecord>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::order(tenant, order), keys::ORDER_SK)))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out.item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Orders by id (any number), in no particular order; unknown ids are left out.
    pub async fn orders_by_id(
        &self,
        tenant: &TenantId,
        ids: &[OrderId],
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let wanted = ids
            .iter()
            .map(|id| key(keys::order(tenant, id), keys::ORDER_SK))
            .collect();
        self.batch_get(wanted, false)
            .await?
            .into_iter()
            .map(|item| Ok(serde_dynamo::from_item(item)?))
            .collect()
    }

    /// An order by the number the patron reads out.
    pub async fn order_by_number(
        &self,
        tenant: &TenantId,
        number: &OrderNumber,
    ) -> Result<Option<OrderRecord>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi2")
            .key_condition_expression("gsi2pk = :pk")
            .expression_attribute_values(":pk", s(keys::order_number(tenant, number)))
            .send()
            .await
            .map_err(StoreError::sdk)?;
        let Some(found) = out.items.unwrap_or_default().into_iter().next() else {
            return Ok(None);
        };
        let id: OrderRecord = serde_dynamo::from_item(found)?;
        self.order(tenant, &id.id).await
    }

    /// The venue's most recent orders, newest first.
    pub async fn recent_orders(
        &self,
        tenant: &TenantId,
        limit: i32,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :pk")
            .expression_attribute_values(":pk", s(keys::venue_orders(tenant)))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(StoreError::sdk)?;
        Ok(out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(serde_dynamo::from_item)
            .collect::<Result<_, _>>()?)
    }

    /// Records the PaymentIntent that will pay a pending order.
    pub async fn set_payment_intent(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        payment_intent: &str,
    ) -> Result<(), StoreError> {
        self.update_order(
            tenant,
            order,
            "SET paymentIntent = :pi",
            "#status = :pending AND (attribute_not_exists(paymentIntent) OR paymentIntent = :pi)",
            &[
                (":pi", s(payment_intent)),
                (":pending", s(OrderStatus::Pending.as_str())),
            ],
        )
        .await
    }

    /// How a pending box office order is paid now (a reservation taken in cash or by card):
    /// its sale, account and fee, any earlier PaymentIntent forgotten — if the order is still
    /// pending at the version read.
    pub async fn set_window_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        sale: &marquee_domain::records::WindowSale,
        stripe_account: Option<&str>,
        platform_fee: i64,
    ) -> Result<(), StoreError> {
        let sale = serde_dynamo::to_attribute_value(sale)?;
        let mut values = vec![
            (":sale", sale),
            (":fee", n(platform_fee)),
            (":pending", s(OrderStatus::Pending.as_str())),
            (":v", n(order.version)),
            (":one", n(1)),
        ];
        let update = match stripe_account {
            Some(account) => {
                values.push((":account", s(account)));
                "SET sale = :sale, stripeAccount = :account, platformFee = :fee, version = version + :one REMOVE paymentIntent"
            }
            None => {
                "SET sale = :sale, platformFee = :fee, version = version + :one REMOVE paymentIntent, stripeAccount"
            }
        };
        self.update_order(
            tenant,
            &order.id,
            update,
            "#status = :pending AND version = :v",
            &values,
        )
        .await
    }

    async fn update_order(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        update: &str,
        condition: &str,
        values: &[(&str, AttributeValue)],
    ) -> Result<(), StoreError> {
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::order(tenant, order), keys::ORDER_SK)))
            .update_expression(update)
            .condition_expression(condition)
            .expression_attribute_names("#status", "status");
        for (name, value) in values {
            request = request.expression_attribute_values(*name, value.clone());
        }
        match request.send().await {
            Ok(_) => Ok(()),
            Err(e) => match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => {
                    Err(StoreError::ConditionFailed)
                }
                err => Err(StoreError::dynamo(err)),
            },
        }
    }

    /// A declined payment: the cart opens again with its holds (the patron may try another
    /// card on the same PaymentIntent, or change the cart and check out again). The order
    /// stays pending with the reason, for the page to show.
    pub async fn reopen_cart_after_failed_payment(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        problem: &str,
    ) -> Result<(), StoreError> {
        let cart = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::cart(tenant, &order.cart_id), keys::CART_SK)))
                .update_expression("SET #status = :open, version = version + :one")
                .condition_expression("#status = :checkout AND orderId = :order")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":open", s(CartStatus::Open.as_str()))
                .expression_attribute_values(":checkout", s(CartStatus::Checkout.as_str()))
                .expression_attribute_values(":order", s(order.id.as_str()))
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        let record = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::order(tenant, &order.id), keys::ORDER_SK)))
                .update_expression("SET problem = :problem")
                .condition_expression("#status = :pending")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":pending", s(OrderStatus::Pending.as_str()))
                .expression_attribute_values(":problem", s(problem))
                .build(),
        )?;
        self.client
            .transact_write_items()
            .transact_items(TransactWriteItem::builder().update(cart).build())
            .transact_items(TransactWriteItem::builder().update(record).build())
            .send()
            .await
            .map(|_| ())
            .map_err(|e| match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(_) => {
                    StoreError::ConditionFailed
                }
                other => StoreError::dynamo(other),
            })
    }

    /// Writes a mailed order's fulfilment record (the provider's letter, its tracking, the
    /// last problem) while its letter is still `expected_letter` — `None`: no letter yet, or
    /// the one being written (a concurrent attempt of the same letter). `ConditionFailed`
    /// otherwise. The order's version moves on, so a refund read before writes again.
    pub async fn write_posted_mail(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        expected_letter: Option<&str>,
        mail: &marquee_domain::records::PostedMail,
    ) -> Result<(), StoreError> {
        let value = serde_dynamo::to_attribute_value(mail)?;
        let condition = match expected_letter {
            None => {
                "attribute_exists(#status) AND delivery = :mail AND \
                 (attribute_not_exists(mail.letterId) OR mail.letterId = :letter)"
            }
            Some(_) => "attribute_exists(#status) AND delivery = :mail AND mail.letterId = :letter",
        };
        let letter = expected_letter
            .or(mail.letter_id.as_deref())
            .unwrap_or("none");
        self.update_order(
            tenant,
            order,
            "SET mail = :m, version = version + :one",
            condition,
            &[
                (":m", value),
                (":mail", s("mail")),
                (":letter", s(letter)),
                (":one", AttributeValue::N("1".into())),
            ],
        )
        .await
    }

    /// Marks a `mail` delivery order's tickets as posted.
    pub async fn mark_posted(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        at: &str,
    ) -> Result<(), StoreError> {
        self.update_order(
            tenant,
            order,
            "SET postedAt = :at",
            "#status IN (:paid, :partly) AND delivery = :mail AND attribute_not_exists(postedAt)",
            &[
                (":at", s(at)),
                (":paid", s(OrderStatus::Paid.as_str())),
                (":partly", s(OrderStatus::PartiallyRefunded.as_str())),
                (":mail", s("mail")),
            ],
        )
        .await
    }

    /// Marks a will-call order's tickets as collected, once: `ConditionFailed` when it is not
    /// a paid will-call order or was collected already.
    pub async fn mark_picked_up(
        &self,
        tenant: &TenantId,
        order: &OrderId,
        pick_up: &marquee_domain::records::PickUp,
    ) -> Result<(), StoreError> {
        let value = serde_dynamo::to_attribute_value(pick_up)?;
        self.update_order(
            tenant,
            order,
            "SET pickedUp = :pickup",
            "#status IN (:paid, :partly) AND delivery = :willcall AND attribute_not_exists(pickedUp)",
            &[
                (":pickup", value),
                (":paid", s(OrderStatus::Paid.as_str())),
                (":partly", s(OrderStatus::PartiallyRefunded.as_str())),
                (":willcall", s("will_call")),
            ],
        )
        .await
    }

    /// A pending order that will never be paid (the patron checked out again). A promo
    /// code's use it counted is given back in the same transaction.
    pub async fn cancel_pending_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        problem: &str,
    ) -> Result<(), StoreError> {
        const UPDATE: &str =
            "SET #status = :cancelled, problem = :problem, version = version + :one";
        let values = [
            (":cancelled", s(OrderStatus::Cancelled.as_str())),
            (":pending", s(OrderStatus::Pending.as_str())),
            (":problem", s(problem)),
            (":one", n(1)),
        ];
        let Some(promo) = &order.promo else {
            return self
                .update_order(tenant, &order.id, UPDATE, "#status = :pending", &values)
                .await;
        };
        let mut cancel = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::order(tenant, &order.id), keys::ORDER_SK)))
            .update_expression(UPDATE)
            .condition_expression("#status = :pending")
            .expression_attribute_names("#status", "status");
        for (name, value) in values {
            cancel = cancel.expression_attribute_values(name, value);
        }
        let mut items = vec![
            TransactWriteItem::builder()
                .update(build(cancel.build())?)
                .build(),
        ];
        items.extend(self.return_promo_use(tenant, promo, &order.email)?);
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(e)
                    if condition_failed_at(e.cancellation_reasons(), 0) =>
                {
                    StoreError::ConditionFailed
                }
                other => StoreError::dynamo(other),
            })
    }

    /// The sale, in one transaction: the order paid, the cart completed, each seat sold (if
    /// this cart still holds it, or nobody does), each general-admission place moved from
    /// held to sold (or taken afresh, within capacity, if its hold was released), and a
    /// ticket item per ticket. `holds` is the cart's holds as read just before.
    #[expect(
        clippy::too_many_arguments,
        reason = "the sale's parts, as the port's SaleWrite carries them"
    )]
    pub async fn sell_order(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        holds: &[HoldRecord],
        capacities: &Capacities,
        now: i64,
        paid_at: &str,
        exchange: Option<&ExchangeSwap<'_>>,
    ) -> Result<(), SaleRefusal> {
        let order_update = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::order(tenant, &order.id), keys::ORDER_SK)))
                .update_expression(
                    "SET #status = :paid, paidAt = :at, tickets = :tickets, version = version + :one REMOVE problem",
                )
                .condition_expression("#status = :pending")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":paid", s(OrderStatus::Paid.as_str()))
                .expression_attribute_values(":pending", s(OrderStatus::Pending.as_str()))
                .expression_attribute_values(":at", s(paid_at))
                .expression_attribute_values(
                    ":tickets",
                    serde_dynamo::to_attribute_value(
                        order
                            .tickets
                            .iter()
                            .map(|t| TicketRecord {
                                status: TicketStatus::Valid,
                                ..t.clone()
                            })
                            .collect::<Vec<_>>(),
                    )
                    .map_err(StoreError::from)?,
                )
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        let cart = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::cart(tenant, &order.cart_id), keys::CART_SK)))
                .update_expression(
                    "SET #status = :completed, version = version + :one REMOVE gsi3pk, gsi3sk",
                )
                .condition_expression("attribute_exists(pk) AND orderId = :order")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":completed", s(CartStatus::Completed.as_str()))
                .expression_attribute_values(":order", s(order.id.as_str()))
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        let mut items = vec![
            TransactWriteItem::builder().update(order_update).build(),
            TransactWriteItem::builder().update(cart).build(),
        ];
        // Positions of the seat puts and counter updates, to name what was lost.
        let mut seat_at: Vec<(usize, SeatId)> = Vec::new();
        let mut area_at: Vec<(usize, AreaId)> = Vec::new();
        let mut hold_at: Vec<usize> = Vec::new();

        let live_holds: HashMap<&HoldId, &HoldRecord> =
            holds.iter().map(|h| (&h.hold_id, h)).collect();
        // Per area shard: (places whose hold is still ours, places to take afresh).
        let mut areas: BTreeMap<(PerformanceId, AreaId, u16), (u32, u32)> = BTreeMap::new();
        for ticket in &order.tickets {
            if let Spot::Seat { section, seat } = &ticket.spot {
                let state = SeatStateRecord {
                    seat: seat.clone(),
                    section: section.clone(),
                    state: SeatState::Sold,
                    cart: Some(order.cart_id.clone()),
                    hold_id: None,
                    expires_at: None,
                    order: Some(order.id.to_string()),
                };
                let put = build(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(item(
                            keys::seat_states(tenant, &ticket.performance_id, section),
                            &keys::seat_sk(seat),
                            &state,
                        )?))
                        .condition_expression(
                            "attribute_not_exists(pk) OR (#state = :held AND (expiresAt <= :now OR (cart = :cart AND holdId = :hold)))",
                        )
                        .expression_attribute_names("#state", "state")
                        .expression_attribute_values(":held", s(SeatState::Held.as_str()))
                        .expression_attribute_values(":now", n(now))
                        .expression_attribute_values(":cart", s(&order.cart_id))
                        .expression_attribute_values(":hold", s(&ticket.hold_id))
                        .build(),
                )?;
                seat_at.push((items.len(), seat.clone()));
                items.push(TransactWriteItem::builder().put(put).build());
            } else if let Spot::Area(area) = &ticket.spot {
                let entry = areas
                    .entry((ticket.performance_id.clone(), area.clone(), ticket.shard))
                    .or_default();
                if live_holds.contains_key(&ticket.hold_id) {
                    entry.0 += 1;
                    let delete = build(
                        Delete::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(
                                keys::cart(tenant, &order.cart_id),
                                &keys::hold_sk(&ticket.hold_id),
                            )))
                            .condition_expression("attribute_exists(pk)")
                            .build(),
                    )?;
                    hold_at.push(items.len());
                    items.push(TransactWriteItem::builder().delete(delete).build());
                } else {
                    entry.1 += 1;
                }
            }
        }
        for ((performance, area, shard), (mine, fresh)) in &areas {
            // A place whose hold was released is taken afresh from its hold's shard.
            let capacity = capacities
                .get(&(performance.clone(), area.clone()))
                .map_or(0, |c| c.shard_places(*shard));
            let sold = mine + fresh;
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(
                    keys::ga_counter(tenant, performance, area, *shard),
                    keys::GA_COUNTER_SK,
                )))
                .update_expression(
                    "SET taken = if_not_exists(taken, :zero) + :fresh, held = if_not_exists(held, :zero) - :mine, sold = if_not_exists(sold, :zero) + :sold",
                )
                .expression_attribute_values(":zero", n(0))
                .expression_attribute_values(":fresh", n(fresh))
                .expression_attribute_values(":mine", n(mine))
                .expression_attribute_values(":sold", n(sold));
            let mut conditions = Vec::new();
            if *mine > 0 {
                conditions.push("held >= :mine");
            }
            if *fresh > 0 {
                conditions.push("(attribute_not_exists(taken) OR taken <= :most)");
                update =
                    update.expression_attribute_values(":most", n(capacity.saturating_sub(*fresh)));
                if capacity < *fresh {
                    return Err(SaleRefusal::PlacesLost {
                        seats: Vec::new(),
                        areas: vec![area.clone()],
                    });
                }
            }
            if !conditions.is_empty() {
                update = update.condition_expression(conditions.join(" AND "));
            }
            area_at.push((items.len(), area.clone()));
            items.push(
                TransactWriteItem::builder()
                    .update(build(update.build())?)
                    .build(),
            );
        }
        for ticket in &order.tickets {
            let issued = IssuedTicketRecord {
                ticket_id: ticket.id.clone(),
                order_id: order.id.clone(),
                order_number: order.number.clone(),
                performance_id: ticket.performance_id.clone(),
                status: TicketStatus::Valid,
                price: ticket.price,
                fees: ticket.fees,
                place: ticket.place.clone(),
                price_type: ticket.price_type.clone(),
                inside: false,
                admissions: 0,
                admitted_at: None,
            };
            items.push(self.put_new(item(
                keys::performance_tickets(tenant, &ticket.performance_id),
                &keys::ticket_sk(&ticket.id),
                &issued,
            )?)?);
        }
        // An exchange: the earlier order's tickets voided and their places freed, in the same
        // transaction, conditional on that order as read.
        let exchange_at = items.len();
        let exchange_len = match exchange {
            Some(swap) => {
                let voids =
                    self.refund_items(tenant, swap.order, swap.tickets, swap.refund, swap.status)?;
                let len = voids.len();
                items.extend(voids);
                len
            }
            None => 0,
        };

        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let Err(err) = result else {
            return Ok(());
        };
        let TransactWriteItemsError::TransactionCanceledException(e) = err.into_service_error()
        else {
            return Err(StoreError::Cancelled("sale transaction failed".into()).into());
        };
        let reasons = e.cancellation_reasons();
        if condition_failed_at(reasons, 0) {
            return Err(SaleRefusal::NotPending);
        }
        if condition_failed_at(reasons, 1) {
            return Err(SaleRefusal::NotPending);
        }
        let seats: Vec<SeatId> = seat_at
            .iter()
            .filter(|(i, _)| condition_failed_at(reasons, *i))
            .map(|(_, seat)| seat.clone())
            .collect();
        let lost_areas: Vec<AreaId> = area_at
            .iter()
            .filter(|(i, _)| condition_failed_at(reasons, *i))
            .map(|(_, area)| area.clone())
            .collect();
        if hold_at.iter().any(|i| condition_failed_at(reasons, *i)) {
            return Err(SaleRefusal::Stale);
        }
        // The earlier order changed since it was read: the sale reads it again (and finds
        // whether its tickets are still there to exchange).
        if (exchange_at..exchange_at + exchange_len).any(|i| condition_failed_at(reasons, i)) {
            return Err(SaleRefusal::Stale);
        }
        if !seats.is_empty() || !lost_areas.is_empty() {
            return Err(SaleRefusal::PlacesLost {
                seats,
                areas: lost_areas,
            });
        }
        if is_conflict(reasons) {
            return Err(SaleRefusal::Contention);
        }
        Err(StoreError::Cancelled("sale transaction cancelled".into()).into())
    }

    /// A payment that cannot be fulfilled went back: the order is recorded as refunded with
    /// the reason, whatever pending or cancelled state it was in.
    pub async fn record_unfulfilled_refund(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        refund: &RefundRecord,
        problem: &str,
    ) -> Result<(), StoreError> {
        self.update_order(
            tenant,
            &order.id,
            "SET #status = :refunded, refunded = :amount, refunds = list_append(if_not_exists(refunds, :empty), :refund), problem = :problem, version = version + :one",
            "#status IN (:pending, :cancelled)",
            &[
                (":refunded", s(OrderStatus::Refunded.as_str())),
                (":pending", s(OrderStatus::Pending.as_str())),
                (":cancelled", s(OrderStatus::Cancelled.as_str())),
                (":amount", n(refund.amount)),
                (":empty", AttributeValue::L(Vec::new())),
                (
                    ":refund",
                    AttributeValue::L(vec![serde_dynamo::to_attribute_value(refund)?]),
                ),
                (":problem", s(problem)),
                (":one", n(1)),
            ],
        )
        .await
    }

    /// Frees what a cart that will not be sold still holds: its seats (only while this cart
    /// holds them) and general-admission places, and closes the cart. Best effort per hold:
    /// anything left is freed by expiry anyway.
    pub async fn release_cart(
        &self,
        tenant: &TenantId,
        cart_id: &CartId,
        holds: &[HoldRecord],
        now: i64,
    ) -> Result<(), StoreError> {
        for hold in holds {
            match self
                .release_hold(tenant, cart_id, hold, crate::ReleaseBy::Closing, now)
                .await
            {
                // Released, or already gone: either way nothing is held any more.
                Ok(()) | Err(crate::HoldRefusal::HoldGone) => {}
                Err(crate::HoldRefusal::Store(e)) => return Err(StoreError::Port(e)),
                Err(e) => {
                    tracing::warn!(hold = %hold.hold_id, error = %e, "hold not released; it frees itself at expiry")
                }
            }
        }
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::cart(tenant, cart_id), keys::CART_SK)))
            // Left in the expiry index: a hold not released here is the sweep's.
            .update_expression("SET #status = :expired")
            .condition_expression("attribute_exists(pk) AND #status <> :completed")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":expired", s(CartStatus::Expired.as_str()))
            .expression_attribute_values(":completed", s(CartStatus::Completed.as_str()))
            .send()
            .await
            .map(|_| ())
            .or_else(|e| match e.into_service_error() {
                err if err.is_conditional_check_failed_exception() => Ok(()),
                err => Err(StoreError::dynamo(err)),
            })
    }

    /// Refunds tickets of a paid order in one transaction: the order (its version read before,
    /// so two refunds cannot both count the same ticket), each ticket item voided, each seat
    /// back on sale, each general-admission place back in its area.
    pub async fn refund_tickets(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        tickets: &[TicketId],
        refund: &RefundRecord,
        status: OrderStatus,
    ) -> Result<(), StoreError> {
        let items = self.refund_items(tenant, order, tickets, refund, status)?;
        self.client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| match e.into_service_error() {
                TransactWriteItemsError::TransactionCanceledException(_) => {
                    StoreError::ConditionFailed
                }
                other => StoreError::dynamo(other),
            })
    }

    /// The writes of a refund of `tickets` (see [`Store::refund_tickets`]); the order's
    /// update comes first.
    fn refund_items(
        &self,
        tenant: &TenantId,
        order: &OrderRecord,
        tickets: &[TicketId],
        refund: &RefundRecord,
        status: OrderStatus,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let refunded: Vec<TicketRecord> = order
            .tickets
            .iter()
            .map(|t| {
                let mut t = t.clone();
                if tickets.contains(&t.id) {
                    t.status = TicketStatus::Refunded;
                }
                t
            })
            .collect();
        let order_update = build(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::order(tenant, &order.id), keys::ORDER_SK)))
                .update_expression(
                    "SET #status = :status, tickets = :tickets, refunded = refunded + :amount, refunds = list_append(if_not_exists(refunds, :empty), :refund), version = version + :one",
                )
                .condition_expression("version = :v")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":status", s(status.as_str()))
                .expression_attribute_values(":tickets", serde_dynamo::to_attribute_value(&refunded)?)
                .expression_attribute_values(":amount", n(refund.amount))
                .expression_attribute_values(":empty", AttributeValue::L(Vec::new()))
                .expression_attribute_values(
                    ":refund",
                    AttributeValue::L(vec![serde_dynamo::to_attribute_value(refund)?]),
                )
                .expression_attribute_values(":v", n(order.version))
                .expression_attribute_values(":one", n(1))
                .build(),
        )?;
        let mut items = vec![TransactWriteItem::builder().update(order_update).build()];
        let mut areas: BTreeMap<(PerformanceId, AreaId, u16), u32> = BTreeMap::new();
        for ticket in order.tickets.iter().filter(|t| tickets.contains(&t.id)) {
            items.push(
                TransactWriteItem::builder()
                    .update(build(
                        Update::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(
                                keys::performance_tickets(tenant, &ticket.performance_id),
                                &keys::ticket_sk(&ticket.id),
                            )))
                            .update_expression("SET #status = :refunded")
                            .condition_expression("#status = :valid")
                            .expression_attribute_names("#status", "status")
                            .expression_attribute_values(
                                ":refunded",
                                s(TicketStatus::Refunded.as_str()),
                            )
                            .expression_attribute_values(":valid", s(TicketStatus::Valid.as_str()))
                            .build(),
                    )?)
                    .build(),
            );
            if let Spot::Seat { section, seat } = &ticket.spot {
                items.push(
                    TransactWriteItem::builder()
                        .delete(build(
                            Delete::builder()
                                .table_name(&self.table)
                                .set_key(Some(key(
                                    keys::seat_states(tenant, &ticket.performance_id, section),
                                    &keys::seat_sk(seat),
                                )))
                                .condition_expression("#state = :sold AND #order = :order")
                                .expression_attribute_names("#state", "state")
                                .expression_attribute_names("#order", "order")
                                .expression_attribute_values(":sold", s(SeatState::Sold.as_str()))
                                .expression_attribute_values(":order", s(order.id.as_str()))
                                .build(),
                        )?)
                        .build(),
                );
            } else if let Spot::Area(area) = &ticket.spot {
                *areas
                    .entry((ticket.performance_id.clone(), area.clone(), ticket.shard))
                    .or_default() += 1;
            }
        }
        for ((performance, area, shard), count) in areas {
            items.push(
                TransactWriteItem::builder()
                    .update(build(
                        Update::builder()
                            .table_name(&self.table)
                            .set_key(Some(key(
                                keys::ga_counter(tenant, &performance, &area, shard),
                                keys::GA_COUNTER_SK,
                            )))
                            .update_expression("SET taken = taken - :k, sold = sold - :k")
                            .condition_expression("sold >= :k")
                            .expression_attribute_values(":k", n(count))
                            .build(),
                    )?)
                    .build(),
            );
        }
        Ok(items)
    }

    /// The tickets issued for a performance.
    pub async fn performance_tickets(
        &self,
        tenant: &TenantId,
        performance: &PerformanceId,
    ) -> Result<Vec<IssuedTicketRecord>, StoreError> {
        self.query_prefix(
            keys::performance_tickets(tenant, performance),
            keys::TICKET_PREFIX,
        )
        .await
    }

    /// Whether a Stripe event was handled and recorded before.
    pub async fn stripe_event_seen(
        &self,
        tenant: &TenantId,
        event_id: &str,
    ) -> Result<bool, StoreError> {
        let found: Option<serde_json::Value> = self
            .get(keys::stripe_event(tenant, event_id), keys::STRIPE_EVENT_SK)
            .await?;
        Ok(found.is_some())
    }

    /// Records a Stripe event as handled, after its effect (a second record overwrites the
    /// first: both say the same). `ttl` (epoch seconds) lets it go after Stripe's retries end.
    pub async fn record_stripe_event(
        &self,
        tenant: &TenantId,
        event_id: &str,
        kind: &str,
        outcome: &str,
        ttl: i64,
    ) -> Result<(), StoreError> {
        let record = serde_json::json!({ "type": kind, "outcome": outcome, "ttl": ttl });
        self.put(item(
            keys::stripe_event(tenant, event_id),
            keys::STRIPE_EVENT_SK,
            &record,
        )?)
        .await
    }
}
