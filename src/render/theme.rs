//! Loads the active theme: the built-in default (embedded in the binary), a site's
//! `themes/NAME/`, and the site's `templates/` overrides, by file name; and the static files of
//! each, the site's winning. Reads disk here only; rendering never does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use tera::Tera;

use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::error::Error;
use crate::source;

/// The built-in theme: `themes/default/` of this repository, compiled in.
const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../themes/default/templates/base.html")),
    ("components.html", include_str!("../../themes/default/templates/components.html")),
    ("index.html", include_str!("../../themes/default/templates/index.html")),
    ("article.html", include_str!("../../themes/default/templates/article.html")),
    ("list.html", include_str!("../../themes/default/templates/list.html")),
    ("terms.html", include_str!("../../themes/default/templates/terms.html")),
    ("archive.html", include_str!("../../themes/default/templates/archive.html")),
    ("edition.html", include_str!("../../themes/default/templates/edition.html")),
    ("editions.html", include_str!("../../themes/default/templates/editions.html")),
    ("search.html", include_str!("../../themes/default/templates/search.html")),
    ("404.html", include_str!("../../themes/default/templates/404.html")),
    ("atom.xml", include_str!("../../themes/default/templates/atom.xml")),
    ("rss.xml", include_str!("../../themes/default/templates/rss.xml")),
];

/// Internal templates that render one card through the theme's `card` component: once per
/// article and build, into the card's `card` and `brief` fields.
pub const CARD: &str = "__digest_card.html";
/// See `CARD`.
pub const BRIEF: &str = "__digest_brief.html";
const INTERNAL_TEMPLATES: &[(&str, &str)] =
    &[(CARD, "{{ <card a={a} /> }}"), (BRIEF, "{{ <card a={a} summary={false} /> }}")];

const BUILTIN_STATIC: &[(&str, &[u8])] = &[
    ("style.css", include_bytes!("../../themes/default/static/style.css")),
    ("search.js", include_bytes!("../../themes/default/static/search.js")),
];

/// Where a static file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaticData {
    /// Compiled into the binary.
    Embedded(&'static [u8]),
    /// A file of the site or its theme.
    File(PathBuf),
}

/// A loaded theme, ready to render.
pub struct Theme {
    /// All templates, parsed.
    pub tera: Tera,
    /// Template name → (file to name in diagnostics, its text).
    sources: BTreeMap<String, (String, String)>,
    /// Output path → bytes to copy.
    pub statics: BTreeMap<String, StaticData>,
    /// What of `site` the templates read, or None when they may read anything (see
    /// `site_fields`).
    pub site_fields: Option<SiteFields>,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme").field("templates", &self.sources.keys().collect::<Vec<_>>()).finish_non_exhaustive()
    }
}

impl Theme {
    /// True when `other` makes every page as this theme does: the same templates, and the same
    /// static files (one may stand in for a page).
    pub fn renders_like(&self, other: &Theme) -> bool {
        self.sources == other.sources && self.statics == other.statics
    }

    /// Turns a Tera error into a diagnostic naming the template file, line and, if given, the page.
    pub fn diagnostic(&self, e: &tera::Error, page: Option<&str>) -> Diagnostic {
        let during = page.map(|p| format!(" (while rendering {p})")).unwrap_or_default();
        match e.kind() {
            tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
                let (label, text) = self
                    .sources
                    .get(r.filename())
                    .map(|(l, t)| (l.clone(), t.as_str()))
                    .unwrap_or_else(|| (r.filename().to_string(), ""));
                Diagnostic::error(format!("template error: {}{during}", r.message())).at_line(
                    label,
                    text,
                    r.span().start_line,
                    r.span().start_col + 1,
                )
            }
            other => {
                let mut msg = format!("template error: {other}{during}");
                let mut cause = std::error::Error::source(e);
                while let Some(c) = cause {
                    msg.push_str(&format!(": {c}"));
                    cause = c.source();
                }
                Diagnostic::error(msg)
            }
        }
    }
}

