//! What a model call cost: the sender's own figure when it reports one, else an estimate from a price table of
//! USD per million tokens, matched by model name. The default table and how to replace it are in
//! docs/trace-view.md ("Cost").

use serde_json::Value;

use crate::conventions::{self, Cost, model_names};
use crate::facts::{span_kind, span_tokens};
use crate::wire::{Span, SpanKind, TokenUsage};

/// When the default table was taken from the providers' pricing pages.
pub const DEFAULT_PRICES_DATE: &str = "2025-08";

/// USD per million tokens.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Price {
    pub input: f64,
    pub output: f64,
    /// Input tokens read from the provider's prompt cache; billed as input when absent.
    pub cached_input: Option<f64>,
}

impl Price {
    const fn new(input: f64, output: f64, cached_input: Option<f64>) -> Self {
        Self { input, output, cached_input }
    }

    /// An override's price: `{"input", "output", "cached_input"?}`, each a finite, non-negative number. Read from
    /// a JSON value rather than derived, to keep the view's wasm small (it parses JSON values already).
    fn from_json(model: &str, value: &Value) -> Result<Self, PriceTableError> {
        let invalid = |reason: &str| PriceTableError::Entry { model: model.to_owned(), reason: reason.to_owned() };
        let fields = value.as_object().ok_or_else(|| invalid("not an object"))?;
        if let Some(unknown) = fields.keys().find(|k| !matches!(k.as_str(), "input" | "output" | "cached_input")) {
            return Err(invalid(&format!("unknown field {unknown:?}")));
        }
        let usd = |key: &str| -> Result<Option<f64>, PriceTableError> {
            match fields.get(key) {
                None => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(usd) if usd.is_finite() && usd >= 0.0 => Ok(Some(usd)),
                    _ => Err(invalid(&format!("{key} must be a number, finite and not negative"))),
                },
            }
        };
        let input = usd("input")?.ok_or_else(|| invalid("input is missing"))?;
        let output = usd("output")?.ok_or_else(|| invalid("output is missing"))?;
        Ok(Self { input, output, cached_input: usd("cached_input")? })
    }

    /// The cost of `tokens`, of which `cached` input tokens came from the cache (they are inside the input count).
    pub fn cost(&self, tokens: TokenUsage, cached: u64) -> f64 {
        let cached = cached.min(tokens.input);
        let cached_price = self.cached_input.unwrap_or(self.input);
        ((tokens.input - cached) as f64 * self.input
            + cached as f64 * cached_price
            + tokens.output as f64 * self.output)
            / 1_000_000.0
    }
}

/// The default prices (see [`DEFAULT_PRICES_DATE`]). Keys are model names or their prefixes.
const DEFAULT_PRICES: &[(&str, Price)] = &[
    // OpenAI: https://openai.com/api/pricing/
    ("gpt-4o", Price::new(2.50, 10.00, Some(1.25))),
    ("gpt-4o-2024-05-13", Price::new(5.00, 15.00, None)),
    ("gpt-4o-mini", Price::new(0.15, 0.60, Some(0.075))),
    ("gpt-4.1", Price::new(2.00, 8.00, Some(0.50))),
    ("gpt-4.1-mini", Price::new(0.40, 1.60, Some(0.10))),
    ("gpt-4.1-nano", Price::new(0.10, 0.40, Some(0.025))),
    ("o1", Price::new(15.00, 60.00, Some(7.50))),
    ("o3", Price::new(2.00, 8.00, Some(0.50))),
    ("o3-mini", Price::new(1.10, 4.40, Some(0.55))),
    ("o4-mini", Price::new(1.10, 4.40, Some(0.275))),
    // Anthropic: https://docs.anthropic.com/en/docs/about-claude/pricing (cache hits; cache writes are billed as
    // input here, though Anthropic charges 1.25× for them).
    ("claude-3-5-sonnet", Price::new(3.00, 15.00, Some(0.30))),
    ("claude-3-7-sonnet", Price::new(3.00, 15.00, Some(0.30))),
    ("claude-sonnet-4", Price::new(3.00, 15.00, Some(0.30))),
    ("claude-3-5-haiku", Price::new(0.80, 4.00, Some(0.08))),
    ("claude-3-haiku", Price::new(0.25, 1.25, Some(0.03))),
    ("claude-3-opus", Price::new(15.00, 75.00, Some(1.50))),
    ("claude-opus-4", Price::new(15.00, 75.00, Some(1.50))),
    // Google: https://ai.google.dev/gemini-api/docs/pricing (prompts up to 200k tokens, 128k for 1.5).
    ("gemini-2.5-pro", Price::new(1.25, 10.00, Some(0.31))),
    ("gemini-2.5-flash", Price::new(0.30, 2.50, Some(0.075))),
    ("gemini-2.5-flash-lite", Price::new(0.10, 0.40, Some(0.025))),
    ("gemini-2.0-flash", Price::new(0.10, 0.40, Some(0.025))),
    ("gemini-2.0-flash-lite", Price::new(0.075, 0.30, None)),
    ("gemini-1.5-pro", Price::new(1.25, 5.00, Some(0.3125))),
    ("gemini-1.5-flash", Price::new(0.075, 0.30, Some(0.01875))),
    // The reference engine's demo model runs locally and costs nothing.
    ("local-mini", Price::new(0.0, 0.0, None)),
];

