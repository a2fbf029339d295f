//! A Slack-compatible webhook's body: `{"text": …}`, with the three characters Slack reads as markup
//! (`&`, `<`, `>`) escaped as Slack asks, so that a route or an error from a record cannot make a
//! link or a mention (`<!channel>`).

/// `text` with `&`, `<` and `>` as `&amp;`, `&lt;` and `&gt;` (Slack's "escaping text").
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// The JSON body a webhook is sent: `{"text":"…"}`, the text escaped for Slack.
pub fn body(text: &str) -> String {
    serde_json::json!({ "text": escape(text) }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_from_a_record_is_escaped_and_the_rest_kept() {
        assert_eq!(escape("<!channel> a & b > c → λ"), "&lt;!channel&gt; a &amp; b &gt; c → λ");
        let body: serde_json::Value = serde_json::from_str(&body("x \"quoted\"\n<y>")).unwrap();
        assert_eq!(body["text"], "x \"quoted\"\n&lt;y&gt;");
    }
}
