//! The render stage: site + theme → `Output`, every page rendered in parallel, in memory.
//!
//! Pure given a loaded theme: nothing here reads or writes files. Every template error is
//! collected with the template's file and line and the page being rendered.

pub mod theme;
pub mod view;

use std::collections::BTreeMap;

use rayon::prelude::*;
use tera::{Context, Value};

use crate::diagnostics::Diagnostic;
use crate::model::{ArticleId, EntityKind, Period, Site};
use crate::output::{FileData, Output};
use crate::routes::{self, layout};
use theme::{StaticData, Theme};
use view::{Link, PageMeta, Paginator, TermLink};

/// One page to render.
enum Job {
    Home,
    Article(ArticleId),
    Topics,
    Topic(usize, usize),
    Entities(EntityKind),
    Entity(EntityKind, usize, usize),
    Year(usize),
    Month(usize, usize),
    Day(usize),
    Editions,
    Edition(usize),
    NotFound,
}

/// Shared, per-build values.
struct Shared<'a> {
    site: &'a Site,
    theme: &'a Theme,
    cards: Vec<Value>,
    site_value: Value,
}

/// Renders every page of `site` with `theme`.
pub fn render(site: &Site, theme: &Theme) -> Result<Output, Vec<Diagnostic>> {
    let shared = Shared { site, theme, cards: view::cards(site), site_value: view::site_view(site) };
    let jobs = jobs(site);
    let results: Vec<Result<(String, String), Box<Diagnostic>>> =
        jobs.par_iter().map(|job| shared.render(job)).collect();
    let mut out = Output::default();
    let mut diags = Vec::new();
    for r in results {
        match r {
            Ok((route, html)) => out.insert(routes::file_for(&route), FileData::Bytes(html.into_bytes())),
            Err(d) => {
                if !diags.contains(&*d) {
                    diags.push(*d)
                }
            }
        }
    }
    for (to, data) in &theme.statics {
        let data = match data {
            StaticData::Embedded(b) => FileData::Bytes(b.to_vec()),
            StaticData::File(p) => FileData::Copy(p.clone()),
        };
        out.insert(to.clone(), data);
    }
    if diags.is_empty() { Ok(out) } else { Err(diags) }
}

fn pages(n: usize, per_page: usize) -> usize {
    n.div_ceil(per_page).max(1)
}

fn jobs(site: &Site) -> Vec<Job> {
    let per = site.config.per_page;
    let mut v = vec![Job::Home, Job::Topics, Job::Editions, Job::NotFound];
    v.extend(site.articles.iter().map(|a| Job::Article(a.id)));
    for (i, t) in site.topics.iter().enumerate() {
        v.extend((1..=pages(t.articles.len(), per)).map(|p| Job::Topic(i, p)));
    }
    for kind in [EntityKind::Person, EntityKind::Place, EntityKind::Source] {
        v.push(Job::Entities(kind));
        for (i, e) in site.entities(kind).iter().enumerate() {
            v.extend((1..=pages(e.articles.len(), per)).map(|p| Job::Entity(kind, i, p)));
        }
    }
    v.extend((0..site.years.len()).map(Job::Year));
    for (i, m) in site.months.iter().enumerate() {
        v.extend((1..=pages(m.articles.len(), per)).map(|p| Job::Month(i, p)));
    }
    v.extend((0..site.days.len()).map(Job::Day));
    v.extend((0..site.editions.len()).map(Job::Edition));
    v
}

fn kind_words(kind: EntityKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        EntityKind::Person => ("person", "people", "People"),
        EntityKind::Place => ("place", "places", "Places"),
        EntityKind::Source => ("source", "sources", "Sources"),
    }
}