/// A price table: model name or prefix (lowercase, each once) → price. A few dozen entries: a list is enough.
#[derive(Clone, Debug, PartialEq)]
pub struct PriceTable {
    entries: Vec<(String, Price)>,
}

#[derive(Debug, thiserror::Error)]
pub enum PriceTableError {
    #[error("invalid price table: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid price table: not an object of model names")]
    NotAnObject,
    #[error("invalid price table: the price of {model:?}: {reason}")]
    Entry { model: String, reason: String },
}

impl Default for PriceTable {
    fn default() -> Self {
        Self { entries: DEFAULT_PRICES.iter().map(|(model, price)| ((*model).to_owned(), *price)).collect() }
    }
}

impl PriceTable {
    pub fn empty() -> Self {
        Self { entries: Vec::new() }
    }

    /// This table with `json`'s entries (`{"model-prefix": {"input", "output", "cached_input"?}}`, USD per million
    /// tokens) added or replacing the ones of the same name; an entry set to `null` removes that name.
    pub fn with_overrides(&self, json: &str) -> Result<Self, PriceTableError> {
        let overrides: Value = serde_json::from_str(json)?;
        let overrides = overrides.as_object().ok_or(PriceTableError::NotAnObject)?;
        let mut table = self.clone();
        for (model, price) in overrides {
            let model = model.trim().to_ascii_lowercase();
            table.entries.retain(|(name, _)| *name != model);
            if !price.is_null() {
                let price = Price::from_json(&model, price)?;
                table.entries.push((model, price));
            }
        }
        Ok(table)
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry for `model`: its exact name, else the longest entry it starts with where the name goes on with a
    /// separator (so `gpt-4o-2024-08-06` is `gpt-4o`, `gpt-4o-mini-…` is `gpt-4o-mini`, and `o3` is not `o3x`).
    /// Provider paths (`openai/gpt-4o`, `models/gemini-2.5-pro`, Bedrock's `us.anthropic.`) and case are ignored.
    pub fn lookup(&self, model: &str) -> Option<(&str, &Price)> {
        let name = normalize(model);
        if let Some((key, price)) = self.entries.iter().find(|(key, _)| *key == name) {
            return Some((key, price));
        }
        self.entries
            .iter()
            .filter(|(key, _)| {
                name.strip_prefix(key.as_str())
                    .and_then(|rest| rest.chars().next())
                    .is_some_and(|next| !next.is_ascii_alphanumeric())
            })
            .max_by_key(|(key, _)| key.len())
            .map(|(key, price)| (key.as_str(), price))
    }
}

fn normalize(model: &str) -> String {
    let mut name = model.trim();
    if let Some((_, last)) = name.rsplit_once('/') {
        name = last;
    }
    // Bedrock's `us.anthropic.claude-…`: leading segments of letters only (never `gpt-4.1`'s "gpt-4").
    while let Some((head, rest)) = name.split_once('.')
        && !head.is_empty()
        && head.chars().all(|c| c.is_ascii_alphabetic())
    {
        name = rest;
    }
    name.to_ascii_lowercase()
}

/// An estimate from the table.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    pub usd: f64,
    /// The table entry that priced it.
    pub entry: String,
    pub price: Price,
}

/// What a span cost, and where the figure comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum SpanCost {
    /// Reported by the sender (`llm.cost.*`, `gen_ai.usage.cost`).
    Sent(Cost),
    Estimated(Estimate),
    /// A model call with token counts whose model the table does not have (or that names no model).
    NoPrice {
        model: Option<String>,
    },
}

