//! CloudFront's REST-XML: a small writer for responses, and a reader for request bodies that
//! refuses elements the double does not know (so a typo or an unsupported option fails here
//! instead of being ignored).

use crate::errors::ApiError;

pub const NAMESPACE: &str = "http://cloudfront.amazonaws.com/doc/2020-05-31/";
pub const CONTENT_TYPE: &str = "text/xml";

/// Builds one XML document, escaping all text.
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn document() -> Self {
        Self {
            out: String::from(r#"<?xml version="1.0" encoding="UTF-8"?>"#),
        }
    }

    pub fn open_ns(&mut self, name: &str, namespace: &str) {
        self.out
            .push_str(&format!(r#"<{name} xmlns="{namespace}">"#));
    }

    pub fn open(&mut self, name: &str) {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn close(&mut self, name: &str) {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    pub fn text(&mut self, name: &str, value: &str) {
        self.open(name);
        escape_into(&mut self.out, value);
        self.close(name);
    }

    pub fn flag(&mut self, name: &str, value: bool) {
        self.text(name, if value { "true" } else { "false" });
    }

    pub fn finish(self) -> String {
        self.out
    }
}

fn escape_into(out: &mut String, value: &str) {
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
}

/// A request body's root element, read by local names (the namespace is not required).
pub struct Body<'a> {
    root: roxmltree::Node<'a, 'a>,
}

/// Parses `text` and checks the root element's name.
pub fn parse<'a>(doc: &'a roxmltree::Document<'a>, root: &str) -> Result<Body<'a>, ApiError> {
    let node = doc.root_element();
    if node.tag_name().name() != root {
        return Err(ApiError::malformed_body(format!(
            "expected the root element {root}, got {}",
            node.tag_name().name()
        )));
    }
    Ok(Body { root: node })
}

pub fn document(text: &str) -> Result<roxmltree::Document<'_>, ApiError> {
    roxmltree::Document::parse(text)
        .map_err(|err| ApiError::malformed_body(format!("the request body is not XML: {err}")))
}

impl<'a> Body<'a> {
    /// Fails on any child element not in `known`, or on one given twice.
    pub fn only(&self, known: &[&str]) -> Result<(), ApiError> {
        let mut seen = Vec::new();
        for child in self.root.children().filter(|n| n.is_element()) {
            let name = child.tag_name().name();
            if !known.contains(&name) {
                return Err(ApiError::invalid_argument(format!(
                    "{} is not supported by the edge double in {} (supported: {})",
                    name,
                    self.root.tag_name().name(),
                    known.join(", ")
                )));
            }
            if seen.contains(&name) {
                return Err(ApiError::malformed_body(format!("{name} is given twice")));
            }
            seen.push(name);
        }
        Ok(())
    }

    pub fn child(&self, name: &str) -> Option<Body<'a>> {
        self.root
            .children()
            .find(|n| n.is_element() && n.tag_name().name() == name)
            .map(|root| Body { root })
    }

    /// The element children of a list, whatever their item name (`member` from the SDK,
    /// `DomainItem` in CloudFront's documentation).
    pub fn items(&self) -> Vec<Body<'a>> {
        self.root
            .children()
            .filter(|n| n.is_element())
            .map(|root| Body { root })
            .collect()
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.child(name)
            .map(|c| c.root.text().unwrap_or_default().trim().to_owned())
    }

    pub fn required(&self, name: &str) -> Result<String, ApiError> {
        self.text(name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::invalid_argument(format!("{name} is required")))
    }

    pub fn flag(&self, name: &str) -> Result<Option<bool>, ApiError> {
        match self.text(name).as_deref() {
            None => Ok(None),
            Some("true") => Ok(Some(true)),
            Some("false") => Ok(Some(false)),
            Some(other) => Err(ApiError::invalid_argument(format!(
                "{name} must be true or false, not {other:?}"
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        let mut xml = XmlWriter::document();
        xml.text("Message", "a<b & \"c\"");
        assert!(
            xml.finish()
                .ends_with("<Message>a&lt;b &amp; &quot;c&quot;</Message>")
        );
    }

    #[test]
    fn unknown_elements_are_refused() {
        let text = r#"<R xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><Name>x</Name><Nmae>y</Nmae></R>"#;
        let doc = document(text).expect("xml");
        let body = parse(&doc, "R").expect("root");
        assert_eq!(body.text("Name").as_deref(), Some("x"));
        let err = body.only(&["Name"]).expect_err("refused");
        assert_eq!(err.code, "InvalidArgument");
        assert!(err.message.contains("Nmae"));
        assert!(parse(&doc, "Other").is_err());
    }
}
