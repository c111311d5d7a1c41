//! Every kind of diagnostic: the build exits 1, names the file and line, and writes nothing.

use crate::support::{Site, snapshot_tree};

/// Builds a broken fixture, checks exit code 1 and that `expect` (a `file:line:col` prefix)
/// opens the diagnostic, and snapshots the whole text.
fn check(fixture: &str, expect: &str) -> String {
    let site = Site::fixture(fixture);
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1, "{fixture} should fail:\n{}", r.stderr);
    assert!(r.stderr.starts_with(expect), "{fixture}: expected {expect:?}, got:\n{}", r.stderr);
    assert!(!r.out.exists(), "a failed first build writes no output");
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "no staging folder is left behind: {leftovers:?}");
    r.diagnostics()
}

#[test]
fn unclosed_front_matter() {
    insta::assert_snapshot!(check(
        "errors/unclosed_front_matter",
        "content/a.md:1:1: error: front matter is never closed"
    ));
}

#[test]
fn invalid_toml() {
    insta::assert_snapshot!(check(
        "errors/invalid_toml",
        "content/a.md:4:23: error: invalid front matter: unclosed array"
    ));
}

#[test]
fn wrong_type() {
    insta::assert_snapshot!(check("errors/wrong_type", "content/a.md:4:10: error: invalid front matter: invalid type"));
}

#[test]
fn invalid_date() {
    insta::assert_snapshot!(check("errors/invalid_date", "content/2025/a.md:3:8: error: invalid date \"2025-13-02\""));
}

#[test]
fn missing_title() {
    insta::assert_snapshot!(check("errors/missing_title", "content/a.md:1:1: error: missing `title`"));
}

#[test]
fn unknown_key_in_site_toml() {
    insta::assert_snapshot!(check(
        "errors/unknown_site_key",
        "site.toml:3:1: error: invalid site.toml: unknown field `per_pag`"
    ));
}

#[test]
fn broken_cross_link() {
    insta::assert_snapshot!(check(
        "errors/broken_cross_link",
        "content/a.md:7:16: error: broken cross-link [[no-such-article]]"
    ));
}

#[test]
fn two_articles_on_one_permalink() {
    insta::assert_snapshot!(check(
        "errors/permalink_collision",
        "content/one/same.md: error: content/one/same.md and content/two/same.md both want to be written to 2025/03/05/same/index.html"
    ));
}

#[test]
fn template_error_names_template_line_and_page() {
    insta::assert_snapshot!(check("errors/template_error", "templates/article.html:4:"));
}

#[test]
fn a_broken_card_component_names_its_template_and_line() {
    // Cards are rendered once per article, outside any one page: the error still points at
    // the component's line, once. The override is the built-in components.html with a typo.
    let site = Site::fixture("build/basic");
    let builtin = include_str!("../../themes/default/templates/components.html");
    let (title, typo) =
        ("<a href=\"{{ a.href }}\">{{ a.title }}</a>", "<a href=\"{{ a.href }}\">{{ a.headline_typo }}</a>");
    assert!(builtin.contains(title), "the card links its title");
    site.write("templates/components.html", &builtin.replace(title, typo));
    let line = builtin.lines().position(|l| l.contains(title)).unwrap() + 1;
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("\ntemplates/components.html:{line}:29: error: template error")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("Field `headline_typo` is not defined"), "{}", r.stderr);
    assert_eq!(r.stderr.matches(": error: ").count(), 1, "{}", r.stderr);
}

#[test]
fn several_broken_files_are_all_reported_and_old_output_is_untouched() {
    let site = Site::fixture("errors/several_files");
    // A previous good output that must survive the failed build byte for byte.
    std::fs::create_dir_all(site.root.join("public/old")).unwrap();
    std::fs::write(site.root.join("public/old/index.html"), "previous build").unwrap();
    let before = snapshot_tree(&site.root.join("public"));
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1);
    let heads: Vec<&str> = r.stderr.lines().filter(|l| l.contains(": error: ")).collect();
    assert_eq!(heads.len(), 3, "{}", r.stderr);
    assert!(heads[0].starts_with("content/bad-date.md:3:8: error:"), "{}", heads[0]);
    assert!(heads[1].starts_with("content/broken-link.md:5:5: error: broken link to @/nowhere.md"), "{}", heads[1]);
    assert!(heads[2].starts_with("content/no-title.md:1:1: error: missing `title`"), "{}", heads[2]);
    assert!(r.stderr.contains("build failed with 3 errors"));
    assert_eq!(snapshot_tree(&site.root.join("public")), before);
    insta::assert_snapshot!(r.diagnostics());
}

#[test]
fn config_and_content_errors_are_reported_together() {
    let site = Site::fixture("errors/several_files");
    site.write("site.toml", "title = \"x\"\nbase_url = \"/\"\ntimezone = \"Nowhere/Land\"\n");
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("site.toml:3:12: error: unknown time zone"), "{}", r.stderr);
    assert!(r.stderr.contains("content/no-title.md:1:1: error"), "{}", r.stderr);
}

#[test]
fn template_syntax_error_names_template_and_line() {
    insta::assert_snapshot!(check("errors/template_syntax", "templates/article.html:3:"));
}

#[test]
fn an_asset_on_a_generated_file_is_an_error_but_a_static_file_may_replace_one() {
    let site = Site::fixture("build/drafts");
    site.write("static/robots.txt", "User-agent: *\nDisallow: /\n");
    let r = site.build();
    assert_eq!(r.file("robots.txt"), "User-agent: *\nDisallow: /\n", "the site's static file wins");
    site.write("content/feed.json", "{}");
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(
            "content/feed.json: error: content/feed.json and the generated feed.json both want to be written to feed.json"
        ),
        "{}",
        r.stderr
    );
    std::fs::remove_file(site.root.join("content/feed.json")).unwrap();
    site.write("content/robots.txt", "x");
    let r = site.build_with(&[]);
    assert_eq!(r.code, 1, "an asset may not replace a static file either: {}", r.stderr);
}
