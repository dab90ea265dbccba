//! Boxes per postal destination, for summary.json (the rules themselves are model data:
//! [`crate::model::postal`]).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::postal::{Destinations, max_box_g};
use crate::ship::plan::Plan;

/// Boxes going to one destination country, for summary.json.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct DestinationSummary {
    /// Boxes to this country.
    pub boxes: usize,
    /// Their weight, packaging included, in kg (one decimal).
    pub weight_kg: f64,
    /// The heaviest box allowed to this country, in kg.
    pub max_box_kg: f64,
    /// The postal service named for this country, if guidepress.toml names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
}

/// Boxes and weight per destination country of a plan, in country-code order.
pub fn per_destination(
    plan: &Plan,
    destinations: &Destinations,
    default_kg: f64,
) -> BTreeMap<String, DestinationSummary> {
    let mut grams: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for b in &plan.boxes {
        let country = plan.shipments[b.shipment].lines.first().map_or("", |l| l.country.as_str());
        let entry = grams.entry(country.to_string()).or_default();
        entry.0 += 1;
        entry.1 += b.plan.weight_g;
    }
    grams
        .into_iter()
        .map(|(country, (boxes, g))| {
            let summary = DestinationSummary {
                boxes,
                weight_kg: (g / 100.0).round() / 10.0,
                max_box_kg: max_box_g(destinations, &country, default_kg) / 1000.0,
                service: destinations.get(&country).and_then(|d| d.service.clone()),
            };
            (country, summary)
        })
        .collect()
}