/// Loads the theme named in `config` for the site at `root`.
pub fn load(root: &Path, config: &Config) -> Result<Result<Theme, Vec<Diagnostic>>, Error> {
    let mut sources: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (name, text) in BUILTIN_TEMPLATES {
        sources.insert(name.to_string(), (format!("themes/default/templates/{name} (built-in)"), text.to_string()));
    }
    let mut statics: BTreeMap<String, StaticData> =
        BUILTIN_STATIC.iter().map(|(name, bytes)| (name.to_string(), StaticData::Embedded(bytes))).collect();

    let theme_dir = root.join("themes").join(&config.theme);
    if theme_dir.is_dir() {
        add_templates(&theme_dir.join("templates"), &format!("themes/{}/templates", config.theme), &mut sources)?;
        add_statics(&theme_dir.join("static"), &mut statics)?;
    } else if config.theme != "default" {
        return Ok(Err(vec![
            Diagnostic::error(format!(
                "theme \"{}\" not found: there is no folder themes/{}/",
                config.theme, config.theme
            ))
            .in_file("site.toml")
            .with_hint("create the folder, or remove `theme` to use the built-in default theme"),
        ]));
    }
    add_templates(&root.join("templates"), "templates", &mut sources)?;
    add_statics(&root.join("static"), &mut statics)?;

    let mut tera = Tera::new();
    tera.autoescape_on([".html", ".htm", ".xml"]);
    for (name, text) in INTERNAL_TEMPLATES {
        sources.insert(name.to_string(), (format!("the card markup ({name}, built-in)"), text.to_string()));
    }
    let named: Vec<(String, String)> = sources.iter().map(|(n, (_, t))| (n.clone(), t.clone())).collect();
    let added = tera.add_raw_templates(named);
    let site_fields = site_fields(sources.values().map(|(_, text)| text.as_str()));
    let theme = Theme { tera, sources, statics, site_fields };
    match added {
        Ok(()) => Ok(Ok(theme)),
        // The diagnostic needs the sources to show the template's line.
        Err(e) => Ok(Err(vec![theme.diagnostic(&e, None)])),
    }
}

/// What of `site` the templates read: each field some template reads, with the fields of its
/// entries that are read (`site.years` is read as `{% for y in site.years %}{{ y.name }}`: the
/// entries' `name`), or None for the whole value.
pub type SiteFields = BTreeMap<String, Option<BTreeSet<String>>>;

