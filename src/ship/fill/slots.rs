//! The slots of a form, as the layout declares them (`slot` in layouts/shipping.typ) and the
//! typeset form reports them: where each field goes and how it is set. Positions come from Typst
//! (the form's own layout), never from numbers in Rust.

use std::collections::BTreeMap;

use serde::Deserialize;

/// One slot of a form: a field's box on the page and how its text is set.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "kebab-case")]
pub struct Slot {
    /// The field, e.g. `recipient`, `info`, `barcode`.
    pub name: String,
    /// Top-left corner on the form's page, in mm.
    pub x: f64,
    pub y: f64,
    /// Width and height of the box, in mm.
    pub w: f64,
    pub h: f64,
    /// The largest text size, in pt.
    #[serde(default)]
    pub size: f64,
    /// The smallest text size the field may shrink to, in pt (default: `size`).
    #[serde(default)]
    pub min: Option<f64>,
    /// Space between lines, in em.
    #[serde(default)]
    pub leading: f64,
    /// Font families per script (`latin`, `ko`, `ja`, `zh-Hant`), first choice first.
    #[serde(default)]
    pub faces: BTreeMap<String, Vec<String>>,
    /// The parts the slot is made of, one per line (e.g. `order`, `box`, `contents`).
    #[serde(default)]
    pub fields: Vec<String>,
    /// The parts set in bold.
    #[serde(default)]
    pub bold: Vec<String>,
    /// `left`, `center` or `right`.
    #[serde(default)]
    pub align: Option<String>,
    /// The words a field is made of (templates with `{name}` holes).
    #[serde(default)]
    pub words: BTreeMap<String, String>,
    /// For a barcode: the widest module, in mm.
    #[serde(default)]
    pub module: Option<f64>,
    /// The fields go on one line, one after the other (`gap` mm apart), each in its own size
    /// (`sizes`, pt), on one baseline.
    #[serde(default)]
    pub inline: bool,
    /// Per field, its size (for `inline` slots), pt.
    #[serde(default)]
    pub sizes: BTreeMap<String, f64>,
    /// Space between inline fields, mm.
    #[serde(default)]
    pub gap: f64,
    /// For a table: the columns, left to right.
    #[serde(default)]
    pub columns: Vec<Column>,
    /// For a table: the size of the small lines under a cell's first line, pt.
    #[serde(default)]
    pub small: Option<f64>,
    /// For a table: the space above and below each row, mm.
    #[serde(default)]
    pub pad: f64,
}

/// One column of a table slot.
#[derive(Debug, Clone, Deserialize, PartialEq)]
pub struct Column {
    /// The field it shows.
    pub field: String,
    /// Its left edge from the slot's, and its width, mm.
    pub x: f64,
    /// Width, mm.
    pub w: f64,
    /// `left`, `center` or `right`.
    #[serde(default)]
    pub align: Option<String>,
}

impl Slot {
    /// The smallest size the field may be set in.
    pub fn min_size(&self) -> f64 {
        self.min.unwrap_or(self.size)
    }

    /// The faces for a script hint, falling back to the Latin list.
    pub fn faces_for(&self, script: &str) -> &[String] {
        self.faces.get(script).or_else(|| self.faces.get("latin")).map_or(&[], Vec::as_slice)
    }

    /// A template of `words`, with `{key}` holes filled from `values`.
    pub fn word(&self, key: &str, values: &[(&str, &str)]) -> String {
        let mut out = self.words.get(key).cloned().unwrap_or_default();
        for (k, v) in values {
            out = out.replace(&format!("{{{k}}}"), v);
        }
        out
    }
}

/// The slots of a form, by name.
#[derive(Debug, Clone, Default)]
pub struct Slots(pub Vec<Slot>);

impl Slots {
    /// Reads the `<gp-slot>` metadata of a typeset form; an entry that is not a slot is an error
    /// naming the layout.
    pub fn read(values: &[serde_json::Value], layout: &str) -> Result<Slots, String> {
        let mut slots = Vec::new();
        for v in values {
            let slot: Slot = serde_json::from_value(v.clone())
                .map_err(|e| format!("{layout}: a slot of the form is not understood ({e}): {v}"))?;
            if slots.iter().any(|s: &Slot| s.name == slot.name) {
                return Err(format!("{layout}: the form declares the slot `{}` twice", slot.name));
            }
            slots.push(slot);
        }
        Ok(Slots(slots))
    }

    /// The slot `name`, or an error naming the layout and what the slot is for.
    pub fn get(&self, name: &str, layout: &str) -> Result<&Slot, String> {
        self.0.iter().find(|s| s.name == name).ok_or_else(|| {
            format!(
                "{layout}: the form has no slot `{name}`; declare it with `slot(\"{name}\", …)` where the field goes"
            )
        })
    }
}