impl Shared<'_> {
    fn meta(&self, kind: &'static str, title: String, description: String, route: &str) -> PageMeta<'static> {
        let description = if description.is_empty() { self.site.config.description.clone() } else { description };
        PageMeta {
            kind,
            title,
            description: clip(&description, 200),
            canonical: format!("{}{route}", self.site.config.base_url),
            href: self.site.href(route),
        }
    }

    fn context(&self, meta: &PageMeta) -> Context {
        let mut ctx = Context::new();
        ctx.insert_value("site", self.site_value.clone());
        ctx.insert("page", meta);
        ctx
    }

    fn paginate(&self, ctx: &mut Context, base: &str, ids: &[ArticleId], page: usize) -> String {
        let per = self.site.config.per_page;
        let total = pages(ids.len(), per);
        let start = ((page - 1) * per).min(ids.len());
        let end = (start + per).min(ids.len());
        ctx.insert_value("articles", view::list(&self.cards, &ids[start..end]));
        ctx.insert(
            "paginator",
            &Paginator {
                current: page,
                total,
                prev: (page > 1).then(|| self.site.href(&routes::paged(base, page - 1))),
                next: (page < total).then(|| self.site.href(&routes::paged(base, page + 1))),
            },
        );
        routes::paged(base, page)
    }

    fn render(&self, job: &Job) -> Result<(String, String), Box<Diagnostic>> {
        let site = self.site;
        let (template, route, ctx) = match *job {
            Job::Home => {
                let meta = self.meta("home", site.config.title.clone(), String::new(), "");
                let mut ctx = self.context(&meta);
                ctx.insert_value(
                    "edition",
                    site.editions.first().map(|_| self.edition_value(0)).unwrap_or(Value::none()),
                );
                ctx.insert_value("editions", self.editions_value(1, 12));
                ("index.html", String::new(), ctx)
            }
            Job::Article(id) => {
                let a = site.article(id);
                let meta = self.meta("article", a.title.clone(), a.summary.clone(), &a.route);
                let mut ctx = self.context(&meta);
                ctx.insert("article", &view::article_view(site, a));
                ctx.insert_value("related", view::related(site, &self.cards, a));
                ctx.insert_value("referenced_by", view::list(&self.cards, &a.referenced_by));
                let neighbours: Vec<Value> = a
                    .neighbours
                    .iter()
                    .map(|n| {
                        let mut m = BTreeMap::new();
                        m.insert("topic".to_string(), Value::from_serializable(&view::topic_link(site, n.topic.0)));
                        m.insert(
                            "older".to_string(),
                            n.older.map(|o| self.cards[o.0 as usize].clone()).unwrap_or(Value::none()),
                        );
                        m.insert(
                            "newer".to_string(),
                            n.newer.map(|o| self.cards[o.0 as usize].clone()).unwrap_or(Value::none()),
                        );
                        Value::from(m)
                    })
                    .collect();
                ctx.insert_value("neighbours", Value::from(neighbours));
                ("article.html", a.route.clone(), ctx)
            }
            Job::Topics => {
                let meta = self.meta(
                    "topics",
                    "Topics".into(),
                    format!("All topics of {}", site.config.title),
                    layout::TOPICS,
                );
                let mut ctx = self.context(&meta);
                let terms: Vec<TermLink> = site
                    .topics
                    .iter()
                    .map(|t| TermLink { name: &t.name, href: site.href(&t.route), count: t.articles.len() })
                    .collect();
                ctx.insert("terms", &terms);
                ctx.insert("kind", "topic");
                ctx.insert("kind_plural", "Topics");
                ("terms.html", layout::TOPICS.to_string(), ctx)
            }
            Job::Topic(i, page) => {
                let t = &site.topics[i];
                let title = page_title(&t.name, page);
                let desc = t
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("Articles about {} in {}", t.name, site.config.title));
                let route = routes::paged(&t.route, page);
                let meta = self.meta("topic", title, desc, &route);
                let mut ctx = self.context(&meta);
                self.paginate(&mut ctx, &t.route, &t.articles, page);
                ctx.insert(
                    "term",
                    &Term {
                        kind: "topic",
                        kind_label: "Topic",
                        name: &t.name,
                        description: t.description.as_deref(),
                        href: site.href(&t.route),
                        count: t.articles.len(),
                    },
                );
                ("list.html", route, ctx)
            }
            Job::Entities(kind) => {
                let (_, plural, label) = kind_words(kind);
                let route = format!("{plural}/");
                let meta = self.meta(plural, label.into(), format!("{label} in {}", site.config.title), &route);
                let mut ctx = self.context(&meta);
                let terms: Vec<TermLink> = site
                    .entities(kind)
                    .iter()
                    .map(|e| TermLink { name: &e.name, href: site.href(&e.route), count: e.articles.len() })
                    .collect();
                ctx.insert("terms", &terms);
                ctx.insert("kind", kind_words(kind).0);
                ctx.insert("kind_plural", label);
                ("terms.html", route, ctx)
            }
            Job::Entity(kind, i, page) => {
                let e = &site.entities(kind)[i];
                let (singular, _, _) = kind_words(kind);
                let route = routes::paged(&e.route, page);
                let desc = match kind {
                    EntityKind::Source => format!("Articles from {} collected in {}", e.name, site.config.title),
                    _ => format!("Articles mentioning {} in {}", e.name, site.config.title),
                };
                let meta = self.meta(singular, page_title(&e.name, page), desc, &route);
                let mut ctx = self.context(&meta);
                self.paginate(&mut ctx, &e.route, &e.articles, page);
                let kind_label = match kind {
                    EntityKind::Person => "Person",
                    EntityKind::Place => "Place",
                    EntityKind::Source => "Source",
                };
                ctx.insert(
                    "term",
                    &Term {
                        kind: singular,
                        kind_label,
                        name: &e.name,
                        description: None,
                        href: site.href(&e.route),
                        count: e.articles.len(),
                    },
                );
                ("list.html", route, ctx)
            }
            Job::Year(i) => {
                let p = &site.years[i];
                let children: Vec<&Period> = site.months.iter().filter(|m| m.key.starts_with(&p.key)).collect();
                self.archive("year", &site.years, i, children, 1)
            }
            Job::Month(i, page) => {
                let p = &site.months[i];
                let children: Vec<&Period> = site.days.iter().filter(|d| d.key.starts_with(&p.key)).collect();
                self.archive("month", &site.months, i, children, page)
            }
            Job::Day(i) => self.archive("day", &site.days, i, Vec::new(), 1),
            Job::Editions => {
                let meta = self.meta(
                    "editions",
                    "Editions".into(),
                    format!("Every edition of {}", site.config.title),
                    layout::EDITIONS,
                );
                let mut ctx = self.context(&meta);
                ctx.insert_value("editions", self.editions_value(0, usize::MAX));
                ("editions.html", layout::EDITIONS.to_string(), ctx)
            }
            Job::Edition(i) => {
                let e = &site.editions[i];
                let meta = self.meta(
                    "edition",
                    e.title.clone(),
                    format!("{}: {} articles, {}", e.title, e.articles.len(), range(e.start, e.end)),
                    &e.route,
                );
                let mut ctx = self.context(&meta);
                ctx.insert_value("edition", self.edition_value(i));
                let link = |j: usize| {
                    site.editions
                        .get(j)
                        .map(|e| Value::from_serializable(&Link { name: &e.title, href: site.href(&e.route) }))
                        .unwrap_or(Value::none())
                };
                ctx.insert_value("newer", i.checked_sub(1).map(link).unwrap_or(Value::none()));
                ctx.insert_value("older", link(i + 1));
                ("edition.html", e.route.clone(), ctx)
            }
            Job::NotFound => {
                let meta = self.meta("404", "Page not found".into(), String::new(), "404.html");
                ("404.html", "404.html".to_string(), self.context(&meta))
            }
        };
        let html = self.theme.tera.render(template, &ctx).map_err(|e| {
            let page = match job {
                Job::Article(id) => format!("/{} from {}", route, site.article(*id).path.display()),
                _ => format!("/{route}"),
            };
            Box::new(self.theme.diagnostic(&e, Some(&page)))
        })?;
        Ok((route, html))
    }

    fn archive(
        &self,
        kind: &'static str,
        list: &[Period],
        i: usize,
        children: Vec<&Period>,
        page: usize,
    ) -> (&'static str, String, Context) {
        let site = self.site;
        let p = &list[i];
        let route = routes::paged(&p.route, page);
        let meta = self.meta(
            kind,
            page_title(&p.label, page),
            format!("Articles of {} in {}", p.label, site.config.title),
            &route,
        );
        let mut ctx = self.context(&meta);
        let link = |j: usize| {
            list.get(j)
                .map(|q| Value::from_serializable(&Link { name: &q.label, href: site.href(&q.route) }))
                .unwrap_or(Value::none())
        };
        // Lists are newest first: the newer period is the previous index.
        ctx.insert_value("newer", i.checked_sub(1).map(link).unwrap_or(Value::none()));
        ctx.insert_value("older", link(i + 1));
        let kids: Vec<TermLink> = children
            .iter()
            .map(|c| TermLink { name: &c.label, href: site.href(&c.route), count: c.articles.len() })
            .collect();
        ctx.insert("children", &kids);
        ctx.insert(
            "period",
            &Term {
                kind: "period",
                kind_label: kind,
                name: &p.label,
                description: None,
                href: site.href(&p.route),
                count: p.articles.len(),
            },
        );
        if kind == "year" {
            ctx.insert_value("articles", Value::from(Vec::<Value>::new()));
            ctx.insert_value("groups", Value::from(Vec::<Value>::new()));
            ctx.insert("paginator", &Paginator { current: 1, total: 1, prev: None, next: None });
        } else {
            let per = site.config.per_page;
            let start = ((page - 1) * per).min(p.articles.len());
            let end = (start + per).min(p.articles.len());
            self.paginate(&mut ctx, &p.route, &p.articles, page);
            ctx.insert_value("groups", self.day_groups(&p.articles[start..end]));
        }
        ("archive.html", route, ctx)
    }

    /// Articles (already newest first) grouped by day, for month pages.
    fn day_groups(&self, ids: &[ArticleId]) -> Value {
        let mut groups: Vec<Value> = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            let day = self.site.article(ids[i]).day;
            let mut j = i;
            while j < ids.len() && self.site.article(ids[j]).day == day {
                j += 1;
            }
            let mut m = BTreeMap::new();
            m.insert("name".to_string(), Value::from(day.format("%-d %B %Y").to_string()));
            m.insert("href".to_string(), Value::from(self.site.href(&layout::day(day))));
            m.insert("articles".to_string(), view::list(&self.cards, &ids[i..j]));
            groups.push(Value::from(m));
            i = j;
        }
        Value::from(groups)
    }

    fn edition_value(&self, i: usize) -> Value {
        let site = self.site;
        let e = &site.editions[i];
        let groups: Vec<Value> = e
            .groups
            .iter()
            .map(|g| {
                let mut m = BTreeMap::new();
                match g.topic {
                    Some(t) => {
                        let l = view::topic_link(site, t.0);
                        m.insert("name".to_string(), Value::from(l.name));
                        m.insert("href".to_string(), Value::from(l.href));
                    }
                    None => {
                        m.insert("name".to_string(), Value::from("Other news"));
                        m.insert("href".to_string(), Value::none());
                    }
                }
                m.insert("articles".to_string(), view::list(&self.cards, &g.articles));
                Value::from(m)
            })
            .collect();
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::from(e.id.as_str()));
        m.insert("title".to_string(), Value::from(e.title.as_str()));
        m.insert("range".to_string(), Value::from(range(e.start, e.end)));
        m.insert("href".to_string(), Value::from(site.href(&e.route)));
        m.insert("count".to_string(), Value::from(e.articles.len()));
        m.insert("groups".to_string(), Value::from(groups));
        Value::from(m)
    }

    fn editions_value(&self, skip: usize, take: usize) -> Value {
        let site = self.site;
        let list: Vec<Value> = site
            .editions
            .iter()
            .skip(skip)
            .take(take)
            .map(|e| {
                let mut m = BTreeMap::new();
                m.insert("title".to_string(), Value::from(e.title.as_str()));
                m.insert("range".to_string(), Value::from(range(e.start, e.end)));
                m.insert("href".to_string(), Value::from(site.href(&e.route)));
                m.insert("count".to_string(), Value::from(e.articles.len()));
                Value::from(m)
            })
            .collect();
        Value::from(list)
    }
}