/// Finds what of `site` templates read, by reading every template for the word `site`: None
/// when some use is not a plain field access (`site` passed whole to a component, looped over,
/// `site[...]`, or the whole context dumped with `__tera_context`). A field is read whole unless
/// every use of it is `site.F.G` (a field of it), a test of it (`{% if site.F %}`) or a loop over
/// it (`{% for y in site.F %}`) whose variable, wherever the word appears in any template, is
/// only ever the loop's or read for a field (`y.name`). An overestimate (the word in text or a
/// string counts too) is harmless: a rebuild then renders a few pages it could have kept.
/// Without this, every page would change when an article's topic changes the counts in
/// `site.topics`, or a new article those in `site.years`, which the default theme never prints.
fn site_fields<'a>(templates: impl Iterator<Item = &'a str>) -> Option<SiteFields> {
    let texts: Vec<&str> = templates.collect();
    let mut fields = SiteFields::new();
    let mut loops: Vec<(String, &str)> = Vec::new();
    for text in &texts {
        if text.contains("__tera_context") {
            return None;
        }
        for at in words(text, "site") {
            let field = ident(text[at + 4..].strip_prefix('.')?);
            if field.is_empty() {
                return None;
            }
            let rest = &text[at + 5 + field.len()..];
            let entry = fields.entry(field.to_string()).or_insert_with(|| Some(BTreeSet::new()));
            if let Some(sub) = rest.strip_prefix('.') {
                // `site.F.0` is an entry of it, not a field.
                let sub = ident(sub);
                match (entry, sub.is_empty() || sub.starts_with(|c: char| c.is_ascii_digit())) {
                    (Some(subs), false) => {
                        subs.insert(sub.to_string());
                    }
                    (entry, _) => *entry = None,
                }
            } else if let Some(var) = loop_variable(&text[..at], rest) {
                loops.push((field.to_string(), var));
            } else if !is_test(&text[..at], rest) {
                *entry = None;
            }
        }
    }
    for (field, var) in loops {
        for text in &texts {
            for at in words(text, var) {
                let (before, after) = (&text[..at], &text[at + var.len()..]);
                let binding = last_word(before.trim_end()) == "for" && ident(after.trim_start()) == "in";
                if binding {
                    continue;
                }
                let read = after.strip_prefix('.').map(ident).unwrap_or_default();
                let entry = fields.get_mut(&field).expect("a field is known before its loops");
                match (entry, read.is_empty()) {
                    (Some(subs), false) => {
                        subs.insert(read.to_string());
                    }
                    (entry, _) => *entry = None,
                }
            }
        }
    }
    Some(fields)
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Where `name` appears in `text` as a whole word that is not itself a field (`x.name`).
fn words<'t>(text: &'t str, name: &'t str) -> impl Iterator<Item = usize> + 't {
    text.match_indices(name).map(|(at, _)| at).filter(move |&at| {
        let before = text[..at].chars().next_back();
        !before.is_some_and(|c| is_word(c) || c == '.') && !text[at + name.len()..].starts_with(is_word)
    })
}

/// The identifier `text` starts with (empty if none).
fn ident(text: &str) -> &str {
    &text[..text.find(|c| !is_word(c)).unwrap_or(text.len())]
}

fn last_word(text: &str) -> &str {
    &text[text.rfind(|c| !is_word(c)).map_or(0, |i| i + 1)..]
}

/// The variable of `{% for V in site.F %}`, given what comes before `site.F` and after it.
fn loop_variable<'t>(before: &'t str, after: &str) -> Option<&'t str> {
    let after = after.trim_start();
    let before = before.trim_end();
    if !(after.starts_with("%}") || after.starts_with("-%}")) || last_word(before) != "in" {
        return None;
    }
    let before = before[..before.len() - 2].trim_end();
    let var = last_word(before);
    let before = before[..before.len() - var.len()].trim_end();
    (!var.is_empty() && last_word(before) == "for").then_some(var)
}

/// True when `site.F`, between `before` and `after`, is only tested, in the condition of an
/// `if` or `elif` tag: `{% if site.F %}`, `{% if not site.F and … %}` (elsewhere, `x or site.F`
/// may be the value itself).
fn is_test(before: &str, after: &str) -> bool {
    let after = after.trim_start();
    let ends = after.starts_with("%}") || after.starts_with("-%}") || matches!(ident(after), "and" | "or");
    let tag = before.rfind("{%").map(|i| before[i + 2..].trim_start_matches('-').trim_start());
    let condition = tag.is_some_and(|t| matches!(ident(t), "if" | "elif") && !t.contains("%}"));
    ends && condition && matches!(last_word(before.trim_end()), "if" | "elif" | "not" | "and" | "or")
}

fn add_templates(dir: &Path, label: &str, sources: &mut BTreeMap<String, (String, String)>) -> Result<(), Error> {
    for (abs, rel) in source::walk(dir)? {
        if rel.ends_with(".html") || rel.ends_with(".xml") || rel.ends_with(".txt") || rel.ends_with(".json") {
            let text = source::read(&abs)?;
            sources.insert(rel.clone(), (format!("{label}/{rel}"), text));
        }
    }
    Ok(())
}

