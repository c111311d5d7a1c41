//! Markdown to HTML in one pass over pulldown-cmark's events: cross-links resolved, footnote ids
//! prefixed per article, heading ids, the first paragraph as summary, dangerous urls removed and
//! raw HTML sanitised unless the site opts out.
//!
//! Pure: it knows the rest of the site only through `Links`.

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};

/// How a cross-link target was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<Id> {
    /// Exactly one article.
    Found(Id),
    /// Several articles answer to this name; the listed ones are candidates.
    Ambiguous(Vec<Id>),
    /// Nothing answers.
    Missing,
    /// It names an article whose file failed to parse: already reported, so not again.
    Unavailable,
}

/// What the renderer needs to know about the other articles of the site.
pub trait Links {
    /// An article handle.
    type Id: Copy + Eq;
    /// `[[x]]`: x is a slug, a title or an original url.
    fn by_ref(&self, target: &str) -> Resolution<Self::Id>;
    /// `@/path/file.md`, path relative to `content/`.
    fn by_file(&self, path: &str) -> Resolution<Self::Id>;
    /// A plain link that may be another article's original url.
    fn by_url(&self, url: &str) -> Option<Self::Id>;
    /// The article's page, as an href.
    fn href(&self, id: Self::Id) -> &str;
    /// The article's title, shown for `[[slug]]`.
    fn title(&self, id: Self::Id) -> &str;
}

/// Switches from `site.toml`.
#[derive(Debug, Clone, Copy)]
pub struct Switches {
    /// Curly quotes and dashes.
    pub smart_punctuation: bool,
    /// Keep raw HTML as written.
    pub unsafe_html: bool,
}

/// The result of rendering one article body.
#[derive(Debug, Clone)]
pub struct Rendered<Id> {
    /// The body as HTML (shared: the model and the memo of `serve` hold the same text).
    pub html: std::sync::Arc<str>,
    /// Plain text of the first paragraph.
    pub first_paragraph: String,
    /// Articles this body links to, in order of first appearance, without repeats.
    pub links: Vec<Id>,
    /// Problems with byte ranges relative to the body.
    pub problems: Vec<(String, Range<usize>)>,
    /// Every question the body asked of the site, in order, with what the answer showed; empty
    /// unless rendered by `render_noting`.
    pub asked: Vec<Asked>,
}

/// A question a body asked of the site (see `Links`) and what its answer showed: the articles
/// found by their hrefs and titles, since ids move from one build to the next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asked {
    query: Query,
    answer: Answer,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Query {
    Ref(String),
    File(String),
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Answer {
    Found { href: String, title: String },
    Ambiguous(Vec<String>),
    Missing,
    Unavailable,
}

impl Query {
    fn ask<L: Links>(&self, links: &L) -> Resolution<L::Id> {
        match self {
            Query::Ref(target) => links.by_ref(target),
            Query::File(path) => links.by_file(path),
            Query::Url(url) => links.by_url(url).map_or(Resolution::Missing, Resolution::Found),
        }
    }
}

impl Answer {
    fn of<L: Links>(r: &Resolution<L::Id>, links: &L) -> Answer {
        match r {
            Resolution::Found(id) => Answer::Found { href: links.href(*id).into(), title: links.title(*id).into() },
            Resolution::Ambiguous(ids) => Answer::Ambiguous(ids.iter().map(|id| links.href(*id).to_string()).collect()),
            Resolution::Missing => Answer::Missing,
            Resolution::Unavailable => Answer::Unavailable,
        }
    }

    /// Whether `r` shows as this answer did.
    fn shows<L: Links>(&self, r: &Resolution<L::Id>, links: &L) -> bool {
        match (self, r) {
            (Answer::Found { href, title }, Resolution::Found(id)) => {
                links.href(*id) == href && links.title(*id) == title
            }
            (Answer::Ambiguous(hrefs), Resolution::Ambiguous(ids)) => {
                hrefs.iter().map(String::as_str).eq(ids.iter().map(|id| links.href(*id)))
            }
            (Answer::Missing, Resolution::Missing) | (Answer::Unavailable, Resolution::Unavailable) => true,
            _ => false,
        }
    }
}

/// `Links` that notes every question asked and its answer.
struct Noting<'a, L> {
    links: &'a L,
    asked: std::cell::RefCell<Vec<Asked>>,
}

