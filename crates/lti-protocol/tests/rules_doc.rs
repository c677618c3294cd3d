//! docs/RULES.md is the rule catalog as Markdown: it must match the catalog in the code.

use std::path::Path;

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/RULES.md");
    let generated = lti_protocol::rules::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/RULES.md is stale: run `UPDATE_DOCS=1 cargo test -p lti-protocol --test rules_doc`"
    );
    assert!(generated.matches("\n| `").count() == lti_protocol::rules::RULES.len());
}
