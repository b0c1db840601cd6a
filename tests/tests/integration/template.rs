//! `infra/template.yaml` declares the same table, queues and bucket as the Rust definition
//! the local stack is created from, a build for every function binary, and the security
//! headers the devserver sends locally.

use devserver::security_headers as headers;
use marquee_platform::resources::{DOCUMENTS_BUCKET, QUEUES, TABLE};
use serde_norway::Value;

fn template() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../infra/template.yaml");
    serde_norway::from_str(&std::fs::read_to_string(path).expect("template exists"))
        .expect("template is YAML")
}

fn keys(schema: &Value) -> Vec<(String, String)> {
    schema
        .as_sequence()
        .expect("key schema")
        .iter()
        .map(|k| {
            (
                k["AttributeName"].as_str().unwrap().to_owned(),
                k["KeyType"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_table_matches_the_rust_definition() {
    let t = template();
    let table = &t["Resources"][TABLE.logical_id];
    assert_eq!(table["Type"], "AWS::DynamoDB::Table");
    let p = &table["Properties"];
    assert_eq!(
        keys(&p["KeySchema"]),
        vec![
            (TABLE.partition_key.into(), "HASH".into()),
            (TABLE.sort_key.into(), "RANGE".into())
        ]
    );
    let gsis = p["GlobalSecondaryIndexes"].as_sequence().expect("GSIs");
    assert_eq!(gsis.len(), TABLE.gsis.len());
    for spec in TABLE.gsis {
        let gsi = gsis
            .iter()
            .find(|g| g["IndexName"] == spec.name)
            .unwrap_or_else(|| panic!("GSI {} declared", spec.name));
        assert_eq!(
            keys(&gsi["KeySchema"]),
            vec![
                (spec.partition_key.into(), "HASH".into()),
                (spec.sort_key.into(), "RANGE".into())
            ]
        );
        assert_eq!(gsi["Projection"]["ProjectionType"], spec.projection);
    }
    assert_eq!(
        p["TimeToLiveSpecification"]["AttributeName"],
        TABLE.ttl_attribute
    );
    assert_eq!(p["TimeToLiveSpecification"]["Enabled"], true);
    assert_eq!(
        p["StreamSpecification"]["StreamViewType"],
        TABLE.stream_view
    );
}

#[test]
fn every_queue_has_its_dead_letter_queue_and_receive_limit() {
    let t = template();
    for spec in QUEUES {
        let queue = &t["Resources"][spec.logical_id];
        assert_eq!(queue["Type"], "AWS::SQS::Queue", "{}", spec.logical_id);
        let redrive = &queue["Properties"]["RedrivePolicy"];
        assert_eq!(
            redrive["maxReceiveCount"].as_u64(),
            Some(u64::from(spec.max_receive_count)),
            "{}",
            spec.logical_id
        );
        let target = &redrive["deadLetterTargetArn"]["Fn::GetAtt"];
        assert_eq!(
            target[0], spec.dead_letter_logical_id,
            "{}",
            spec.logical_id
        );
        assert_eq!(
            t["Resources"][spec.dead_letter_logical_id]["Type"],
            "AWS::SQS::Queue"
        );
        assert_eq!(
            queue["Properties"]["VisibilityTimeout"].as_u64(),
            Some(u64::from(spec.visibility_timeout_seconds))
        );
        // At least 6 × the timeout of the function the queue triggers (AWS's advice: a
        // message must not come back while a slow invocation still works on it).
        let resources = t["Resources"].as_mapping().unwrap();
        let global = t["Globals"]["Function"]["Timeout"].as_u64().unwrap_or(3);
        let consumers: Vec<u64> = resources
            .values()
            .filter(|r| r["Type"] == "AWS::Serverless::Function")
            .filter(|r| {
                r["Properties"]["Events"]
                    .as_mapping()
                    .is_some_and(|events| {
                        events.values().any(|e| {
                            e["Type"] == "SQS"
                                && e["Properties"]["Queue"]["Fn::GetAtt"][0] == spec.logical_id
                        })
                    })
            })
            .map(|r| r["Properties"]["Timeout"].as_u64().unwrap_or(global))
            .collect();
        assert_eq!(consumers.len(), 1, "{} has one consumer", spec.logical_id);
        assert!(
            u64::from(spec.visibility_timeout_seconds) >= 6 * consumers[0],
            "{}: visibility {} < 6 × {}",
            spec.logical_id,
            spec.visibility_timeout_seconds,
            consumers[0]
        );
    }
}

#[test]
fn the_documents_bucket_and_every_function_binary_are_declared() {
    let t = template();
    assert_eq!(
        t["Resources"][DOCUMENTS_BUCKET.logical_id]["Type"],
        "AWS::S3::Bucket"
    );
    let resources = t["Resources"].as_mapping().unwrap();
    let mut binaries = Vec::new();
    for (_, resource) in resources {
        if resource["Type"] == "AWS::Serverless::Function" {
            assert_eq!(resource["Metadata"]["BuildMethod"], "rust-cargolambda");
            // Built from its own package's directory, so cargo resolves only that function's
            // features and links only the AWS SDKs it calls (not the workspace's union).
            let binary = resource["Metadata"]["BuildProperties"]["Binary"]
                .as_str()
                .unwrap();
            let code = resource["Properties"]["CodeUri"].as_str().unwrap();
            assert_eq!(
                code,
                format!("../functions/{binary}/"),
                "CodeUri of {binary}"
            );
            assert!(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("../functions")
                    .join(binary)
                    .join("Cargo.toml")
                    .exists(),
                "{binary} is a package of its own"
            );
            binaries.push(
                resource["Metadata"]["BuildProperties"]["Binary"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    binaries.sort();
    assert_eq!(
        binaries,
        [
            "admin-api",
            "domain-checks",
            "hold-expiry",
            "live",
            "mailer",
            "public-api",
            "reconcile",
            "sales-reports",
            "seat-events",
            "stripe-webhook"
        ]
    );
    for binary in &binaries {
        let manifest = format!(
            "{}/../functions/{binary}/Cargo.toml",
            env!("CARGO_MANIFEST_DIR")
        );
        let text =
            std::fs::read_to_string(&manifest).unwrap_or_else(|_| panic!("{manifest} exists"));
        assert!(
            text.contains(&format!("name = \"{binary}\"")),
            "{binary} is a binary of its crate"
        );
    }
}

#[test]
fn every_response_gets_the_security_headers_the_devserver_sends() {
    let t = template();
    let policy = &t["Resources"]["WebSecurityHeaders"];
    assert_eq!(policy["Type"], "AWS::CloudFront::ResponseHeadersPolicy");
    let config = &policy["Properties"]["ResponseHeadersPolicyConfig"];
    let security = &config["SecurityHeadersConfig"];
    let mut declared: Vec<&str> = security
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    declared.sort_unstable();
    // A header added to the template alone would not be sent locally.
    assert_eq!(
        declared,
        [
            "ContentSecurityPolicy",
            "ContentTypeOptions",
            "FrameOptions",
            "ReferrerPolicy",
            "StrictTransportSecurity"
        ]
    );
    assert!(config["CustomHeadersConfig"].is_null());
    assert!(config["RemoveHeadersConfig"].is_null());
    for name in &declared {
        // CloudFront replaces what an origin sent, as the devserver does.
        assert_eq!(security[*name]["Override"], true, "{name} overrides");
    }

    let csp = security["ContentSecurityPolicy"]["ContentSecurityPolicy"]["Fn::Sub"]
        .as_str()
        .expect("the CSP is an Fn::Sub naming the stack's resources");
    assert_eq!(csp, headers::cloudformation_content_security_policy());
    assert!(csp.len() <= headers::CLOUDFRONT_MAX_CSP_LENGTH);
    assert_eq!(
        security["FrameOptions"]["FrameOption"],
        headers::FRAME_OPTIONS
    );
    assert_eq!(
        security["ReferrerPolicy"]["ReferrerPolicy"],
        headers::REFERRER_POLICY
    );
    let hsts = &security["StrictTransportSecurity"];
    assert_eq!(
        hsts["AccessControlMaxAgeSec"].as_u64(),
        Some(u64::from(headers::HSTS_MAX_AGE_SECONDS))
    );
    assert_eq!(hsts["IncludeSubdomains"], headers::HSTS_INCLUDE_SUBDOMAINS);
    assert!(hsts["Preload"].is_null() || hsts["Preload"] == false);
    // ContentTypeOptions has no value of its own: it is always `nosniff`.
    assert_eq!(headers::CONTENT_TYPE_OPTIONS, "nosniff");

    // The web app and every API path, as the devserver adds them to both.
    let distribution = &t["Resources"]["WebDistribution"]["Properties"]["DistributionConfig"];
    let mut behaviours = vec![&distribution["DefaultCacheBehavior"]];
    behaviours.extend(distribution["CacheBehaviors"].as_sequence().unwrap());
    for behaviour in behaviours {
        assert_eq!(
            behaviour["ResponseHeadersPolicyId"]["Ref"], "WebSecurityHeaders",
            "the behaviour for {:?}",
            behaviour["PathPattern"]
        );
    }
}

/// Documents are served on every venue hostname, hosted or custom, through the same path the
/// devserver forwards (`/documents/…` to the bucket, prefix stripped, query string kept), so
/// the bucket needs no CORS rules naming venues' origins.
#[test]
fn both_distributions_serve_the_documents_bucket_under_the_sites_own_path() {
    let t = template();
    let bucket = &t["Resources"][DOCUMENTS_BUCKET.logical_id]["Properties"];
    assert!(
        bucket["CorsConfiguration"].is_null(),
        "no origin is allowed cross-origin"
    );
    let pattern = format!("{}/*", marquee_platform::documents::SITE_PREFIX);
    for name in ["WebDistribution", "CustomDomainDistribution"] {
        let config = &t["Resources"][name]["Properties"]["DistributionConfig"];
        let behaviour = config["CacheBehaviors"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|b| b["PathPattern"].as_str() == Some(pattern.as_str()))
            .unwrap_or_else(|| panic!("{name} routes {pattern}"));
        let origin = config["Origins"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|o| o["Id"] == behaviour["TargetOriginId"])
            .unwrap_or_else(|| panic!("{name}'s documents origin"));
        assert_eq!(
            origin["DomainName"]["Fn::GetAtt"][0], DOCUMENTS_BUCKET.logical_id,
            "{name}"
        );
        assert!(
            origin["OriginAccessControlId"].is_null(),
            "{name}: S3 checks each presigned signature itself"
        );
        let methods: Vec<&str> = behaviour["AllowedMethods"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap())
            .collect();
        assert!(methods.contains(&"PUT"), "{name}: uploads");
        assert_eq!(
            behaviour["OriginRequestPolicyId"]["Ref"],
            "DocumentsOriginRequest"
        );
        assert_eq!(
            behaviour["FunctionAssociations"][0]["FunctionARN"]["Fn::GetAtt"][0],
            "DocumentsPath"
        );
    }
    let policy =
        &t["Resources"]["DocumentsOriginRequest"]["Properties"]["OriginRequestPolicyConfig"];
    assert_eq!(policy["QueryStringsConfig"]["QueryStringBehavior"], "all");
    let code = t["Resources"]["DocumentsPath"]["Properties"]["FunctionCode"]
        .as_str()
        .unwrap();
    assert!(
        code.contains(&format!(
            "'{}'.length",
            marquee_platform::documents::SITE_PREFIX
        )),
        "the function strips the prefix the APIs add"
    );
}

/// Someone is told: every alarm notifies the alarm topic when it fires and when it clears, and
/// every function has an alarm on its errors.
#[test]
fn every_alarm_pages_someone_and_every_function_has_one() {
    let t = template();
    let resources = t["Resources"].as_mapping().unwrap();
    let mut alarmed_functions = Vec::new();
    for (name, resource) in resources {
        if resource["Type"] != "AWS::CloudWatch::Alarm" {
            continue;
        }
        let name = name.as_str().unwrap();
        for actions in ["AlarmActions", "OKActions"] {
            let targets = resource["Properties"][actions]
                .as_sequence()
                .unwrap_or_else(|| panic!("{name} has no {actions}"));
            assert!(
                targets.iter().any(|t| t["Ref"] == "AlarmTopic"),
                "{name}'s {actions} do not notify AlarmTopic"
            );
        }
        let properties = &resource["Properties"];
        if properties["Namespace"] == "AWS/Lambda" && properties["MetricName"] == "Errors" {
            alarmed_functions.push(
                properties["Dimensions"][0]["Value"]["Ref"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
            );
        }
    }
    for (name, resource) in resources {
        if resource["Type"] == "AWS::Serverless::Function" {
            let name = name.as_str().unwrap();
            assert!(
                alarmed_functions.iter().any(|f| f == name),
                "{name} has no errors alarm"
            );
        }
    }
    assert_eq!(t["Resources"]["AlarmTopic"]["Type"], "AWS::SNS::Topic");
    assert_eq!(
        t["Resources"]["AlarmEmailSubscription"]["Condition"],
        "HasAlarmEmail"
    );
}

#[test]
fn stripe_posts_both_endpoints_to_the_webhook_function_as_the_devserver_routes_them() {
    let template = template();
    let events = template["Resources"]["StripeWebhookFunction"]["Properties"]["Events"]
        .as_mapping()
        .expect("the webhook function has events");
    let mut routes: Vec<(String, String)> = events
        .values()
        .filter(|event| event["Type"].as_str() == Some("HttpApi"))
        .map(|event| {
            let properties = &event["Properties"];
            (
                properties["Method"].as_str().expect("method").to_owned(),
                properties["Path"].as_str().expect("path").to_owned(),
            )
        })
        .collect();
    routes.sort();
    let mut expected: Vec<(String, String)> = devserver::Endpoint::ALL
        .iter()
        .map(|endpoint| ("POST".to_owned(), endpoint.path().to_owned()))
        .collect();
    expected.sort();
    assert_eq!(routes, expected);
}