impl<L: Links> Noting<'_, L> {
    fn note(&self, query: Query) -> Resolution<L::Id> {
        let r = query.ask(self.links);
        self.asked.borrow_mut().push(Asked { answer: Answer::of(&r, self.links), query });
        r
    }
}

impl<L: Links> Links for Noting<'_, L> {
    type Id = L::Id;
    fn by_ref(&self, target: &str) -> Resolution<L::Id> {
        self.note(Query::Ref(target.to_string()))
    }
    fn by_file(&self, path: &str) -> Resolution<L::Id> {
        self.note(Query::File(path.to_string()))
    }
    fn by_url(&self, url: &str) -> Option<L::Id> {
        match self.note(Query::Url(url.to_string())) {
            Resolution::Found(id) => Some(id),
            _ => None,
        }
    }
    fn href(&self, id: L::Id) -> &str {
        self.links.href(id)
    }
    fn title(&self, id: L::Id) -> &str {
        self.links.title(id)
    }
}

/// `render`, noting every question asked of `links` (`Rendered::asked`), so that a later build
/// can tell whether the body still renders the same (`Rendered::links_again`).
pub fn render_noting<L: Links>(body: &str, prefix: &str, opts: Switches, links: &L) -> Rendered<L::Id> {
    let noting = Noting { links, asked: std::cell::RefCell::new(Vec::new()) };
    let mut r = render(body, prefix, opts, &noting);
    r.asked = noting.asked.into_inner();
    r
}

impl<Id> Rendered<Id> {
    /// For this body (rendered by `render_noting`) with the same text and switches: whether it
    /// renders the same against `links`, that is whether every question it asked has an answer
    /// that shows the same; if so, the articles it links to now (`links`, by their ids now).
    pub fn links_again<L: Links>(&self, links: &L) -> Option<Vec<L::Id>> {
        let mut found: Vec<L::Id> = Vec::new();
        for Asked { query, answer } in &self.asked {
            let r = query.ask(links);
            if !answer.shows(&r, links) {
                return None;
            }
            if let Resolution::Found(id) = r
                && !found.contains(&id)
            {
                found.push(id);
            }
        }
        Some(found)
    }

    /// This body with other ids for the articles it links to (see `links_again`).
    pub fn with_links<J>(&self, links: Vec<J>) -> Rendered<J> {
        Rendered {
            html: self.html.clone(),
            first_paragraph: self.first_paragraph.clone(),
            links,
            problems: self.problems.clone(),
            asked: self.asked.clone(),
        }
    }
}