impl SpanCost {
    /// As a badge shows it: "$0.0123", "≈ $0.0123", "no price".
    pub fn label(&self) -> String {
        match self {
            SpanCost::Sent(cost) => usd(cost.total),
            SpanCost::Estimated(estimate) => format!("≈ {}", usd(estimate.usd)),
            SpanCost::NoPrice { .. } => "no price".to_owned(),
        }
    }
}

/// The cost of a span: the sender's when it reports one; for a model call with token counts, else, an estimate
/// from `prices`, or "no price" when the table lacks its model. `None` for other spans.
pub fn span_cost(span: &Span, prices: &PriceTable) -> Option<SpanCost> {
    if let Some(sent) = conventions::cost(&span.attributes) {
        return Some(SpanCost::Sent(sent));
    }
    if span_kind(span) != SpanKind::Llm {
        return None;
    }
    let tokens = span_tokens(span)?;
    let names = model_names(&span.attributes);
    // The served model is the one billed (a dated variant may be priced apart); else the one asked for.
    let found = [names.served, names.requested].into_iter().flatten().find_map(|model| prices.lookup(model));
    let Some((entry, price)) = found else {
        return Some(SpanCost::NoPrice { model: names.key().map(str::to_owned) });
    };
    let cached = conventions::token_details(&span.attributes).cache_read.unwrap_or(0);
    Some(SpanCost::Estimated(Estimate { usd: price.cost(tokens, cached), entry: entry.to_owned(), price: *price }))
}

/// Costs summed with their sources kept apart, so a total can say how much of it is estimated.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct CostTotal {
    pub sent_usd: f64,
    pub sent_calls: usize,
    pub estimated_usd: f64,
    pub estimated_calls: usize,
    /// Calls with tokens but no price.
    pub unpriced_calls: usize,
}

