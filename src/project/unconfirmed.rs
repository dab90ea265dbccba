//! Passages the editors marked `#unconfirmed[…]` in a chapter: found in the Typst source (parsed,
//! not searched as text, so a mention in a comment or in raw text does not count). An edition
//! printing one is a draft, and `build --final` refuses it.

use typst::syntax::{LinkedNode, SyntaxKind};

/// The name of the layout function (layouts/prose.typ).
pub const FUNCTION: &str = "unconfirmed";

/// Byte offsets of every call of `#unconfirmed` in a chapter source (at its `#`), in order.
pub fn find(source: &str) -> Vec<usize> {
    let root = typst::syntax::parse(source);
    let mut out = Vec::new();
    walk(&LinkedNode::new(&root), &mut out);
    out.into_iter().map(|at| if source[..at].ends_with('#') { at - 1 } else { at }).collect()
}

fn walk(node: &LinkedNode, out: &mut Vec<usize>) {
    if node.kind() == SyntaxKind::FuncCall
        && let Some(callee) = node.children().next()
        && callee.kind() == SyntaxKind::Ident
        && callee.get().leaf_text() == FUNCTION
    {
        out.push(node.offset());
    }
    for child in node.children() {
        walk(&child, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_calls_not_mentions() {
        let src = "#import \"/layouts/prose.typ\": unconfirmed\n= Title\n\nA fact. #unconfirmed[A claim.] More.\n\
                   // #unconfirmed[in a comment]\n`#unconfirmed[raw]`\n\n#unconfirmed([second])\n";
        let found = find(src);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(src[found[0]..].starts_with("#unconfirmed[A claim.]"));
        assert!(src[found[1]..].starts_with("#unconfirmed([second])"));
    }

    #[test]
    fn none_in_plain_text() {
        assert!(find("= Title\n\nThe word unconfirmed is just a word.\n").is_empty());
    }
}