/// Renders `body`. `prefix` makes footnote ids unique per article.
pub fn render<L: Links>(body: &str, prefix: &str, opts: Switches, links: &L) -> Rendered<L::Id> {
    let mut options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS;
    if opts.smart_punctuation {
        options |= Options::ENABLE_SMART_PUNCTUATION;
    }
    let mut events: Vec<Event> = Vec::with_capacity(body.len() / 8);
    let mut out_links: Vec<L::Id> = Vec::new();
    let mut problems = Vec::new();
    let mut first_paragraph = String::new();
    let mut para_state = 0u8; // 0 before the first paragraph, 1 inside it, 2 after
    let mut has_raw_html = false;
    let mut heading_ids: HashSet<String> = HashSet::new();
    let mut heading: Option<(usize, String)> = None; // index of Start event, text so far
    // When a `[[slug]]` is shown with the article's title, the inner text is skipped.
    let mut replace_text: Option<String> = None;
    let mut link_depth_skip = 0usize;

    for (event, range) in Parser::new_ext(body, options).into_offset_iter() {
        if link_depth_skip > 0 {
            match &event {
                Event::End(TagEnd::Link) => {
                    link_depth_skip -= 1;
                    if link_depth_skip == 0 {
                        if let Some(t) = replace_text.take() {
                            if let Some((_, h)) = heading.as_mut() {
                                h.push_str(&t);
                            }
                            if para_state == 1 {
                                first_paragraph.push_str(&t);
                            }
                            events.push(Event::Text(CowStr::from(t)));
                        }
                        events.push(event);
                    }
                }
                Event::Start(Tag::Link { .. }) => link_depth_skip += 1,
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
                let (dest, shown_title) =
                    rewrite_link(link_type, &dest_url, links, &mut out_links, &mut problems, &range);
                if let Some(t) = shown_title {
                    replace_text = Some(t);
                    link_depth_skip = 1;
                }
                Event::Start(Tag::Link { link_type, dest_url: dest.map_or(dest_url, CowStr::from), title, id })
            }
            Event::Start(Tag::Image { link_type, dest_url, title, id }) => {
                let dest = if crate::url::is_dangerous(&dest_url) { CowStr::from("") } else { dest_url };
                Event::Start(Tag::Image { link_type, dest_url: dest, title, id })
            }
            Event::FootnoteReference(label) => Event::FootnoteReference(format!("{prefix}-{label}").into()),
            Event::Start(Tag::FootnoteDefinition(label)) => {
                Event::Start(Tag::FootnoteDefinition(format!("{prefix}-{label}").into()))
            }
            // A checkbox needs a name for screen readers; pulldown-cmark's has none.
            Event::TaskListMarker(done) => Event::InlineHtml(CowStr::from(if done {
                "<input type=\"checkbox\" disabled checked aria-label=\"done\"> "
            } else {
                "<input type=\"checkbox\" disabled aria-label=\"not done\"> "
            })),
            Event::Html(h) | Event::InlineHtml(h) => {
                has_raw_html = true;
                Event::Html(h)
            }
            Event::Start(Tag::Paragraph) => {
                if para_state == 0 && heading.is_none() {
                    para_state = 1;
                }
                Event::Start(Tag::Paragraph)
            }
            Event::End(TagEnd::Paragraph) => {
                if para_state == 1 {
                    para_state = 2;
                }
                Event::End(TagEnd::Paragraph)
            }
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                heading = Some((events.len(), String::new()));
                Event::Start(Tag::Heading { level, id, classes, attrs })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((start, text)) = heading.take() {
                    set_heading_id(&mut events[start], &text, level, &mut heading_ids);
                }
                Event::End(TagEnd::Heading(level))
            }
            other => other,
        };
        if let Event::Text(t) | Event::Code(t) = &event {
            if para_state == 1 {
                first_paragraph.push_str(t);
            }
            if let Some((_, h)) = heading.as_mut() {
                h.push_str(t);
            }
        }
        if matches!(event, Event::SoftBreak | Event::HardBreak) && para_state == 1 {
            first_paragraph.push(' ');
        }
        events.push(event);
    }

    let mut html = String::with_capacity(body.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    if has_raw_html && !opts.unsafe_html {
        html = sanitise(&html);
    }
    Rendered {
        html: html.into(),
        first_paragraph: first_paragraph.trim().to_string(),
        links: out_links,
        problems,
        asked: Vec::new(),
    }
}

/// Decides where a link goes. Returns the new destination (None: keep it) and, for a `[[slug]]`
/// without shown text, the title to show instead.
fn rewrite_link<L: Links>(
    link_type: LinkType,
    dest: &str,
    links: &L,
    out: &mut Vec<L::Id>,
    problems: &mut Vec<(String, Range<usize>)>,
    range: &Range<usize>,
) -> (Option<String>, Option<String>) {
    let found = |id: L::Id, out: &mut Vec<L::Id>| {
        if !out.contains(&id) {
            out.push(id);
        }
    };
    if let LinkType::WikiLink { has_pothole } = link_type {
        let target = dest.trim();
        return match links.by_ref(target) {
            Resolution::Found(id) => {
                found(id, out);
                let title = (!has_pothole).then(|| links.title(id).to_string());
                (Some(links.href(id).to_string()), title)
            }
            Resolution::Ambiguous(ids) => {
                let hrefs: Vec<&str> = ids.iter().map(|i| links.href(*i)).collect();
                problems.push((
                    format!("ambiguous cross-link [[{target}]]: several articles answer to it ({}); link by url or file instead", hrefs.join(", ")),
                    range.clone(),
                ));
                (Some("#".into()), None)
            }
            Resolution::Missing => {
                problems.push((
                    format!("broken cross-link [[{target}]]: no article has this slug, title or url"),
                    range.clone(),
                ));
                (Some("#".into()), None)
            }
            Resolution::Unavailable => (Some("#".into()), None),
        };
    }
    if let Some(path) = dest.strip_prefix("@/") {
        let (file, fragment) = match path.find('#') {
            Some(i) => (&path[..i], &path[i..]),
            None => (path, ""),
        };
        return match links.by_file(file) {
            Resolution::Found(id) => {
                found(id, out);
                (Some(format!("{}{fragment}", links.href(id))), None)
            }
            Resolution::Unavailable => (Some("#".into()), None),
            _ => {
                problems.push((format!("broken link to @/{file}: no article at content/{file}"), range.clone()));
                (Some("#".into()), None)
            }
        };
    }
    if crate::url::is_dangerous(dest) {
        return (Some("#".into()), None);
    }
    if (dest.starts_with("https://") || dest.starts_with("http://"))
        && let Some(id) = links.by_url(dest)
    {
        found(id, out);
        return (Some(links.href(id).to_string()), None);
    }
    (None, None)
}

