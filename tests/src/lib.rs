//! What the benchmark binaries share (the integration tests live in `tests/integration`).

pub mod bench {
    //! Setting up a bench venue over HTTP, as an operator and its owner would.

    use anyhow::Context;
    use marquee_domain::TenantId;
    use serde_json::{Value, json};

    const OWNER_PASSWORD: &str = "bench owner passphrase";

    /// A venue created through the platform API, with its owner logged in.
    pub struct BenchVenue {
        /// `http://127.0.0.1:{port}` of the devserver.
        pub base: String,
        pub host: String,
        pub tenant: TenantId,
        pub owner_token: String,
    }

    /// Creates venue `slug` (Europe/London, GBP) and logs its owner in.
    pub async fn bench_venue(
        server: &devserver::DevServer,
        http: &reqwest::Client,
        name: &str,
        slug: &str,
    ) -> anyhow::Result<BenchVenue> {
        let base = format!("http://{}", server.addr);
        let owner = format!("owner@{slug}.example.org");
        let venue: Value = http
            .post(format!("{base}/platform/v1/venues"))
            .header("host", "localhost")
            .header("x-platform-key", devserver::LOCAL_PLATFORM_KEY)
            .json(&json!({ "name": name, "slug": slug, "timezone": "Europe/London", "currency": "GBP", "ownerEmail": owner, "ownerPassword": OWNER_PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let host = venue["venue"]["hostname"]
            .as_str()
            .with_context(|| format!("venue: {venue}"))?
            .to_owned();
        let tenant = TenantId::parse(venue["venue"]["id"].as_str().context("venue id")?)?;
        let login: Value = http
            .post(format!("{base}/admin/v1/login"))
            .header("host", &host)
            .json(&json!({ "email": owner, "password": OWNER_PASSWORD }))
            .send()
            .await?
            .json()
            .await?;
        let owner_token = login["token"].as_str().context("token")?.to_owned();
        devserver::seed::connect_venue(server, &host, &owner_token).await?;
        Ok(BenchVenue {
            base,
            host,
            tenant,
            owner_token,
        })
    }

    /// The 50th and 95th percentiles and the largest of `samples` (milliseconds), to 0.1.
    pub fn percentiles(samples: &mut [f64]) -> Value {
        samples.sort_by(f64::total_cmp);
        let pct = |p: f64| {
            let value = samples[((samples.len() as f64 - 1.0) * p).round() as usize];
            (value * 10.0).round() / 10.0
        };
        json!({ "p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0) })
    }
}

pub mod dynamo_meter {
    //! Counts a client's DynamoDB calls per operation and the capacity they consumed: every
    //! call is sent asking for `ReturnConsumedCapacity=TOTAL`, and the figure is read from
    //! each answer. Installed on the bench devserver's client (`DevOptions::dynamodb_interceptor`).

    use aws_sdk_dynamodb::config::interceptors::{
        BeforeSerializationInterceptorContextMut, FinalizerInterceptorContextRef,
    };
    use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents, SharedInterceptor};
    use aws_sdk_dynamodb::operation as op;
    use aws_sdk_dynamodb::types::{ConsumedCapacity, ReturnConsumedCapacity};
    use serde::Serialize;
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    type BoxError = Box<dyn std::error::Error + Send + Sync>;

    /// What the client did since the last [`DynamoMeter::take`].
    #[derive(Debug, Default, Clone, Serialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Metered {
        /// Calls per operation, e.g. `TransactWriteItems`, answered or not.
        pub calls: BTreeMap<&'static str, u64>,
        /// Capacity units DynamoDB reported for the answered calls (a cancelled transaction
        /// reports none, though AWS charges for it).
        pub capacity_units: f64,
        /// Calls whose answer carried a capacity figure.
        pub calls_with_capacity: u64,
    }

    #[derive(Debug, Default, Clone)]
    pub struct DynamoMeter(Arc<Mutex<Metered>>);

    impl DynamoMeter {
        pub fn interceptor(&self) -> SharedInterceptor {
            SharedInterceptor::new(self.clone())
        }

        /// The figures so far, and a fresh start.
        pub fn take(&self) -> Metered {
            std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
        }

        fn record(&self, f: impl FnOnce(&mut Metered)) {
            f(&mut self.0.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    fn units(capacity: &ConsumedCapacity) -> f64 {
        capacity.capacity_units().unwrap_or_default()
    }

    impl Intercept for DynamoMeter {
        fn name(&self) -> &'static str {
            "DynamoMeter"
        }

        fn modify_before_serialization(
            &self,
            context: &mut BeforeSerializationInterceptorContextMut<'_>,
            _components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let input = context.input_mut();
            let total = Some(ReturnConsumedCapacity::Total);
            let name = if let Some(i) =
                input.downcast_mut::<op::transact_write_items::TransactWriteItemsInput>()
            {
                i.return_consumed_capacity = total;
                "TransactWriteItems"
            } else if let Some(i) =
                input.downcast_mut::<op::transact_get_items::TransactGetItemsInput>()
            {
                i.return_consumed_capacity = total;
                "TransactGetItems"
            } else if let Some(i) = input.downcast_mut::<op::get_item::GetItemInput>() {
                i.return_consumed_capacity = total;
                "GetItem"
            } else if let Some(i) = input.downcast_mut::<op::put_item::PutItemInput>() {
                i.return_consumed_capacity = total;
                "PutItem"
            } else if let Some(i) = input.downcast_mut::<op::update_item::UpdateItemInput>() {
                i.return_consumed_capacity = total;
                "UpdateItem"
            } else if let Some(i) = input.downcast_mut::<op::delete_item::DeleteItemInput>() {
                i.return_consumed_capacity = total;
                "DeleteItem"
            } else if let Some(i) = input.downcast_mut::<op::query::QueryInput>() {
                i.return_consumed_capacity = total;
                "Query"
            } else if let Some(i) = input.downcast_mut::<op::scan::ScanInput>() {
                i.return_consumed_capacity = total;
                "Scan"
            } else if let Some(i) = input.downcast_mut::<op::batch_get_item::BatchGetItemInput>() {
                i.return_consumed_capacity = total;
                "BatchGetItem"
            } else if let Some(i) =
                input.downcast_mut::<op::batch_write_item::BatchWriteItemInput>()
            {
                i.return_consumed_capacity = total;
                "BatchWriteItem"
            } else {
                "other"
            };
            self.record(|m| *m.calls.entry(name).or_default() += 1);
            Ok(())
        }

        fn read_after_execution(
            &self,
            context: &FinalizerInterceptorContextRef<'_>,
            _components: &RuntimeComponents,
            _cfg: &mut ConfigBag,
        ) -> Result<(), BoxError> {
            let Some(Ok(output)) = context.output_or_error() else {
                return Ok(());
            };
            let one = |c: Option<&ConsumedCapacity>| c.map(units);
            let many = |c: &[ConsumedCapacity]| (!c.is_empty()).then(|| c.iter().map(units).sum());
            let reported: Option<f64> = if let Some(o) =
                output.downcast_ref::<op::transact_write_items::TransactWriteItemsOutput>()
            {
                many(o.consumed_capacity())
            } else if let Some(o) =
                output.downcast_ref::<op::transact_get_items::TransactGetItemsOutput>()
            {
                many(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::get_item::GetItemOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::put_item::PutItemOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::update_item::UpdateItemOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::delete_item::DeleteItemOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::query::QueryOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::scan::ScanOutput>() {
                one(o.consumed_capacity())
            } else if let Some(o) = output.downcast_ref::<op::batch_get_item::BatchGetItemOutput>()
            {
                many(o.consumed_capacity())
            } else if let Some(o) =
                output.downcast_ref::<op::batch_write_item::BatchWriteItemOutput>()
            {
                many(o.consumed_capacity())
            } else {
                None
            };
            if let Some(units) = reported {
                self.record(|m| {
                    m.capacity_units += units;
                    m.calls_with_capacity += 1;
                });
            }
            Ok(())
        }
    }
}