impl CostTotal {
    pub fn add(&mut self, cost: &SpanCost) {
        match cost {
            SpanCost::Sent(cost) => {
                self.sent_usd += cost.total;
                self.sent_calls += 1;
            }
            SpanCost::Estimated(estimate) => {
                self.estimated_usd += estimate.usd;
                self.estimated_calls += 1;
            }
            SpanCost::NoPrice { .. } => self.unpriced_calls += 1,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.sent_calls + self.estimated_calls + self.unpriced_calls == 0
    }

    /// "$0.0100", "≈ $0.0123 (estimated)", "$0.0100 + ≈ $0.0023 (estimated)", with " · 1 call with no price"
    /// when some calls could not be priced, and "no price" when none could; "—" when there is nothing.
    pub fn label(&self) -> String {
        let mut parts = Vec::new();
        if self.sent_calls > 0 {
            parts.push(usd(self.sent_usd));
        }
        if self.estimated_calls > 0 {
            parts.push(format!("≈ {} (estimated)", usd(self.estimated_usd)));
        }
        let priced = parts.join(" + ");
        match (priced.is_empty(), self.unpriced_calls) {
            (true, 0) => "—".to_owned(),
            (true, _) => "no price".to_owned(),
            (false, 0) => priced,
            (false, 1) => format!("{priced} · 1 call with no price"),
            (false, n) => format!("{priced} · {n} calls with no price"),
        }
    }
}

/// US dollars with enough decimals to show two significant digits of a small amount: "$1.23", "$0.0123",
/// "$0.000045", "$0", "< $0.000001".
pub fn usd(amount: f64) -> String {
    if amount == 0.0 || !amount.is_finite() {
        return "$0".to_owned();
    }
    if amount < 0.000_001 {
        return "< $0.000001".to_owned();
    }
    if amount >= 1.0 {
        return format!("${amount:.2}");
    }
    let decimals = match amount {
        0.001.. => 4,
        0.0001.. => 5,
        _ => 6,
    };
    format!("${amount:.decimals$}")
}

/// A price as the details show it: "$2.50 in / $10.00 out / $1.25 cached per 1M tokens".
pub fn price_label(price: &Price) -> String {
    // At least cents, and the digits a price per million has ($0.075).
    let per = |usd: f64| {
        let text = format!("{usd:.5}");
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let fraction = fraction.trim_end_matches('0');
        format!("${whole}.{fraction:0<2}")
    };
    let cached = price.cached_input.map(|c| format!(" / {} cached", per(c))).unwrap_or_default();
    format!("{} in / {} out{cached} per 1M tokens", per(price.input), per(price.output))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conventions::names::*;
    use crate::tree::tests::span;
    use serde_json::json;

    fn call(model: &str, input: u64, output: u64) -> Span {
        let mut s = span("l", None, 0);
        s.kind = SpanKind::Llm;
        s.attributes.insert(GEN_AI_REQUEST_MODEL.to_owned(), json!(model));
        s.token_usage = Some(TokenUsage::new(input, output));
        s
    }

    fn estimate(cost: Option<SpanCost>) -> (String, f64) {
        match cost {
            Some(SpanCost::Estimated(e)) => (e.entry, (e.usd * 1e9).round() / 1e9),
            other => panic!("not an estimate: {other:?}"),
        }
    }

    #[test]
    fn exact_then_longest_prefix_on_a_separator() {
        let t = PriceTable::default();
        let entry = |m: &str| t.lookup(m).map(|(k, _)| k.to_owned());
        assert_eq!(entry("gpt-4o").as_deref(), Some("gpt-4o"));
        assert_eq!(entry("gpt-4o-2024-08-06").as_deref(), Some("gpt-4o"));
        assert_eq!(entry("gpt-4o-2024-05-13").as_deref(), Some("gpt-4o-2024-05-13"), "an exact entry wins");
        assert_eq!(entry("gpt-4o-mini-2024-07-18").as_deref(), Some("gpt-4o-mini"));
        assert_eq!(entry("gpt-4.1-nano").as_deref(), Some("gpt-4.1-nano"));
        assert_eq!(entry("o3-mini-2025-01-31").as_deref(), Some("o3-mini"));
        assert_eq!(entry("o3x"), None, "a prefix ends at a separator");
        assert_eq!(entry("claude-3-5-sonnet-20241022").as_deref(), Some("claude-3-5-sonnet"));
        assert_eq!(entry("claude-sonnet-4-20250514").as_deref(), Some("claude-sonnet-4"));
        assert_eq!(entry("claude-3-5-haiku@20241022").as_deref(), Some("claude-3-5-haiku"));
        assert_eq!(entry("us.anthropic.claude-3-7-sonnet-20250219-v1:0").as_deref(), Some("claude-3-7-sonnet"));
        assert_eq!(entry("models/gemini-2.5-flash-lite-preview").as_deref(), Some("gemini-2.5-flash-lite"));
        assert_eq!(entry("openai/GPT-4.1-mini").as_deref(), Some("gpt-4.1-mini"));
        assert_eq!(entry("local-mini").as_deref(), Some("local-mini"));
        assert_eq!(entry("llama-3-70b"), None);
    }

    #[test]
    fn estimates_bill_cached_input_at_its_own_price() {
        let t = PriceTable::default();
        // 1,000 in and 500 out on gpt-4o: 1000 × 2.50 + 500 × 10 = 7,500 per million.
        assert_eq!(estimate(span_cost(&call("gpt-4o-2024-08-06", 1000, 500), &t)), ("gpt-4o".to_owned(), 0.0075));
        let mut cached = call("gpt-4o", 1000, 500);
        cached.attributes.insert(GEN_AI_CACHE_READ_TOKENS.to_owned(), json!(800));
        // 200 × 2.50 + 800 × 1.25 + 500 × 10 = 6,500.
        assert_eq!(estimate(span_cost(&cached, &t)).1, 0.0065);
        let p = Price::new(1.0, 2.0, None);
        assert_eq!(p.cost(TokenUsage::new(10, 0), 99), 10.0 / 1e6, "no cache price: all input at the input price");
    }

    #[test]
    fn the_senders_cost_wins_and_unknown_models_have_no_price() {
        let t = PriceTable::default();
        let mut sent = call("gpt-4o", 1000, 500);
        sent.attributes.insert(LLM_COST_TOTAL.to_owned(), json!(0.02));
        assert!(matches!(span_cost(&sent, &t), Some(SpanCost::Sent(c)) if c.total == 0.02));
        let mut gen_ai = call("gpt-4o", 1, 1);
        gen_ai.attributes.insert(GEN_AI_USAGE_COST.to_owned(), json!("0.5"));
        assert!(matches!(span_cost(&gen_ai, &t), Some(SpanCost::Sent(c)) if c.total == 0.5));
        let unknown = span_cost(&call("llama-3-70b", 10, 10), &t);
        assert_eq!(unknown, Some(SpanCost::NoPrice { model: Some("llama-3-70b".to_owned()) }));
        assert_eq!(unknown.map(|c| c.label()).as_deref(), Some("no price"));
        let mut no_tokens = call("gpt-4o", 0, 0);
        no_tokens.token_usage = None;
        assert_eq!(span_cost(&no_tokens, &t), None);
        let mut tool = call("gpt-4o", 1, 1);
        tool.kind = SpanKind::Tool;
        assert_eq!(span_cost(&tool, &t), None, "only model calls are estimated");
    }

    #[test]
    fn the_served_model_is_priced_first() {
        let mut s = call("gpt-4o", 1_000_000, 0);
        s.attributes.insert(GEN_AI_RESPONSE_MODEL.to_owned(), json!("gpt-4o-2024-05-13"));
        assert_eq!(estimate(span_cost(&s, &PriceTable::default())), ("gpt-4o-2024-05-13".to_owned(), 5.0));
    }

    #[test]
    fn overrides_add_replace_and_remove_entries() -> Result<(), PriceTableError> {
        let t = PriceTable::default().with_overrides(
            r#"{"GPT-4o": {"input": 1, "output": 2}, "llama-3": {"input": 0.5, "output": 0.5, "cached_input": 0.1},
                "o3": null}"#,
        )?;
        assert_eq!(t.lookup("gpt-4o-2024-08-06").map(|(_, p)| *p), Some(Price::new(1.0, 2.0, None)));
        assert_eq!(t.lookup("llama-3-70b").map(|(k, _)| k), Some("llama-3"));
        assert_eq!(t.lookup("o3").map(|(k, _)| k), None);
        assert_eq!(t.len(), PriceTable::default().len(), "one added, one removed");
        assert_eq!(estimate(span_cost(&call("gpt-4o", 1000, 1000), &t)).1, 0.003);
        let error = |json: &str| PriceTable::default().with_overrides(json).err().map(|e| e.to_string());
        assert_eq!(error("[1]").as_deref(), Some("invalid price table: not an object of model names"));
        assert!(error("{").is_some_and(|e| e.starts_with("invalid price table: EOF")));
        assert_eq!(
            error(r#"{"M": {"input": 1}}"#).as_deref(),
            Some(r#"invalid price table: the price of "m": output is missing"#)
        );
        assert_eq!(
            error(r#"{"m": {"input": 1, "output": 1, "cached": 1}}"#).as_deref(),
            Some(r#"invalid price table: the price of "m": unknown field "cached""#)
        );
        assert_eq!(
            error(r#"{"m": {"input": -1, "output": 1}}"#).as_deref(),
            Some(r#"invalid price table: the price of "m": input must be a number, finite and not negative"#)
        );
        assert!(error(r#"{"m": {"input": "1", "output": 1}}"#).is_some(), "a number, not a string");
        assert!(error(r#"{"m": 3}"#).is_some_and(|e| e.ends_with("not an object")));
        assert!(PriceTable::empty().with_overrides("{}")?.is_empty());
        Ok(())
    }

    #[test]
    fn totals_keep_sources_apart_and_labels_say_so() {
        let mut total = CostTotal::default();
        assert_eq!(total.label(), "—");
        total.add(&SpanCost::NoPrice { model: None });
        assert_eq!(total.label(), "no price");
        total.add(&SpanCost::Sent(Cost { total: 0.01, prompt: None, completion: None }));
        assert_eq!(total.label(), "$0.0100 · 1 call with no price");
        let price = Price::new(1.0, 1.0, None);
        total.add(&SpanCost::Estimated(Estimate { usd: 0.0023, entry: "m".to_owned(), price }));
        total.add(&SpanCost::NoPrice { model: None });
        assert_eq!(total.label(), "$0.0100 + ≈ $0.0023 (estimated) · 2 calls with no price");
        let estimated = CostTotal { estimated_usd: 0.0123, estimated_calls: 2, ..CostTotal::default() };
        assert_eq!(estimated.label(), "≈ $0.0123 (estimated)");
    }

    #[test]
    fn amounts_show_two_significant_digits() {
        assert_eq!(usd(0.0), "$0");
        assert_eq!(usd(12.345), "$12.35");
        assert_eq!(usd(0.0123), "$0.0123");
        assert_eq!(usd(0.5), "$0.5000");
        assert_eq!(usd(0.000045), "$0.000045");
        assert_eq!(usd(1e-12), "< $0.000001");
        assert_eq!(
            price_label(&Price::new(2.5, 10.0, Some(1.25))),
            "$2.50 in / $10.00 out / $1.25 cached per 1M tokens"
        );
        assert_eq!(price_label(&Price::new(0.075, 0.3, None)), "$0.075 in / $0.30 out per 1M tokens");
    }
}
