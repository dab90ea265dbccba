//! The Typst embedding: fonts from `fonts/`, a World over the project folder, compiling and export.

pub mod bleed;
pub mod compile;
pub mod coverage;
pub mod fonts;
pub mod pixels;
pub mod pool;
pub mod qr;
pub mod recolor;
pub mod world;