/// A topic, entity or period as the heading of a list page.
#[derive(serde::Serialize)]
struct Term<'a> {
    kind: &'a str,
    kind_label: &'a str,
    name: &'a str,
    description: Option<&'a str>,
    href: String,
    count: usize,
}

/// At most `max` characters, cut at a word and marked with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let at_word = cut.rfind(' ').filter(|i| *i > max / 2).unwrap_or(cut.len());
    format!("{}…", cut[..at_word].trim_end_matches([',', ';', ':', ' ']))
}

fn page_title(name: &str, page: usize) -> String {
    if page > 1 { format!("{name} (page {page})") } else { name.to_string() }
}

/// "3–9 March 2025", "28 February – 6 March 2025", "5 March 2025".
fn range(start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    if start == end {
        start.format("%-d %B %Y").to_string()
    } else if start.year() != end.year() {
        format!("{} – {}", start.format("%-d %B %Y"), end.format("%-d %B %Y"))
    } else if start.month() != end.month() {
        format!("{} – {}", start.format("%-d %B"), end.format("%-d %B %Y"))
    } else {
        format!("{}–{}", start.format("%-d"), end.format("%-d %B %Y"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[test]
    fn ranges() {
        let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d).unwrap();
        assert_eq!(range(d(3, 3), d(3, 9)), "3–9 March 2025");
        assert_eq!(range(d(2, 24), d(3, 2)), "24 February – 2 March 2025");
        assert_eq!(range(d(3, 5), d(3, 5)), "5 March 2025");
    }

    #[test]
    fn clipping() {
        assert_eq!(clip("short", 10), "short");
        assert_eq!(clip("one two three four", 12), "one two…");
    }

    #[test]
    fn page_counts() {
        assert_eq!(pages(0, 10), 1);
        assert_eq!(pages(10, 10), 1);
        assert_eq!(pages(11, 10), 2);
    }
}
