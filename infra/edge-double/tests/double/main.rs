//! The edge double driven by the clients Marquee uses: `aws-sdk-cloudfront` for the
//! multi-tenant calls and `hickory-resolver` for DNS. One binary, one module per concern.

mod cloudfront;
mod dns;
mod support;