fn set_heading_id(start: &mut Event, text: &str, level: HeadingLevel, seen: &mut HashSet<String>) {
    if let Event::Start(Tag::Heading { id, .. }) = start {
        let base = match id {
            Some(explicit) => explicit.to_string(),
            None => {
                let s = slug::slugify(text);
                if s.is_empty() { format!("section-{}", level as usize) } else { s }
            }
        };
        let mut candidate = base.clone();
        let mut n = 1;
        while !seen.insert(candidate.clone()) {
            candidate = format!("{base}-{n}");
            n += 1;
        }
        *id = Some(candidate.into());
    }
}

/// Runs rendered HTML through ammonia, keeping what Markdown itself produces.
fn sanitise(html: &str) -> String {
    let mut b = ammonia::Builder::default();
    b.add_generic_attributes(["id", "class"])
        .add_tags(["input"])
        .add_tag_attributes("input", ["type", "checked", "disabled", "aria-label"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("ol", ["start"])
        .link_rel(Some("noopener noreferrer"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect());
    b.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Site;
    impl Links for Site {
        type Id = u32;
        fn by_ref(&self, t: &str) -> Resolution<u32> {
            match t.to_lowercase().as_str() {
                "b" | "title of b" | "https://b.example/story" => Resolution::Found(1),
                "twin" => Resolution::Ambiguous(vec![2, 3]),
                _ => Resolution::Missing,
            }
        }
        fn by_file(&self, p: &str) -> Resolution<u32> {
            if p == "2025/03/05/b.md" { Resolution::Found(1) } else { Resolution::Missing }
        }
        fn by_url(&self, u: &str) -> Option<u32> {
            (u == "https://b.example/story").then_some(1)
        }
        fn href(&self, id: u32) -> &str {
            ["/a/", "/b/", "/t1/", "/t2/"][id as usize]
        }
        fn title(&self, _: u32) -> &str {
            "Title of B"
        }
    }

    fn opts() -> Switches {
        Switches { smart_punctuation: true, unsafe_html: false }
    }

    fn r(md: &str) -> Rendered<u32> {
        render(md, "a", opts(), &Site)
    }

    /// `Site` after an edit: B has another id (an article was added before it), and with
    /// `retitled` another title.
    struct Moved {
        retitled: bool,
    }
    impl Links for Moved {
        type Id = u32;
        fn by_ref(&self, t: &str) -> Resolution<u32> {
            match Site.by_ref(t) {
                Resolution::Found(1) => Resolution::Found(7),
                r => r,
            }
        }
        fn by_file(&self, p: &str) -> Resolution<u32> {
            Site.by_file(p)
        }
        fn by_url(&self, u: &str) -> Option<u32> {
            Site.by_url(u).map(|_| 7)
        }
        fn href(&self, id: u32) -> &str {
            if id == 7 { "/b/" } else { Site.href(id) }
        }
        fn title(&self, id: u32) -> &str {
            if self.retitled { "B, retitled" } else { Site.title(id) }
        }
    }

    #[test]
    fn a_noted_body_renders_again_while_its_answers_show_the_same() {
        let md = "See [[b]], [[twin]], [[nobody]] and [the story](https://b.example/story).";
        let noted = render_noting(md, "a", opts(), &Site);
        let plain = r(md);
        assert_eq!((&noted.html, &noted.links, &noted.problems), (&plain.html, &plain.links, &plain.problems));
        assert_eq!(noted.asked.len(), 4);
        assert_eq!(noted.links_again(&Site), Some(vec![1]));
        // B moved: the same body, linking to B by its new id.
        assert_eq!(noted.links_again(&Moved { retitled: false }), Some(vec![7]));
        assert_eq!(render(md, "a", opts(), &Moved { retitled: false }).html, noted.html);
        // B's title shows in the body: it renders differently now.
        assert_eq!(noted.links_again(&Moved { retitled: true }), None);
        assert!(plain.asked.is_empty(), "only `render_noting` notes");
    }

    #[test]
    fn wikilinks_resolve_and_show_title() {
        let out = r("See [[b]] and [[b|that story]].");
        assert!(out.html.contains(r#"<a href="/b/">Title of B</a>"#), "{}", out.html);
        assert!(out.html.contains(r#"<a href="/b/">that story</a>"#), "{}", out.html);
        assert_eq!(out.links, vec![1]);
        assert!(out.problems.is_empty());
    }

    #[test]
    fn broken_and_ambiguous_wikilinks_are_problems_with_offsets() {
        let md = "One.\n\nSee [[nothing]] and [[twin]].";
        let out = r(md);
        assert_eq!(out.problems.len(), 2);
        let (msg, range) = &out.problems[0];
        assert!(msg.contains("[[nothing]]"));
        assert_eq!(&md[range.clone()], "[[nothing]]");
        assert!(out.problems[1].0.contains("ambiguous"));
    }

    #[test]
    fn at_links_and_original_urls_point_at_pages() {
        let out = r("[x](@/2025/03/05/b.md#part) [y](https://b.example/story) [z](@/missing.md)");
        assert!(out.html.contains(r##"href="/b/#part""##), "{}", out.html);
        assert!(out.html.contains(r#"<a href="/b/">y</a>"#));
        assert_eq!(out.problems.len(), 1);
    }

    #[test]
    fn footnotes_are_prefixed() {
        let out = r("Claim.[^1]\n\n[^1]: Source.");
        assert!(out.html.contains(r##"href="#a-1""##), "{}", out.html);
        assert!(out.html.contains(r#"id="a-1""#), "{}", out.html);
    }

    #[test]
    fn headings_get_unique_ids() {
        let out = r("## What next\n\n## What next\n\n## Custom {#mine}");
        assert!(out.html.contains(r#"<h2 id="what-next">"#));
        assert!(out.html.contains(r#"<h2 id="what-next-1">"#));
        assert!(out.html.contains(r#"<h2 id="mine">"#));
    }

    #[test]
    fn summary_keeps_the_title_shown_for_a_cross_link() {
        let out = r("After [[b]], more.");
        assert_eq!(out.first_paragraph, "After Title of B, more.");
    }

    #[test]
    fn summary_is_first_paragraph_text() {
        let out = r("## Head\n\nFirst *para*\nline two.\n\nSecond.");
        assert_eq!(out.first_paragraph, "First para line two.");
    }

    #[test]
    fn raw_html_is_sanitised_and_javascript_urls_removed() {
        let out = r("<script>alert(1)</script>\n\n<b onclick=\"x()\">bold</b> [c](javascript:alert(1))");
        assert!(!out.html.contains("<script"), "{}", out.html);
        assert!(!out.html.contains("onclick"));
        assert!(!out.html.contains("javascript:"));
        assert!(out.html.contains("<b>bold</b>"));
    }

    #[test]
    fn smart_punctuation_is_a_switch() {
        let plain = render("\"quoted\" -- dash", "a", Switches { smart_punctuation: false, unsafe_html: false }, &Site);
        assert!(plain.html.contains("\"quoted\" -- dash"), "{}", plain.html);
        assert!(r("\"quoted\" -- dash").html.contains("\u{201c}quoted\u{201d} \u{2013} dash"));
    }

    #[test]
    fn unsafe_html_keeps_raw_html() {
        let out = render(
            "<video src=\"v.mp4\"></video>",
            "a",
            Switches { smart_punctuation: false, unsafe_html: true },
            &Site,
        );
        assert!(out.html.contains("<video"));
    }

    #[test]
    fn tables_tasks_strikethrough_smart_quotes() {
        let out = r("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~old~~ \"quoted\"");
        assert!(out.html.contains("<table>"));
        assert!(out.html.contains(r#"<input type="checkbox" disabled checked aria-label="done">"#), "{}", out.html);
        assert!(out.html.contains("<del>old</del>"));
        assert!(out.html.contains("\u{201c}quoted\u{201d}"));
    }
}