fn add_statics(dir: &Path, statics: &mut BTreeMap<String, StaticData>) -> Result<(), Error> {
    for (abs, rel) in source::walk(dir)? {
        statics.insert(rel, StaticData::File(abs));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(templates: &[&str]) -> Option<Vec<String>> {
        site_fields(templates.iter().copied()).map(|f| f.into_keys().collect())
    }

    /// The fields of `site.<field>`'s entries found read (None: all of it).
    fn read(templates: &[&str], field: &str) -> Option<Vec<String>> {
        let fields = site_fields(templates.iter().copied()).expect("site is read by field");
        fields[field].as_ref().map(|f| f.iter().cloned().collect())
    }

    #[test]
    fn the_fields_of_site_templates_read_are_found() {
        let base = "<title>{{ site.title }}</title>{% for y in site.years %}{{ y.name }}{% endfor %}";
        let other = "{{ page.site_name }} {{ article.site }} {{site.base_path}}";
        assert_eq!(fields(&[base, other]), Some(vec!["base_path".into(), "title".into(), "years".into()]));
        assert_eq!(fields(&[]), Some(vec![]));
        let builtin: Vec<&str> = BUILTIN_TEMPLATES.iter().map(|(_, t)| *t).collect();
        let found = fields(&builtin).expect("the default theme reads only fields of site");
        assert!(found.contains(&"years".to_string()) && !found.contains(&"topics".to_string()), "{found:?}");
        // The default theme shows the years' names and links, never their counts.
        assert_eq!(read(&builtin, "years"), Some(vec!["href".into(), "name".into()]));
    }

    #[test]
    fn any_other_use_of_site_may_read_everything() {
        for template in [
            "{{ <nav s={site} /> }}",
            "{% set s = site %}{{ s.topics }}",
            "{% for k, v in site %}{{ k }}{% endfor %}",
            "{{ site[\"topics\"] }}",
            "{{ site | json_encode }}",
            "{{ __tera_context }}",
            "{{ site. }}",
        ] {
            assert_eq!(fields(&["{{ site.title }}", template]), None, "{template}");
        }
    }

    #[test]
    fn entries_read_only_by_field_in_loops_and_tests_are_read_in_part() {
        let years = "{%- if site.years and x -%}{% for y in site.years -%}<a href=\"{{ y.href }}\">{{ y.name }}</a>{% endfor %}{% endif %}";
        assert_eq!(read(&[years], "years"), Some(vec!["href".into(), "name".into()]));
        // A field read anywhere of a variable with the loop's name counts, in any template.
        assert_eq!(read(&[years, "{{ y.count }}"], "years"), Some(vec!["count".into(), "href".into(), "name".into()]));
        assert_eq!(
            read(&["{% if not site.latest_edition %}{{ site.latest_edition.name }}{% endif %}"], "latest_edition"),
            Some(vec!["name".into()])
        );
        assert_eq!(read(&["{{ site.title }}"], "title"), None, "printed whole");
        for other in [
            "{{ y }}",
            "{{ y[\"count\"] }}",
            "{{ y | json_encode }}",
            "{% set z = y %}",
            "<list items={y} />",
            "{% if y is defined %}{% endif %}",
            "{{ y.}}",
        ] {
            assert_eq!(read(&[years, other], "years"), None, "{other}");
        }
        for whole in [
            "{{ site.years | length }}",
            "{{ site.years[0].count }}",
            "{% set ys = site.years %}",
            "{% for y in site.years | reverse %}{{ y.name }}{% endfor %}",
            "{% for i, y in site.years %}{{ y.name }}{% endfor %}",
            "{{ site.years or 1 }}",
            "{% if site.years == 1 %}{% endif %}",
            "{% set ys = x or site.years %}{% for y in ys %}{{ y.count }}{% endfor %}",
            "{% if x in site.years %}{% endif %}",
            "{{ site.years.}}",
            "{{ site.years.0.count }}",
        ] {
            assert_eq!(read(&[whole], "years"), None, "{whole}");
        }
    }
}
