//! The site as one typed, read-only value, and `assemble`, the stage that builds it from the
//! parsed articles: ids, topics, entities, dates, editions, cross-links, related articles.
//!
//! All grouping and ordering happens here, on typed fields. Relations are indices. Nothing here
//! touches the disk or knows about templates.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::{Config, EditionKind};
use crate::diagnostics::Diagnostic;
use crate::frontmatter::{self, FrontMatter, Located, RelatedRef};
use crate::markdown::{self, Links, Resolution};
use crate::routes::layout;
use crate::source::Source;

/// Index into `Site::articles`. Articles are sorted newest first, so smaller is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ArticleId(pub u32);

/// Index into `Site::topics`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicId(pub u32);

/// Index into one of `Site::people`, `places` or `sources`, as its kind says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u32);

/// Kinds of named things an article mentions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    /// `people`.
    Person,
    /// `places`.
    Place,
    /// `source`: the outlet.
    Source,
}

impl EntityKind {
    /// Url section and template word: `people`, `places`, `sources`.
    pub fn section(self) -> &'static str {
        match self {
            EntityKind::Person => "people",
            EntityKind::Place => "places",
            EntityKind::Source => "sources",
        }
    }
}

/// Why an article is listed as related.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// The curator said so, in this article or in the other one.
    Editorial,
    /// They share rare topics, people or places.
    Shared,
}

/// One entry of an article's related list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Related {
    /// An article of this site.
    Article(ArticleId, Why),
    /// A `{ title, url }` entry that matches no article: an outside link.
    External {
        /// Shown text.
        title: String,
        /// Target.
        url: String,
    },
}

/// Neighbours of an article within one of its topics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopicNeighbours {
    /// The topic.
    pub topic: TopicId,
    /// The next older article of that topic.
    pub older: Option<ArticleId>,
    /// The next newer article of that topic.
    pub newer: Option<ArticleId>,
}

/// One article, resolved.
#[derive(Debug, Clone)]
pub struct Article {
    /// Its id.
    pub id: ArticleId,
    /// Source file relative to the site root, e.g. `content/2025/03/05/x.md`.
    pub path: PathBuf,
    /// Source file relative to `content/`, `/`-separated: what `@/` links name.
    pub rel: String,
    /// Url segment.
    pub slug: String,
    /// Headline.
    pub title: String,
    /// Published, in the site's zone.
    pub date: DateTime<FixedOffset>,
    /// Updated, in the site's zone.
    pub updated: Option<DateTime<FixedOffset>>,
    /// The calendar day in the site's zone.
    pub day: NaiveDate,
    /// Original url.
    pub url: Option<String>,
    /// Outlet.
    pub source: Option<EntityId>,
    /// Topics, in the order written.
    pub topics: Vec<TopicId>,
    /// People.
    pub people: Vec<EntityId>,
    /// Places.
    pub places: Vec<EntityId>,
    /// Explicit summary, or the first paragraph's text.
    pub summary: String,
    /// Rendered body.
    pub body_html: Arc<str>,
    /// Editorial and computed related articles, editorial first, without repeats.
    pub related: Vec<Related>,
    /// Articles whose body links here, newest first.
    pub referenced_by: Vec<ArticleId>,
    /// Articles this body links to.
    pub links_to: Vec<ArticleId>,
    /// Previous and next article in each topic.
    pub neighbours: Vec<TopicNeighbours>,
    /// Index into `Site::editions`.
    pub edition: usize,
    /// Url relative to the site root.
    pub route: String,
    /// Url with the base path: what links use.
    pub href: String,
    /// A draft, shown because of `--drafts`.
    pub draft: bool,
    /// Front matter `[extra]`.
    pub extra: toml::Table,
}

impl Article {
    /// True when everything but the wording (rendered body, summary, title) is equal: then
    /// only the pages and files that show this article's text, card or title can differ (see
    /// `TextChanges`).
    pub fn same_but_text(&self, other: &Article) -> bool {
        let Article {
            id,
            path,
            rel,
            slug,
            title: _,
            date,
            updated,
            day,
            url,
            source,
            topics,
            people,
            places,
            summary: _,
            body_html: _,
            related,
            referenced_by,
            links_to,
            neighbours,
            edition,
            route,
            href,
            draft,
            extra,
        } = self;
        *id == other.id
            && *path == other.path
            && *rel == other.rel
            && *slug == other.slug
            && *date == other.date
            && *updated == other.updated
            && *day == other.day
            && *url == other.url
            && *source == other.source
            && *topics == other.topics
            && *people == other.people
            && *places == other.places
            && *related == other.related
            && *referenced_by == other.referenced_by
            && *links_to == other.links_to
            && *neighbours == other.neighbours
            && *edition == other.edition
            && *route == other.route
            && *href == other.href
            && *draft == other.draft
            && *extra == other.extra
    }
}

/// What an edit of article wording alone (body, summary, title) changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TextChanges {
    /// Articles whose own page changed: it and the feeds carrying them are rendered again.
    pub pages: Vec<ArticleId>,
    /// Among them, those whose card changed (summary or title): every list and page that
    /// shows it as well.
    pub cards: Vec<ArticleId>,
    /// Among those, the ones whose summary changed (the search summaries).
    pub summaries: Vec<ArticleId>,
    /// Among those, the ones whose title changed (the search index, the news sitemap).
    pub titles: Vec<ArticleId>,
}

impl TextChanges {
    /// Records what changed of article `id`.
    fn add(&mut self, id: ArticleId, body: bool, summary: bool, title: bool) {
        if summary {
            self.summaries.push(id);
        }
        if title {
            self.titles.push(id);
        }
        if summary || title {
            self.cards.push(id);
        }
        if body || summary || title {
            self.pages.push(id);
        }
    }
}

/// The articles whose wording (rendered body, summary, title) alone changed between two builds
/// of the same site, or None when anything else changed (then everything must be rendered
/// again).
pub fn changed_texts(before: &Site, after: &Site) -> Option<TextChanges> {
    // Articles name topics, entities and editions by their places in the lists: a topic
    // renamed where it stands in the list of topics leaves every article as it was.
    if before.articles.len() != after.articles.len()
        || before.topics != after.topics
        || before.people != after.people
        || before.places != after.places
        || before.sources != after.sources
        || before.years != after.years
        || before.months != after.months
        || before.days != after.days
        || before.editions != after.editions
    {
        return None;
    }
    let mut changed = TextChanges::default();
    for (a, b) in before.articles.iter().zip(&after.articles) {
        if !a.same_but_text(b) {
            return None;
        }
        changed.add(b.id, a.body_html != b.body_html, a.summary != b.summary, a.title != b.title);
    }
    if !changed.titles.is_empty() && before.shared_titles() != after.shared_titles() {
        return None;
    }
    Some(changed)
}

/// The fast path of a rebuild when some article files changed: if their front matter is as
/// before but for the title and summary, their new bodies keep the same links to other
/// articles, and no reference anywhere can resolve differently under a new title, nothing but
/// wording can differ from a full build, so the previous site is copied with the new wording
/// (bodies that link to a retitled article show its title: they are rendered again too, their
/// files read with `read`). Returns None (rebuild everything) otherwise, including when a body
/// has a problem to report or a changed file had a warning (its lines may have moved). The memo
/// comes back with the new front matter.
pub fn reassemble_texts(
    before: &Site,
    memo: &Memo,
    warnings: &[Diagnostic],
    changed: &[Arc<Source>],
    read: &dyn Fn(&std::path::Path) -> Option<String>,
) -> Option<(Site, TextChanges, Memo)> {
    // (article, its text, where the body starts, its front matter summary)
    let mut texts: Vec<(ArticleId, std::borrow::Cow<str>, usize, Option<String>)> = Vec::new();
    let mut retitled: Vec<(ArticleId, String)> = Vec::new();
    // The new front matter and titles, put into copies of the site and memo once the changes
    // are known to be wording alone (most edits that are not are told apart here, and copying
    // a site and memo of 10,000 articles costs a few milliseconds).
    let mut fronts: Vec<(String, (Arc<FrontMatter>, usize))> = Vec::new();
    let mut titles: Vec<(ArticleId, String)> = Vec::new();
    for src in changed {
        let (a, fm, body_start, (kept, _)) = reread(before, memo, src)?;
        let (id, old) = (a.id, &*kept);
        if fm != *old {
            if !fm.same_but(old, frontmatter::Leeway::Wording) || warned(warnings, src) {
                return None;
            }
            fronts.push((src.rel.clone(), (Arc::new(fm.clone()), body_start)));
        }
        if fm.title != old.title {
            retitled.push((id, old.title.to_lowercase()));
            titles.push((id, fm.title));
        }
        texts.push((id, src.text.as_str().into(), body_start, fm.summary));
    }
    let mut site = before.clone();
    let mut memo = memo.clone();
    memo.fronts.extend(fronts);
    for (id, title) in titles {
        Arc::make_mut(&mut site.articles[id.0 as usize]).title = title;
    }
    let mut keys = memo.keys.clone()?;
    keys.retitle(&site, &retitled);
    memo.keys = Some(keys.clone());
    let index = Index::with_keys(site.articles.iter().map(|a| &**a), keys);
    if !retitled.is_empty() {
        // A title is also a name other articles refer to it by (`[[Title]]`, `related`): the
        // old and new titles must each name this article alone (in any case), and no related
        // entry may use either (it could resolve differently now).
        let mut names = std::collections::HashSet::new();
        for (id, old) in &retitled {
            let new = site.article(*id).title.to_lowercase();
            if index.keys.by_title.get(&new).is_none_or(|ids| ids[..] != [*id])
                || index.keys.by_title.contains_key(old)
                || !names.insert(old.clone())
            {
                return None;
            }
            names.insert(new);
        }
        let named = |r: &RelatedRef| match r {
            RelatedRef::Ref(x) => names.contains(&x.to_lowercase()),
            RelatedRef::Link { title, .. } => names.contains(&title.to_lowercase()),
        };
        if memo.fronts.values().any(|f| f.0.related.iter().any(|r| named(&r.value))) {
            return None;
        }
        for (id, _) in &retitled {
            for r in &before.article(*id).referenced_by {
                if texts.iter().all(|(t, ..)| t != r) {
                    let a = before.article(*r);
                    let text = read(&a.path)?;
                    let (fm, body_start) = frontmatter::parse(&a.path, &text, &before.config.timezone).ok()?;
                    if fm != *memo.fronts.get(&a.rel)?.0 {
                        return None;
                    }
                    texts.push((*r, text.into(), body_start, fm.summary));
                }
            }
        }
    }
    let switches = markdown::Switches {
        smart_punctuation: before.config.smart_punctuation,
        unsafe_html: before.config.unsafe_html,
    };
    let mut bodies: Vec<(ArticleId, Arc<str>, String)> = Vec::new();
    for (id, text, body_start, summary) in texts {
        let old = before.article(id);
        let r = markdown::render(&text[body_start..], &old.slug, switches, &index);
        let links_to: Vec<ArticleId> = r.links.into_iter().filter(|x| *x != id).collect();
        if !r.problems.is_empty() || links_to != old.links_to {
            return None;
        }
        bodies.push((id, r.html, summary.unwrap_or(r.first_paragraph)));
    }
    drop(index);
    let mut changed = TextChanges::default();
    for (id, html, summary) in bodies {
        let title = before.article(id).title != site.article(id).title;
        let a = Arc::make_mut(&mut site.articles[id.0 as usize]);
        let (body, new_summary) = (a.body_html != html, a.summary != summary);
        a.body_html = html;
        a.summary = summary;
        changed.add(id, body, new_summary, title);
    }
    Some((site, changed, memo))
}

/// A changed article file read for the fast paths of a rebuild: its article in `before`, its
/// front matter now, where its body starts, and its front matter and body start at the last
/// build (from `memo`). None when it is no article of `before` or does not parse.
fn reread<'s>(before: &'s Site, memo: &Memo, src: &Source) -> Option<(&'s Article, FrontMatter, usize, FrontOf)> {
    // A few files: a scan costs less than a map of every file.
    let a = before.articles.iter().find(|a| a.rel == src.rel)?;
    let (fm, body_start) = frontmatter::parse(&src.path, &src.text, &before.config.timezone).ok()?;
    Some((a, fm, body_start, memo.fronts.get(&src.rel)?.clone()))
}

/// Whether the last build warned about this file (its lines may have moved since).
fn warned(warnings: &[Diagnostic], src: &Source) -> bool {
    warnings.iter().any(|w| w.path.as_deref() == Some(src.path.as_path()))
}

/// The fast path of a rebuild when some article files changed only in their topics, people and
/// places: their bodies, links, routes and dates are the last build's, so the previous site is
/// copied with the new memberships (names new to the site added to the registries, those left
/// without articles taken out, the ids after them moved), and what follows from them is made
/// again: the lists of the topics and entities touched, the neighbours they change, the groups of
/// the editions of articles whose first topic changed, and the related picks (from their memo).
/// Returns None (assemble everything) when a changed file had a warning, its body differs (`old`
/// holds the last build's files), a name has no slug, a topic or entity the site had would be
/// named otherwise (the first spelling of its oldest article names it), an undeclared topic is
/// added or taken where topics are declared (a warning names it), or a route would change. The
/// memo comes back with the new front matter.
pub fn reassemble_tags(
    before: &Site,
    memo: &Memo,
    warnings: &[Diagnostic],
    changed: &[Arc<Source>],
    old: &[Arc<Source>],
) -> Option<(Site, Memo)> {
    let config = &before.config;
    let switches = (config.smart_punctuation, config.unsafe_html);
    let zone_name = format!("{:?}", config.timezone);
    let mut edits: Vec<TagEdit> = Vec::new();
    for src in changed {
        let (a, fm, body_start, (last, last_start)) = reread(before, memo, src).filter(|_| !warned(warnings, src))?;
        let was = old.iter().find(|o| o.rel == src.rel)?;
        if !fm.same_but(&last, frontmatter::Leeway::Tags) || was.text[last_start..] != src.text[body_start..] {
            return None;
        }
        // Its topics, people and places by slug, each once, in the order named.
        let slugs = [&fm.topics, &fm.people, &fm.places]
            .map(|names| dedup(names.iter().map(|n| slug::slugify(&n.value)).collect::<Vec<String>>()));
        if slugs.iter().flatten().any(String::is_empty) {
            return None;
        }
        if config.permalink.expand(&fm.date, &a.slug, slugs[0].first().map(String::as_str)) != a.route {
            return None;
        }
        let was_slugs = [
            a.topics.iter().map(|t| before.topic(*t).slug.clone()).collect(),
            a.people.iter().map(|e| before.entity(EntityKind::Person, *e).slug.clone()).collect(),
            a.places.iter().map(|e| before.entity(EntityKind::Place, *e).slug.clone()).collect(),
        ];
        edits.push(TagEdit { id: a.id, slugs, was_slugs, fm: Arc::new(fm), body_start, now: src, was });
    }
    // Where topics are declared, the first article with an undeclared one has a warning about it.
    let declared = |slug: &str| config.topics.iter().any(|d| d.slug == slug);
    let moved = |kind: usize| -> Vec<&str> {
        let mut slugs: Vec<&str> = edits
            .iter()
            .flat_map(|e| {
                let (now, was) = (&e.slugs[kind], &e.was_slugs[kind]);
                now.iter().filter(|s| !was.contains(s)).chain(was.iter().filter(|s| !now.contains(s)))
            })
            .map(String::as_str)
            .collect();
        slugs.sort_unstable();
        slugs.dedup();
        slugs
    };
    let moved = [moved(0), moved(1), moved(2)];
    if !config.topics.is_empty() && !moved[0].iter().all(|t| declared(t)) {
        return None;
    }
    // The memo gains the new files' front matter, and their bodies (the same as before), once
    // the edits are known to be tags alone (copying a memo of 10,000 files takes milliseconds).
    let mut memo = memo.clone();
    for TagEdit { id, fm, body_start, now, was, .. } in &edits {
        let slug = &before.article(*id).slug;
        memo.fronts.insert(now.rel.clone(), (fm.clone(), *body_start));
        memo.parsed.insert(key(&(&now.path, now.digest(), &zone_name)), (fm.clone(), *body_start, slug.clone()));
        let body = |digest: u64| key(&(slug, digest, switches.0, switches.1));
        if let Some(r) = memo.bodies.get(&body(was.digest())).cloned() {
            memo.bodies.insert(body(now.digest()), r);
        }
    }
    let mut site = before.clone();
    // The registries after the edits, and each old id's new one.
    let member = |kind: usize| edits.iter().map(move |e| (e.id, &e.was_slugs[kind], &e.slugs[kind]));
    // New ones are named below.
    let topics = regroup(&mut site.topics, member(0), |t| declared(&t.slug), |s| Topic::undeclared(s, s))?;
    let entity = |kind| move |s: &str| Entity::new(kind, s, s);
    let people = regroup(&mut site.people, member(1), |_| false, entity(EntityKind::Person))?;
    let places = regroup(&mut site.places, member(2), |_| false, entity(EntityKind::Place))?;
    // Every article's ids, by the new registries (the edited ones' from their names).
    let edited: Vec<(ArticleId, [Vec<u32>; 3])> = edits
        .iter()
        .map(|e| {
            let ids =
                |kind: usize| e.slugs[kind].iter().map(|s| site.tagged(kind, s).expect("registered above").0).collect();
            (e.id, [ids(0), ids(1), ids(2)])
        })
        .collect();
    let map = |remap: &Option<Vec<u32>>, id: u32| remap.as_ref().map_or(id, |r| r[id as usize]);
    site.articles.par_iter_mut().for_each(|a| {
        let ids = match edited.iter().find(|(id, _)| *id == a.id) {
            Some((_, ids)) => ids.clone(),
            None if topics.is_none() && people.is_none() && places.is_none() => return,
            None => [
                a.topics.iter().map(|t| map(&topics, t.0)).collect(),
                a.people.iter().map(|e| map(&people, e.0)).collect(),
                a.places.iter().map(|e| map(&places, e.0)).collect(),
            ],
        };
        let neighbours: Vec<TopicNeighbours> =
            a.neighbours.iter().map(|n| TopicNeighbours { topic: TopicId(map(&topics, n.topic.0)), ..*n }).collect();
        let same = a.topics.iter().map(|t| t.0).eq(ids[0].iter().copied())
            && a.people.iter().map(|e| e.0).eq(ids[1].iter().copied())
            && a.places.iter().map(|e| e.0).eq(ids[2].iter().copied())
            && neighbours == a.neighbours;
        if !same {
            let a = Arc::make_mut(a);
            a.topics = ids[0].iter().map(|t| TopicId(*t)).collect();
            a.people = ids[1].iter().map(|e| EntityId(*e)).collect();
            a.places = ids[2].iter().map(|e| EntityId(*e)).collect();
            a.neighbours = neighbours;
        }
    });
    if topics.is_some() {
        for g in site.editions.iter_mut().flat_map(|e| &mut e.groups) {
            g.topic = g.topic.map(|t| TopicId(map(&topics, t.0)));
        }
    }
    // Each topic or entity of the edited articles, before and after, keeps its name, or is
    // given one when new: the first spelling of its oldest article.
    let front = |id: ArticleId| match edits.iter().find(|e| e.id == id) {
        Some(e) => Some(e.fm.clone()),
        None => memo.fronts.get(&site.article(id).rel).map(|f| f.0.clone()),
    };
    let mut new_names: Vec<(usize, u32, String)> = Vec::new();
    for kind in 0..3 {
        let mut named: Vec<&str> =
            edits.iter().flat_map(|e| e.slugs[kind].iter().chain(&e.was_slugs[kind])).map(String::as_str).collect();
        named.sort_unstable();
        named.dedup();
        for slug in named {
            if kind == 0 && declared(slug) {
                continue;
            }
            // Gone: no name to keep.
            let Some((i, list, _)) = site.tagged(kind, slug) else { continue };
            let was = before.tagged(kind, slug).map(|(_, _, name)| name);
            let fm = front(*list.last()?)?;
            let names = [&fm.topics, &fm.people, &fm.places][kind];
            let spelling = &names.iter().find(|n| slug::slugify(&n.value) == slug)?.value;
            let name = if kind == 0 { Topic::name_of(slug, spelling) } else { spelling.clone() };
            match was {
                Some(was) if was != name => return None,
                Some(_) => {}
                None => new_names.push((kind, i, name)),
            }
        }
    }
    for (kind, i, name) in new_names {
        match kind {
            0 => site.topics[i as usize].name = name,
            1 => site.people[i as usize].name = name,
            _ => site.places[i as usize].name = name,
        }
    }
    // Neighbours in the topics whose lists changed, of the edited articles and of those next to
    // them there, before and after.
    let mut near: Vec<ArticleId> = edits.iter().map(|e| e.id).collect();
    for slug in &moved[0] {
        for site in [before, &site] {
            let Some((_, list, _)) = site.tagged(0, slug) else { continue };
            for TagEdit { id, .. } in &edits {
                let at = list.binary_search(id).unwrap_or_else(|i| i);
                near.extend(list[at.saturating_sub(1)..(at + 2).min(list.len())].iter().copied());
            }
        }
    }
    near.sort_unstable();
    near.dedup();
    for id in near {
        let a = site.article(id);
        let now: Vec<TopicNeighbours> =
            a.topics.iter().map(|t| neighbours(*t, &site.topics[t.0 as usize].articles, id)).collect();
        if now != a.neighbours {
            Arc::make_mut(&mut site.articles[id.0 as usize]).neighbours = now;
        }
    }
    // The editions of articles whose first topic changed group them again.
    for e in &edits {
        if e.slugs[0].first() != e.was_slugs[0].first() {
            let at = site.article(e.id).edition;
            let first = |a: ArticleId| site.article(a).topics.first().copied();
            let grouped = groups(&site.editions[at].articles, first, &site.topics);
            site.editions[at].groups = grouped;
        }
    }
    // The related picks, then each article's list: its editorial entries as they were, then the
    // picks it does not name already.
    let keys = feature_keys(&site.topics, &site.people, &site.places);
    let counts = [site.topics.len(), site.people.len(), site.places.len()];
    let (shared, related) = crate::related::compute_with(&site.articles, &counts, &keys, Some(&memo.related));
    memo.related = Arc::new(related);
    let lists: Vec<Option<Vec<Related>>> =
        site.articles.par_iter().zip(shared).map(|(a, picks)| shared_again(&a.related, a.id, picks)).collect();
    for (a, list) in site.articles.iter_mut().zip(lists) {
        if let Some(list) = list {
            Arc::make_mut(a).related = list;
        }
    }
    Some((site, memo))
}

/// A registry (`list`, sorted by slug) after some articles' memberships changed (`members`: each
/// article with the slugs it had and has): each article taken out of the lists it was in and put
/// into those it is in, names new to it added (by `make`), those left without articles taken out
/// unless `keep`. Returns each old id's new one, None when they are the same; None (outside) when
/// the lists do not hold what the site says.
fn regroup<'e, T: Registered>(
    list: &mut Vec<T>,
    members: impl Iterator<Item = (ArticleId, &'e Vec<String>, &'e Vec<String>)> + Clone,
    keep: impl Fn(&T) -> bool,
    make: impl Fn(&str) -> T,
) -> Option<Option<Vec<u32>>> {
    let before: Vec<String> = list.iter().map(|t| t.slug().to_string()).collect();
    let at = |list: &[T], s: &str| list.binary_search_by(|t| t.slug().cmp(s));
    for (id, was, _) in members.clone() {
        for s in was {
            let i = at(list, s).ok()?;
            let ids = list[i].articles_mut();
            ids.remove(ids.binary_search(&id).ok()?);
        }
    }
    for (id, _, now) in members {
        for s in now {
            let i = match at(list, s) {
                Ok(i) => i,
                Err(i) => {
                    list.insert(i, make(s));
                    i
                }
            };
            let ids = list[i].articles_mut();
            let to = ids.binary_search(&id).err()?;
            ids.insert(to, id);
        }
    }
    list.retain_mut(|t| keep(t) || !t.articles_mut().is_empty());
    if list.len() == before.len() && list.iter().zip(&before).all(|(t, s)| t.slug() == s) {
        return Some(None);
    }
    let remap = before.iter().map(|s| at(list, s).map_or(u32::MAX, |i| i as u32)).collect();
    Some(Some(remap))
}

/// A topic or entity as `regroup` sees it.
trait Registered {
    fn slug(&self) -> &str;
    fn articles_mut(&mut self) -> &mut Vec<ArticleId>;
}

impl Registered for Topic {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn articles_mut(&mut self) -> &mut Vec<ArticleId> {
        &mut self.articles
    }
}

impl Registered for Entity {
    fn slug(&self) -> &str {
        &self.slug
    }
    fn articles_mut(&mut self) -> &mut Vec<ArticleId> {
        &mut self.articles
    }
}

/// An article's related list (`list`, as `merge_related` made it: its editorial entries, then the
/// picks by shared features) with new picks (`picks`, its own id and those named already left
/// out), or None when that is the list it has.
fn shared_again(list: &[Related], id: ArticleId, picks: Vec<ArticleId>) -> Option<Vec<Related>> {
    let at = list.iter().position(|r| matches!(r, Related::Article(_, Why::Shared))).unwrap_or(list.len());
    let mut again = list[..at].to_vec();
    add_related(&mut again, id, picks, Why::Shared);
    (again[at..] != list[at..]).then_some(again)
}

/// Appends to article `me`'s related `list` each of `ids` it does not name already (nor `me`),
/// as related for `why`.
fn add_related(list: &mut Vec<Related>, me: ArticleId, ids: impl IntoIterator<Item = ArticleId>, why: Why) {
    for id in ids {
        if id != me && !list.iter().any(|r| matches!(r, Related::Article(x, _) if *x == id)) {
            list.push(Related::Article(id, why));
        }
    }
}

/// One article file of `reassemble_tags`.
struct TagEdit<'a> {
    id: ArticleId,
    /// Its topics, people and places by slug, now and at the last build.
    slugs: [Vec<String>; 3],
    was_slugs: [Vec<String>; 3],
    fm: Arc<FrontMatter>,
    body_start: usize,
    /// The file now and at the last build.
    now: &'a Arc<Source>,
    was: &'a Arc<Source>,
}

/// A topic: declared in `site.toml`, used in front matter, or both.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    /// Url segment and identity: "Peace talks" and "peace-talks" are one topic.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// From `[topics.SLUG]`.
    pub description: Option<String>,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// Url relative to the site root.
    pub route: String,
}

/// A person, place or source.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// What it is.
    pub kind: EntityKind,
    /// Url segment and identity.
    pub slug: String,
    /// Display name (the first spelling met, oldest article first).
    pub name: String,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// Url relative to the site root.
    pub route: String,
}

impl Topic {
    /// A topic no `[topics.SLUG]` declares, named by its first spelling (`spelling`): one written
    /// as a slug is shown as words, "water-supply" → "Water supply".
    fn undeclared(slug: &str, spelling: &str) -> Topic {
        let name = Topic::name_of(slug, spelling);
        Topic { slug: slug.to_string(), name, description: None, articles: Vec::new(), route: layout::topic(slug) }
    }

    /// The name of an undeclared topic first spelled `spelling`.
    fn name_of(slug: &str, spelling: &str) -> String {
        if spelling == slug { words_of(slug) } else { spelling.to_string() }
    }
}

impl Entity {
    /// An entity named by its first spelling.
    fn new(kind: EntityKind, slug: &str, spelling: &str) -> Entity {
        let route = layout::entity(kind.section(), slug);
        Entity { kind, slug: slug.to_string(), name: spelling.to_string(), articles: Vec::new(), route }
    }
}

/// A year, month or day with articles.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// `2025`, `2025-03` or `2025-03-05`.
    pub key: String,
    /// "2025", "March 2025", "5 March 2025".
    pub label: String,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// Url relative to the site root.
    pub route: String,
}

/// A group of an edition: one topic's articles (None: articles without a topic).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The topic, or none.
    pub topic: Option<TopicId>,
    /// Newest first.
    pub articles: Vec<ArticleId>,
}

/// One edition: the articles of one period, grouped by their first topic.
#[derive(Debug, Clone, PartialEq)]
pub struct Edition {
    /// `2025-03-05`, `2025-W10` or `2025-03`.
    pub id: String,
    /// "Week 10, 2025".
    pub title: String,
    /// First day covered.
    pub start: NaiveDate,
    /// Last day covered.
    pub end: NaiveDate,
    /// Newest first.
    pub articles: Vec<ArticleId>,
    /// Largest group first; articles without topic last.
    pub groups: Vec<Group>,
    /// Url relative to the site root.
    pub route: String,
}

/// The whole site, built once, then only read.
#[derive(Debug, Clone)]
pub struct Site {
    /// Settings.
    pub config: Config,
    /// Newest first; `ArticleId(i)` is `articles[i]`.
    pub articles: Vec<Arc<Article>>,
    /// By slug.
    pub topics: Vec<Topic>,
    /// By slug.
    pub people: Vec<Entity>,
    /// By slug.
    pub places: Vec<Entity>,
    /// By slug.
    pub sources: Vec<Entity>,
    /// Newest first.
    pub years: Vec<Period>,
    /// Newest first.
    pub months: Vec<Period>,
    /// Newest first.
    pub days: Vec<Period>,
    /// Newest first.
    pub editions: Vec<Edition>,
}

impl Site {
    /// Titles written more than once: such articles are told apart on their pages.
    pub fn shared_titles(&self) -> rustc_hash::FxHashSet<&str> {
        let mut seen = rustc_hash::FxHashSet::default();
        self.articles.iter().map(|a| a.title.as_str()).filter(|t| !seen.insert(*t)).collect()
    }

    /// The article with this id.
    pub fn article(&self, id: ArticleId) -> &Article {
        &self.articles[id.0 as usize]
    }
    /// The topic with this id.
    pub fn topic(&self, id: TopicId) -> &Topic {
        &self.topics[id.0 as usize]
    }
    /// The entities of one kind.
    pub fn entities(&self, kind: EntityKind) -> &[Entity] {
        match kind {
            EntityKind::Person => &self.people,
            EntityKind::Place => &self.places,
            EntityKind::Source => &self.sources,
        }
    }
    /// The entity of this kind and id.
    pub fn entity(&self, kind: EntityKind, id: EntityId) -> &Entity {
        &self.entities(kind)[id.0 as usize]
    }
    /// The id of the topic with this slug (registries are sorted by slug).
    fn topic_by_slug(&self, slug: &str) -> Option<u32> {
        self.topics.binary_search_by(|t| t.slug.as_str().cmp(slug)).ok().map(|i| i as u32)
    }
    /// The id of the entity of this kind with this slug.
    fn entity_by_slug(&self, kind: EntityKind, slug: &str) -> Option<u32> {
        self.entities(kind).binary_search_by(|e| e.slug.as_str().cmp(slug)).ok().map(|i| i as u32)
    }
    /// The topic (`kind` 0), person (1) or place (2) with this slug: its id, articles and name.
    fn tagged(&self, kind: usize, slug: &str) -> Option<(u32, &[ArticleId], &str)> {
        if kind == 0 {
            let i = self.topic_by_slug(slug)?;
            let t = self.topic(TopicId(i));
            return Some((i, &t.articles, &t.name));
        }
        let k = if kind == 1 { EntityKind::Person } else { EntityKind::Place };
        let i = self.entity_by_slug(k, slug)?;
        let e = self.entity(k, EntityId(i));
        Some((i, &e.articles, &e.name))
    }
    /// `base_path` + a route: what an `href` holds (`Config::href`).
    pub fn href(&self, route: &str) -> String {
        self.config.href(route)
    }
    /// `base_url` + a route: the absolute url of feeds, sitemaps, canonical links.
    pub fn url(&self, route: &str) -> String {
        [self.config.base_url.as_str(), route].concat()
    }
}

/// An article after its front matter was read, before the site is known.
struct Parsed {
    path: PathBuf,
    rel: String,
    /// The file, until its body is rendered (then let go: a one-off build frees it there).
    source: Option<Arc<Source>>,
    /// Shared with the memo, when there is one; behind a pointer either way, since sorting
    /// the parsed files moves each several times.
    fm: Arc<FrontMatter>,
    body_start: usize,
    slug: String,
}

impl Parsed {
    fn text(&self) -> &str {
        self.source.as_ref().map_or("", |s| &s.text)
    }
}

/// A field of a parsed file's front matter, for its article: moved out when the build holds the
/// front matter alone (a one-off build), cloned when the memo keeps it for the next build.
macro_rules! take_field {
    ($fm:expr, $field:ident) => {
        match Arc::get_mut(&mut $fm) {
            Some(fm) => std::mem::take(&mut fm.$field),
            None => $fm.$field.clone(),
        }
    };
}

/// What `assemble` can reuse from an earlier build of the same site: parsed front matter and
/// rendered bodies, keyed by a hash of everything each depends on, so a hit is exactly what
/// parsing or rendering again would give. Holds only what the last build used.
/// Also the link index's costly keys of the last build's site, which a rebuild of some
/// articles' wording starts from (`reassemble_texts`).
#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// Front matter, where the body starts and the article's slug, by file and text.
    parsed: FxHashMap<u64, (Arc<FrontMatter>, usize, String)>,
    /// Bodies by text, slug and switches, each with the questions it asked of the other
    /// articles (`markdown::render_noting`): a hit holds while their answers show the same, so
    /// an article added or removed renders again only the bodies that name it.
    bodies: FxHashMap<u64, Arc<markdown::Rendered<ArticleId>>>,
    /// The front matter of each article of the site, by file (relative to `content/`).
    fronts: FxHashMap<String, FrontOf>,
    /// The site's link index keys that are costly to make.
    keys: Option<Keys>,
    /// What the related scores of the last build were made from, and each article's picks
    /// (shared: a rebuild of wording copies the memo).
    related: Arc<crate::related::Memo>,
}

/// A file's front matter and where its body starts, as the memo keeps them.
type FrontOf = (Arc<FrontMatter>, usize);

/// A memo key: xxh3, a fingerprint as good as SipHash's here and many times faster over whole
/// files.
fn key<T: std::hash::Hash>(parts: &T) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::new();
    parts.hash(&mut h);
    h.finish()
}

/// Builds the site from the loaded sources. Returns every diagnostic found (warnings too);
/// the site is None when there was an error.
pub fn assemble(config: Config, sources: Vec<Arc<Source>>, drafts: bool) -> (Option<Site>, Vec<Diagnostic>) {
    let (site, diags, _) = assemble_with(config, sources, drafts, None);
    (site, diags)
}

/// `assemble`, reusing what `memo` holds, and returning what the next build can reuse. With
/// no memo (a one-off build) nothing is hashed or kept, and the returned memo is empty.
pub fn assemble_with(
    config: Config,
    sources: Vec<Arc<Source>>,
    drafts: bool,
    memo: Option<&Memo>,
) -> (Option<Site>, Vec<Diagnostic>, Memo) {
    let remember = memo.is_some();
    let empty = Memo::default();
    let memo = memo.unwrap_or(&empty);
    let zone = config.timezone;
    let zone_name = format!("{zone:?}");
    // With a memo, the parsed front matter is also kept (shared) for the next build. A file that
    // fails to parse comes back as its diagnostics and its path.
    type Front = (Arc<FrontMatter>, usize, String, u64);
    let read = |src: &Source| -> Result<Front, Vec<Diagnostic>> {
        let parse = || {
            frontmatter::parse(&src.path, &src.text, &zone).map(|(fm, at)| {
                let slug = match &fm.slug {
                    Some(s) => s.value.clone(),
                    None => file_slug(&src.rel),
                };
                (Arc::new(fm), at, slug)
            })
        };
        if !remember {
            let (fm, body_start, slug) = parse()?;
            return Ok((fm, body_start, slug, 0));
        }
        let k = key(&(&src.path, src.digest(), &zone_name));
        let (fm, body_start, slug) = match memo.parsed.get(&k) {
            Some(hit) => hit.clone(),
            None => parse()?,
        };
        Ok((fm, body_start, slug, k))
    };
    type Read = Result<(Parsed, u64), (Vec<Diagnostic>, String)>;
    let results: Vec<Read> = sources
        .into_par_iter()
        .map(|src| {
            let (fm, body_start, slug, k) = read(&src).map_err(|d| (d, src.rel.clone()))?;
            let (path, rel) = (src.path.clone(), src.rel.clone());
            Ok((Parsed { path, rel, source: Some(src), fm, body_start, slug }, k))
        })
        .collect();
    let mut next = Memo::default();
    if remember {
        // Filled one file at a time below: grown at once (at 10,000 articles, rehashing them
        // as they grew was a few milliseconds of every rebuild).
        next.fronts.reserve(results.len());
        next.parsed.reserve(results.len());
        next.bodies.reserve(results.len());
    }
    let mut diags = Vec::new();
    // Files that failed to parse: links to them are not reported again.
    let mut unavailable: Vec<(String, String)> = Vec::new();
    // Collected in place, into the results' own memory (at 100k a new list would be 60 MB more
    // to fault in).
    let mut parsed: Vec<Parsed> = results
        .into_iter()
        .filter_map(|r| match r {
            Ok((p, k)) => {
                if remember {
                    next.fronts.insert(p.rel.clone(), (p.fm.clone(), p.body_start));
                    next.parsed.insert(k, (p.fm.clone(), p.body_start, p.slug.clone()));
                }
                (drafts || !p.fm.draft).then_some(p)
            }
            Err((d, rel)) => {
                diags.extend(d);
                let slug = file_slug(&rel);
                unavailable.push((rel, slug));
                None
            }
        })
        .collect();
    parsed.par_sort_by(|a, b| {
        b.fm.date.cmp(&a.fm.date).then_with(|| a.slug.cmp(&b.slug)).then_with(|| a.rel.cmp(&b.rel))
    });

    // The four registries are independent scans: made side by side.
    let ((topics, people), (places, sources)) = rayon::join(
        || {
            rayon::join(
                || collect_topics(&config, &parsed, &mut diags),
                || {
                    collect_entities(EntityKind::Person, &parsed, |p| {
                        p.fm.people.iter().map(|l| l.value.as_str()).collect()
                    })
                },
            )
        },
        || {
            rayon::join(
                || {
                    collect_entities(EntityKind::Place, &parsed, |p| {
                        p.fm.places.iter().map(|l| l.value.as_str()).collect()
                    })
                },
                || collect_entities(EntityKind::Source, &parsed, |p| p.fm.source.iter().map(String::as_str).collect()),
            )
        },
    );

    // What only the article needs is moved out of the parsed file when no memo shares it.
    let mut articles: Vec<Article> = parsed
        .par_iter_mut()
        .enumerate()
        .map(|(i, p)| {
            let topic_ids: Vec<TopicId> = dedup(p.fm.topics.iter().map(|t| topics.id(&t.value)).collect());
            let first_topic = topic_ids.first().map(|t| topics.list[t.0 as usize].slug.as_str());
            let route = config.permalink.expand(&p.fm.date, &p.slug, first_topic);
            Article {
                id: ArticleId(i as u32),
                path: p.path.clone(),
                rel: p.rel.clone(),
                slug: p.slug.clone(),
                title: take_field!(p.fm, title),
                date: p.fm.date,
                updated: p.fm.updated,
                day: p.fm.date.date_naive(),
                url: take_field!(p.fm, url),
                source: p.fm.source.as_deref().map(|s| sources.id(s)),
                topics: topic_ids,
                people: dedup(p.fm.people.iter().map(|n| people.id(&n.value)).collect()),
                places: dedup(p.fm.places.iter().map(|n| places.id(&n.value)).collect()),
                summary: String::new(),
                body_html: Arc::from(""),
                related: Vec::new(),
                referenced_by: Vec::new(),
                links_to: Vec::new(),
                neighbours: Vec::new(),
                edition: 0,
                href: config.href(&route),
                route,
                draft: p.fm.draft,
                extra: take_field!(p.fm, extra),
            }
        })
        .collect();

    let keys = if remember { feature_keys(&topics.list, &people.list, &places.list) } else { Vec::new() };
    let counts = [topics.list.len(), people.list.len(), places.list.len()];
    // The related scores read only the articles' topics, people and places: they are made
    // while the links are resolved and the bodies rendered.
    let related_memo = remember.then_some(&*memo.related);
    let ((editorial, rendered, link_keys), (shared, related)) = rayon::join(
        || links_and_bodies(&config, &articles, &mut parsed, unavailable, memo, remember, &mut diags),
        || crate::related::compute_with(&articles, &counts, &keys, related_memo),
    );
    next.keys = link_keys;
    next.related = Arc::new(related);
    // Each body joins its article; what a one-off build does not keep is freed on the way.
    type Kept = (u64, Option<Arc<markdown::Rendered<ArticleId>>>, Vec<Diagnostic>);
    let kept: Vec<Kept> = articles
        .par_iter_mut()
        .zip(parsed)
        .zip(rendered)
        .map(|((a, mut p), (k, r, problems))| {
            a.summary = take_field!(p.fm, summary).unwrap_or_else(|| r.first_paragraph.clone());
            a.body_html = r.html.clone();
            a.links_to = r.links.iter().copied().filter(|id| *id != a.id).collect();
            (k, remember.then_some(r), problems)
        })
        .collect();
    for (k, r, problems) in kept {
        diags.extend(problems);
        if let Some(r) = r {
            next.bodies.insert(k, r);
        }
    }

    // The articles' lists (references back, related, neighbours, edition) and the site's
    // (topics, entities, periods, editions) are independent passes over the articles: made side
    // by side, then handed out.
    let (mut topics, mut people, mut places, mut sources) = (topics.list, people.list, places.list, sources.list);
    let ((referenced_by, related), (members, ((years, months, days), (editions, edition_of_article)))) = rayon::join(
        || rayon::join(|| referencing(&articles), || merge_related(&articles, editorial, shared)),
        || {
            let counts = [topics.len(), people.len(), places.len(), sources.len()];
            rayon::join(
                || members(&articles, counts),
                || rayon::join(|| periods(&articles), || editions(config.edition, &articles, &topics)),
            )
        },
    );
    let [in_topics, in_people, in_places, in_sources] = members;
    topics.iter_mut().zip(in_topics).for_each(|(t, ids)| t.articles = ids);
    for (entities, lists) in [(&mut people, in_people), (&mut places, in_places), (&mut sources, in_sources)] {
        entities.iter_mut().zip(lists).for_each(|(e, ids)| e.articles = ids);
    }
    articles.par_iter_mut().zip(referenced_by).zip(related).zip(edition_of_article).for_each(
        |(((a, referenced_by), related), edition)| {
            a.referenced_by = referenced_by;
            a.related = related;
            a.edition = edition;
            a.neighbours = a.topics.iter().map(|t| neighbours(*t, &topics[t.0 as usize].articles, a.id)).collect();
        },
    );

    if diags.iter().any(Diagnostic::is_error) {
        return (None, diags, next);
    }
    let articles = articles.into_iter().map(Arc::new).collect();
    let site = Site { config, articles, topics, people, places, sources, years, months, days, editions };
    (Some(site), diags, next)
}

/// A body and its memo key, with the problems found in it.
type Body = (u64, Arc<markdown::Rendered<ArticleId>>, Vec<Diagnostic>);

/// The editorial related articles each article names, every body rendered (or taken from the
/// memo) against the index of the articles, and the index keys for the next memo.
fn links_and_bodies(
    config: &Config,
    articles: &[Article],
    parsed: &mut [Parsed],
    unavailable: Vec<(String, String)>,
    memo: &Memo,
    remember: bool,
    diags: &mut Vec<Diagnostic>,
) -> (Vec<Vec<Related>>, Vec<Body>, Option<Keys>) {
    let mut index = Index::new(articles.iter(), remember.then_some(memo.keys.as_ref()));
    index.unavailable = unavailable;
    let keys = remember.then(|| index.keys.clone());
    let editorial = resolve_related(config, parsed, &index, diags);
    let switches = markdown::Switches { smart_punctuation: config.smart_punctuation, unsafe_html: config.unsafe_html };
    let rendered: Vec<Body> = parsed
        .par_iter_mut()
        .map(|p| {
            // The file is not needed past its body: let go here (in a one-off build its memory
            // serves the next one).
            let source = p.source.take().expect("a body is rendered once");
            let text = source.text.as_str();
            let body = &text[p.body_start..];
            // A body renders the same from the same text (from `body_start`, which the text
            // decides), slug and switches, as long as every question it asked of the other
            // articles has an answer that shows the same: a memo hit is checked for that.
            let (k, r) = if remember {
                let k = key(&(&p.slug, source.digest(), switches.smart_punctuation, switches.unsafe_html));
                let again = memo.bodies.get(&k).and_then(|hit| Some((hit, hit.links_again(&index)?)));
                let r = match again {
                    Some((hit, links)) if links == hit.links => hit.clone(),
                    Some((hit, links)) => Arc::new(hit.with_links(links)),
                    None => Arc::new(markdown::render_noting(body, &p.slug, switches, &index)),
                };
                (k, r)
            } else {
                (0, Arc::new(markdown::render(body, &p.slug, switches, &index)))
            };
            let problems = r
                .problems
                .iter()
                .map(|(msg, range)| {
                    let span = range.start + p.body_start..range.end + p.body_start;
                    Diagnostic::error(msg.clone()).at(&p.path, text, span)
                })
                .collect();
            (k, r, problems)
        })
        .collect();
    (editorial, rendered, keys)
}

/// The related scores' features by key (topics, then people, then places, as
/// `related::compute_with` numbers them): by kind and slug, since a topic added moves the ids of
/// those after it.
fn feature_keys(topics: &[Topic], people: &[Entity], places: &[Entity]) -> Vec<u64> {
    (topics.iter().map(|t| key(&("topic", &t.slug))))
        .chain(people.iter().map(|e| key(&("person", &e.slug))))
        .chain(places.iter().map(|e| key(&("place", &e.slug))))
        .collect()
}

/// Articles by a key each may have, in article order.
fn group<'a, K: Eq + std::hash::Hash>(articles: &[&'a Article], key: impl Fn(&'a Article) -> Option<K>) -> Ids<K> {
    let mut map: Ids<K> = FxHashMap::with_capacity_and_hasher(articles.len(), Default::default());
    for &a in articles {
        if let Some(k) = key(a) {
            map.entry(k).or_default().push(a.id);
        }
    }
    map
}

/// `2025/03/05/my-story.md` → `my-story`.
fn file_slug(rel: &str) -> String {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let stem = name.strip_suffix(".md").unwrap_or(name);
    let s = slug::slugify(stem);
    if s.is_empty() { "article".into() } else { s }
}

fn dedup<T: PartialEq>(v: Vec<T>) -> Vec<T> {
    let mut out: Vec<T> = Vec::with_capacity(v.len());
    for x in v {
        if !out.contains(&x) {
            out.push(x);
        }
    }
    out
}

/// Topics or entities keyed by slug, with ids in slug order, found by every spelling met.
struct Registry<T> {
    list: Vec<T>,
    by_name: FxHashMap<String, u32>,
}

impl<T> Registry<T> {
    fn lookup(&self, name: &str) -> u32 {
        self.by_name[name]
    }
}

/// Slugs of the spellings met so far: each distinct spelling is slugified once.
#[derive(Default)]
struct Spellings(FxHashMap<String, String>);

impl Spellings {
    /// The slug of a spelling met for the first time (None for one met before: whatever it
    /// names is registered already).
    fn new_slug(&mut self, name: &str) -> Option<&str> {
        if self.0.contains_key(name) {
            return None;
        }
        Some(self.0.entry(name.to_string()).or_insert_with(|| slug::slugify(name)))
    }
}

impl Registry<Topic> {
    fn id(&self, name: &str) -> TopicId {
        TopicId(self.lookup(name))
    }
}

impl Registry<Entity> {
    fn id(&self, name: &str) -> EntityId {
        EntityId(self.lookup(name))
    }
}

fn collect_topics(config: &Config, parsed: &[Parsed], diags: &mut Vec<Diagnostic>) -> Registry<Topic> {
    let mut by_slug: BTreeMap<String, Topic> = BTreeMap::new();
    for d in &config.topics {
        by_slug.insert(
            d.slug.clone(),
            Topic {
                slug: d.slug.clone(),
                name: d.name.clone().unwrap_or_else(|| words_of(&d.slug)),
                description: d.description.clone(),
                articles: Vec::new(),
                route: layout::topic(&d.slug),
            },
        );
    }
    let declared_any = !config.topics.is_empty();
    let mut spellings = Spellings::default();
    // Oldest article first, so the first spelling ever used names an undeclared topic.
    for p in parsed.iter().rev() {
        for t in &p.fm.topics {
            let Some(slug) = spellings.new_slug(&t.value) else { continue };
            if !by_slug.contains_key(slug) {
                if declared_any {
                    let d = Diagnostic::warning(format!("unknown topic \"{}\": not declared in site.toml", t.value))
                        .at(&p.path, p.text(), t.span.clone())
                        .with_hint(format!("add [topics.{slug}] to site.toml, or use one of the declared topics"));
                    diags.push(strictly(config, d));
                }
                by_slug.insert(slug.to_string(), Topic::undeclared(slug, &t.value));
            }
        }
    }
    registry(by_slug, spellings)
}

fn collect_entities(kind: EntityKind, parsed: &[Parsed], names: impl Fn(&Parsed) -> Vec<&str>) -> Registry<Entity> {
    let mut by_slug: BTreeMap<String, Entity> = BTreeMap::new();
    let mut spellings = Spellings::default();
    for p in parsed.iter().rev() {
        for n in names(p) {
            let Some(slug) = spellings.new_slug(n) else { continue };
            if !by_slug.contains_key(slug) {
                by_slug.insert(slug.to_string(), Entity::new(kind, slug, n));
            }
        }
    }
    registry(by_slug, spellings)
}

fn registry<T>(by_slug: BTreeMap<String, T>, spellings: Spellings) -> Registry<T> {
    let mut ids = FxHashMap::with_capacity_and_hasher(by_slug.len(), Default::default());
    let mut list = Vec::with_capacity(by_slug.len());
    for (i, (slug, t)) in by_slug.into_iter().enumerate() {
        ids.insert(slug, i as u32);
        list.push(t);
    }
    let by_name = spellings.0.into_iter().map(|(name, slug)| (name, ids[&slug])).collect();
    Registry { list, by_name }
}

/// "peace-talks" → "Peace talks".
fn words_of(slug: &str) -> String {
    let s = slug.replace('-', " ");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

/// A warning that the site's `strict` turns into an error.
fn strictly(config: &Config, mut d: Diagnostic) -> Diagnostic {
    if config.strict {
        d.severity = crate::diagnostics::Severity::Error;
    }
    d
}

/// Articles by a key, each list in article order.
type Ids<K> = FxHashMap<K, Vec<ArticleId>>;

/// Articles by lowercased title and by normalised original url: the index's keys that cost
/// something to make, shared with the memo so that a serve rebuild does not make them again
/// when no article's title or url changed (or only some titles, see `retitle`).
#[derive(Debug, Clone, PartialEq)]
struct Keys {
    by_title: Arc<Ids<String>>,
    by_url: Arc<Ids<String>>,
    /// A hash of every article's title and url, in order: what the maps are made from (0 when
    /// not made for a memo).
    made_from: u64,
}

impl Keys {
    /// The keys of `articles`. For a memo (`memo`), with what they are made from, and the last
    /// build's keys when those were made from the same titles and urls.
    fn new(articles: &[&Article], memo: Option<Option<&Keys>>) -> Keys {
        let made_from = memo.map_or(0, |_| Self::print(articles.iter().copied()));
        if let Some(last) = memo.flatten().filter(|l| l.made_from == made_from) {
            return last.clone();
        }
        let (by_title, by_url) = rayon::join(
            || group(articles, |a| Some(a.title.to_lowercase())),
            || group(articles, |a| a.url.as_deref().map(crate::url::normalise)),
        );
        Keys { by_title: Arc::new(by_title), by_url: Arc::new(by_url), made_from }
    }

    fn print<'a>(articles: impl Iterator<Item = &'a Article>) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = twox_hash::XxHash3_64::new();
        for a in articles {
            (&a.title, &a.url).hash(&mut h);
        }
        h.finish()
    }

    /// Follows new titles: `retitled` holds each article with its old title, lowercased; `site`
    /// has the new ones.
    fn retitle(&mut self, site: &Site, retitled: &[(ArticleId, String)]) {
        if retitled.is_empty() {
            return;
        }
        let map = Arc::make_mut(&mut self.by_title);
        for (id, old) in retitled {
            if let Some(ids) = map.get_mut(old) {
                ids.retain(|x| x != id);
                if ids.is_empty() {
                    map.remove(old);
                }
            }
        }
        for (id, _) in retitled {
            map.entry(site.article(*id).title.to_lowercase()).or_default().push(*id);
        }
        self.made_from = Self::print(site.articles.iter().map(|a| &**a));
    }
}

/// Finds articles by slug, title, original url and file.
struct Index<'a> {
    articles: Vec<&'a Article>,
    by_slug: Ids<&'a str>,
    keys: Keys,
    by_file: FxHashMap<&'a str, ArticleId>,
    /// (file, slug) of articles that failed to parse.
    unavailable: Vec<(String, String)>,
}

impl<'a> Index<'a> {
    /// The index of `articles`; for a memo, with the last build's costly keys when they still
    /// hold (see `Keys::new`).
    fn new(articles: impl IntoIterator<Item = &'a Article>, last_keys: Option<Option<&Keys>>) -> Self {
        let articles: Vec<&'a Article> = articles.into_iter().collect();
        // Four independent maps: made side by side.
        let (keys, (by_slug, by_file)) =
            rayon::join(|| Keys::new(&articles, last_keys), || Self::by_slug_and_file(&articles));
        Index { articles, by_slug, keys, by_file, unavailable: Vec::new() }
    }

    /// The index of `articles` given their costly keys (see `Memo::keys`).
    fn with_keys(articles: impl IntoIterator<Item = &'a Article>, keys: Keys) -> Self {
        let articles: Vec<&'a Article> = articles.into_iter().collect();
        let (by_slug, by_file) = Self::by_slug_and_file(&articles);
        Index { articles, by_slug, keys, by_file, unavailable: Vec::new() }
    }

    fn by_slug_and_file(articles: &[&'a Article]) -> (Ids<&'a str>, FxHashMap<&'a str, ArticleId>) {
        rayon::join(
            || group(articles, |a| Some(a.slug.as_str())),
            || articles.iter().map(|a| (a.rel.as_str(), a.id)).collect(),
        )
    }

    fn one(ids: Option<&Vec<ArticleId>>) -> Resolution<ArticleId> {
        match ids.map(Vec::as_slice) {
            None | Some([]) => Resolution::Missing,
            Some([id]) => Resolution::Found(*id),
            Some(many) => Resolution::Ambiguous(many.to_vec()),
        }
    }

    fn by_title_or_url(&self, title: &str, url: &str) -> Resolution<ArticleId> {
        match Self::one(self.keys.by_url.get(&crate::url::normalise(url))) {
            Resolution::Missing => Self::one(self.keys.by_title.get(&title.to_lowercase())),
            found => found,
        }
    }
}

impl Links for Index<'_> {
    type Id = ArticleId;

    fn by_ref(&self, target: &str) -> Resolution<ArticleId> {
        if target.starts_with("https://") || target.starts_with("http://") {
            return Self::one(self.keys.by_url.get(&crate::url::normalise(target)));
        }
        match Self::one(self.by_slug.get(target)) {
            Resolution::Missing => match Self::one(self.keys.by_title.get(&target.to_lowercase())) {
                Resolution::Missing if self.unavailable.iter().any(|(_, s)| s == target) => Resolution::Unavailable,
                r => r,
            },
            found => found,
        }
    }
    fn by_file(&self, path: &str) -> Resolution<ArticleId> {
        let path = path.trim_start_matches('/');
        match self.by_file.get(path) {
            Some(id) => Resolution::Found(*id),
            None if self.unavailable.iter().any(|(f, _)| f == path) => Resolution::Unavailable,
            None => Resolution::Missing,
        }
    }
    fn by_url(&self, url: &str) -> Option<ArticleId> {
        match Self::one(self.keys.by_url.get(&crate::url::normalise(url))) {
            Resolution::Found(id) => Some(id),
            _ => None,
        }
    }
    fn href(&self, id: ArticleId) -> &str {
        &self.articles[id.0 as usize].href
    }
    fn title(&self, id: ArticleId) -> &str {
        &self.articles[id.0 as usize].title
    }
}

/// Each article's editorial `related` entries, resolved. Unresolved ones are warnings
/// (errors when strict) and dropped; ambiguous ones too.
fn resolve_related(
    config: &Config,
    parsed: &[Parsed],
    index: &Index,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Vec<Related>> {
    // Resolved side by side; the warnings keep the articles' order.
    let resolved: Vec<(Vec<Related>, Vec<Diagnostic>)> = parsed
        .par_iter()
        .enumerate()
        .map(|(i, p)| {
            let me = ArticleId(i as u32);
            let (mut out, mut found) = (Vec::new(), Vec::new());
            for Located { value, span } in &p.fm.related {
                let (resolution, shown) = match value {
                    RelatedRef::Ref(r) => (index.by_ref(r), r.clone()),
                    RelatedRef::Link { title, url } => (index.by_title_or_url(title, url), title.clone()),
                };
                match (resolution, value) {
                    (Resolution::Found(id), _) if id == me => {}
                    (Resolution::Found(id), _) => out.push(Related::Article(id, Why::Editorial)),
                    (Resolution::Missing, RelatedRef::Link { title, url }) if !crate::url::is_dangerous(url) => {
                        out.push(Related::External { title: title.clone(), url: url.clone() })
                    }
                    (Resolution::Unavailable, _) => {}
                    (Resolution::Ambiguous(ids), _) => {
                        let hrefs: Vec<&str> = ids.iter().map(|id| index.href(*id)).collect();
                        let d = Diagnostic::warning(format!(
                            "ambiguous related entry \"{shown}\": several articles answer to it ({})",
                            hrefs.join(", ")
                        ))
                        .at(&p.path, p.text(), span.clone())
                        .with_hint("name the article by its original url instead");
                        found.push(strictly(config, d));
                    }
                    _ => {
                        let d = Diagnostic::warning(format!(
                            "unresolved related entry \"{shown}\": no article has this slug, title or url"
                        ))
                        .at(&p.path, p.text(), span.clone())
                        .with_hint("use { title = \"...\", url = \"...\" } to link to an article outside the site");
                        found.push(strictly(config, d));
                    }
                }
            }
            (out, found)
        })
        .collect();
    resolved
        .into_iter()
        .map(|(out, found)| {
            diags.extend(found);
            out
        })
        .collect()
}

/// Editorial entries (both directions) first, in the order written, then shared-entity ones by
/// score. Editorial relations are made symmetric here; `related::compute` already is.
fn merge_related(articles: &[Article], editorial: Vec<Vec<Related>>, shared: Vec<Vec<ArticleId>>) -> Vec<Vec<Related>> {
    let mut reverse: Vec<Vec<ArticleId>> = vec![Vec::new(); articles.len()];
    for (i, list) in editorial.iter().enumerate() {
        for r in list {
            if let Related::Article(target, _) = r {
                reverse[target.0 as usize].push(ArticleId(i as u32));
            }
        }
    }
    let lists = articles.iter().zip(editorial).zip(reverse).zip(shared);
    lists
        .map(|(((a, mut list), back), computed)| {
            add_related(&mut list, a.id, back, Why::Editorial);
            add_related(&mut list, a.id, computed, Why::Shared);
            list
        })
        .collect()
}

/// Each article's `referenced_by`: the articles whose bodies link to it, newest first.
fn referencing(articles: &[Article]) -> Vec<Vec<ArticleId>> {
    let mut back: Vec<Vec<ArticleId>> = vec![Vec::new(); articles.len()];
    for a in articles {
        for target in &a.links_to {
            back[target.0 as usize].push(a.id);
        }
    }
    back
}

/// The articles of each topic, person, place and source (in `counts`' order), newest first.
fn members(articles: &[Article], counts: [usize; 4]) -> [Vec<Vec<ArticleId>>; 4] {
    let [mut topics, mut people, mut places, mut sources] = counts.map(|n| vec![Vec::new(); n]);
    for a in articles {
        for t in &a.topics {
            topics[t.0 as usize].push(a.id);
        }
        for p in &a.people {
            people[p.0 as usize].push(a.id);
        }
        for p in &a.places {
            places[p.0 as usize].push(a.id);
        }
        if let Some(s) = a.source {
            sources[s.0 as usize].push(a.id);
        }
    }
    [topics, people, places, sources]
}

/// An article's neighbours in one of its topics, whose articles (newest first, so in id
/// order) are `list`.
fn neighbours(topic: TopicId, list: &[ArticleId], id: ArticleId) -> TopicNeighbours {
    let pos = list.binary_search(&id).expect("an article is in the list of each of its topics");
    TopicNeighbours { topic, newer: pos.checked_sub(1).map(|p| list[p]), older: list.get(pos + 1).copied() }
}

fn periods(articles: &[Article]) -> (Vec<Period>, Vec<Period>, Vec<Period>) {
    let mut years: BTreeMap<i32, Vec<ArticleId>> = BTreeMap::new();
    let mut months: BTreeMap<(i32, u32), Vec<ArticleId>> = BTreeMap::new();
    let mut days: BTreeMap<NaiveDate, Vec<ArticleId>> = BTreeMap::new();
    for a in articles {
        years.entry(a.day.year()).or_default().push(a.id);
        months.entry((a.day.year(), a.day.month())).or_default().push(a.id);
        days.entry(a.day).or_default().push(a.id);
    }
    let years = years
        .into_iter()
        .rev()
        .map(|(y, articles)| Period { key: format!("{y:04}"), label: format!("{y}"), articles, route: layout::year(y) })
        .collect();
    let months = months
        .into_iter()
        .rev()
        .map(|((y, m), articles)| {
            let first = NaiveDate::from_ymd_opt(y, m, 1).expect("a month that has articles exists");
            Period {
                key: format!("{y:04}-{m:02}"),
                label: first.format("%B %Y").to_string(),
                articles,
                route: layout::month(y, m),
            }
        })
        .collect();
    let days = days
        .into_iter()
        .rev()
        .map(|(d, articles)| Period {
            key: d.to_string(),
            label: crate::date::human_day(d),
            articles,
            route: layout::day(d),
        })
        .collect();
    (years, months, days)
}

/// The edition a day belongs to: its id, title and first and last day.
pub fn edition_of(kind: EditionKind, day: NaiveDate) -> (String, String, NaiveDate, NaiveDate) {
    match kind {
        EditionKind::Daily => (day.to_string(), crate::date::human_day(day), day, day),
        EditionKind::Weekly => {
            let w = day.iso_week();
            let start = NaiveDate::from_isoywd_opt(w.year(), w.week(), chrono::Weekday::Mon).expect("iso week exists");
            let end = NaiveDate::from_isoywd_opt(w.year(), w.week(), chrono::Weekday::Sun).expect("iso week exists");
            (format!("{}-W{:02}", w.year(), w.week()), format!("Week {}, {}", w.week(), w.year()), start, end)
        }
        EditionKind::Monthly => {
            let start = day.with_day(1).expect("day 1 exists");
            let next = if start.month() == 12 {
                NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
            }
            .expect("next month exists");
            (
                day.format("%Y-%m").to_string(),
                day.format("%B %Y").to_string(),
                start,
                next.pred_opt().expect("a day before"),
            )
        }
    }
}

/// The editions, newest first, and each article's (its index among them).
fn editions(kind: EditionKind, articles: &[Article], topics: &[Topic]) -> (Vec<Edition>, Vec<usize>) {
    let mut out: Vec<Edition> = Vec::new();
    let mut of_article = Vec::with_capacity(articles.len());
    for a in articles {
        // A day within the last edition's dates is in it: an edition is worked out once.
        if !out.last().is_some_and(|e| (e.start..=e.end).contains(&a.day)) {
            let (id, title, start, end) = edition_of(kind, a.day);
            out.push(Edition {
                route: layout::edition(&id),
                id,
                title,
                start,
                end,
                articles: Vec::new(),
                groups: Vec::new(),
            });
        }
        let e = out.last_mut().expect("pushed above");
        e.articles.push(a.id);
        of_article.push(out.len() - 1);
    }
    for e in &mut out {
        e.groups = groups(&e.articles, |id| articles[id.0 as usize].topics.first().copied(), topics);
    }
    (out, of_article)
}

/// An edition's articles (`ids`) grouped by their first topic (`first_topic`): the largest
/// group first, then by topic name; articles without a topic last.
fn groups(ids: &[ArticleId], first_topic: impl Fn(ArticleId) -> Option<TopicId>, topics: &[Topic]) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    for id in ids {
        let topic = first_topic(*id);
        match groups.iter_mut().find(|g| g.topic == topic) {
            Some(g) => g.articles.push(*id),
            None => groups.push(Group { topic, articles: vec![*id] }),
        }
    }
    groups.sort_by(|a, b| {
        a.topic.is_none().cmp(&b.topic.is_none()).then(b.articles.len().cmp(&a.articles.len())).then_with(|| {
            let name = |g: &Group| g.topic.map(|t| topics[t.0 as usize].name.to_lowercase());
            name(a).cmp(&name(b))
        })
    });
    groups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(files: &[(&str, impl AsRef<str>)], toml: &str) -> (Option<Site>, Vec<Diagnostic>) {
        let config = Config::parse("site.toml", &format!("title = \"T\"\nbase_url = \"/\"\n{toml}")).unwrap();
        let sources = files
            .iter()
            .map(|(rel, text)| {
                Source::new(PathBuf::from(format!("content/{rel}")), rel.to_string(), text.as_ref().to_string())
            })
            .map(Arc::new)
            .collect();
        assemble(config, sources, false)
    }

    fn art(title: &str, date: &str, extra: &str) -> String {
        format!("+++\ntitle = \"{title}\"\ndate = {date}\n{extra}\n+++\nBody of {title}.\n")
    }

    #[test]
    fn articles_are_sorted_newest_first_and_grouped_by_day() {
        let (s, d) = site(
            &[
                ("a.md", &art("A", "2025-03-01", "")),
                ("b.md", &art("B", "2025-03-03", "")),
                ("c.md", &art("C", "2025-03-03T08:00:00Z", "")),
            ],
            "",
        );
        assert!(d.is_empty(), "{d:?}");
        let s = s.unwrap();
        let titles: Vec<_> = s.articles.iter().map(|a| a.title.as_str()).collect();
        assert_eq!(titles, ["C", "B", "A"]);
        assert_eq!(s.days.len(), 2);
        assert_eq!(s.days[0].key, "2025-03-03");
        assert_eq!(s.days[0].articles.len(), 2);
        assert_eq!(s.months[0].label, "March 2025");
    }

    #[test]
    fn topic_names_and_slugs_are_one_topic() {
        let (s, _) = site(
            &[
                ("a.md", &art("A", "2025-03-01", "topics = [\"Peace talks\"]")),
                ("b.md", &art("B", "2025-03-02", "topics = [\"peace-talks\"]")),
            ],
            "",
        );
        let s = s.unwrap();
        assert_eq!(s.topics.len(), 1);
        assert_eq!(s.topics[0].name, "Peace talks");
        assert_eq!(s.topics[0].articles, vec![ArticleId(0), ArticleId(1)]);
        assert_eq!(s.articles[1].neighbours[0].newer, Some(ArticleId(0)));
        assert_eq!(s.articles[0].neighbours[0].older, Some(ArticleId(1)));
    }

    #[test]
    fn timezone_decides_the_day() {
        let (s, _) = site(&[("a.md", &art("A", "2025-03-01T22:30:00Z", ""))], "timezone = \"Europe/Moscow\"");
        assert_eq!(s.unwrap().articles[0].day.to_string(), "2025-03-02");
    }

    #[test]
    fn weekly_editions_group_by_first_topic() {
        let (s, _) = site(
            &[
                ("a.md", &art("A", "2025-03-03", "topics = [\"x\"]")),
                ("b.md", &art("B", "2025-03-04", "topics = [\"y\", \"x\"]")),
                ("c.md", &art("C", "2025-03-05", "topics = [\"y\"]")),
                ("d.md", &art("D", "2025-03-10", "")),
            ],
            "",
        );
        let s = s.unwrap();
        assert_eq!(s.editions.len(), 2);
        assert_eq!(s.editions[0].id, "2025-W11");
        assert_eq!(s.editions[1].id, "2025-W10");
        let groups: Vec<_> =
            s.editions[1].groups.iter().map(|g| (g.topic.map(|t| s.topic(t).slug.clone()), g.articles.len())).collect();
        assert_eq!(groups, [(Some("y".into()), 2), (Some("x".into()), 1)]);
        assert_eq!(s.editions[0].groups[0].topic, None);
    }

    #[test]
    fn daily_and_monthly_editions_hold_their_days_articles() {
        let files = [
            ("a.md", art("A", "2025-02-27", "")),
            ("b.md", art("B", "2025-03-04T08:00:00Z", "")),
            ("c.md", art("C", "2025-03-04T20:00:00Z", "")),
            ("d.md", art("D", "2025-03-31", "")),
        ];
        let ids = |s: &Site| s.editions.iter().map(|e| e.id.clone()).collect::<Vec<_>>();
        let of = |s: &Site| s.articles.iter().map(|a| s.editions[a.edition].id.clone()).collect::<Vec<_>>();
        let daily = site(&files, "edition = \"daily\"").0.unwrap();
        assert_eq!(ids(&daily), ["2025-03-31", "2025-03-04", "2025-02-27"]);
        assert_eq!(of(&daily), ["2025-03-31", "2025-03-04", "2025-03-04", "2025-02-27"]);
        assert_eq!(daily.editions[1].articles.len(), 2);
        let monthly = site(&files, "edition = \"monthly\"").0.unwrap();
        assert_eq!(ids(&monthly), ["2025-03", "2025-02"]);
        assert_eq!(of(&monthly), ["2025-03", "2025-03", "2025-03", "2025-02"]);
    }

    #[test]
    fn cross_links_resolve_and_make_backlinks() {
        let (s, d) = site(
            &[
                ("a.md", "+++\ntitle = \"Alpha\"\ndate = 2025-03-01\nurl = \"https://x.example/alpha\"\n+++\nText.\n"),
                (
                    "b.md",
                    "+++\ntitle = \"Beta\"\ndate = 2025-03-02\nrelated = [\"alpha\"]\n+++\nSee [[Alpha]] and [it](https://X.example/alpha/).\n",
                ),
                (
                    "c.md",
                    "+++\ntitle = \"Gamma\"\ndate = 2025-03-03\nrelated = [\"https://x.example/alpha\", { title = \"Out\", url = \"https://out.example/\" }]\n+++\n[b](@/b.md)\n",
                ),
            ],
            "",
        );
        assert!(d.is_empty(), "{d:?}");
        let s = s.unwrap();
        let (gamma, beta, alpha) = (&s.articles[0], &s.articles[1], &s.articles[2]);
        assert_eq!(beta.links_to, vec![alpha.id]);
        assert_eq!(alpha.referenced_by, vec![beta.id]);
        assert_eq!(beta.referenced_by, vec![gamma.id]);
        assert!(beta.body_html.contains("href=\"/2025/03/01/a/\""), "{}", beta.body_html);
        assert!(alpha.related.contains(&Related::Article(beta.id, Why::Editorial)));
        assert!(alpha.related.contains(&Related::Article(gamma.id, Why::Editorial)));
        assert!(gamma.related.contains(&Related::External { title: "Out".into(), url: "https://out.example/".into() }));
    }

    #[test]
    fn broken_inline_link_is_an_error_with_file_position() {
        let (s, d) = site(&[("a.md", "+++\ntitle = \"A\"\ndate = 2025-03-01\n+++\nLine.\n\nSee [[nope]].\n")], "");
        assert!(s.is_none());
        assert_eq!(d.len(), 1);
        assert_eq!((d[0].line, d[0].col), (7, 5));
    }

    #[test]
    fn links_to_a_file_that_failed_to_parse_are_not_reported_again() {
        let (s, d) = site(
            &[
                ("a.md", "+++\ntitle = \"A\"\ndate = 2025-03-01\nrelated = [\"b\"]\n+++\nSee [[b]] and [b](@/b.md).\n"),
                ("b.md", "+++\ntitel = \"B\"\ndate = 2025-03-01\n+++\nB.\n"),
            ],
            "",
        );
        assert!(s.is_none());
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].path.as_deref(), Some(std::path::Path::new("content/b.md")));
    }

    #[test]
    fn unresolved_related_is_a_warning_unless_strict() {
        let files = [("a.md", art("A", "2025-03-01", "related = [\"ghost\"]"))];
        let (s, d) = site(&files, "");
        assert!(s.is_some());
        assert_eq!(d.len(), 1);
        assert!(!d[0].is_error());
        let (s, d) = site(&files, "strict = true");
        assert!(s.is_none());
        assert!(d[0].is_error());
    }

    #[test]
    fn related_warnings_come_in_article_order_and_name_ambiguous_entries() {
        let files = [
            ("a.md", art("Same", "2025-03-01", "")),
            ("b.md", art("Same", "2025-03-02", "")),
            ("c.md", art("C", "2025-03-03", "related = [\"ghost\", \"same\"]")),
            ("d.md", art("D", "2025-03-04", "related = [\"phantom\"]")),
        ];
        let (s, d) = site(&files, "");
        assert!(s.is_some());
        // Newest article first, then each article's entries in the order written.
        let got: Vec<(String, usize, bool)> = d
            .iter()
            .map(|d| (d.path.as_ref().unwrap().display().to_string(), d.line, d.message.starts_with("ambiguous")))
            .collect();
        let want = [("content/d.md", 4, false), ("content/c.md", 4, false), ("content/c.md", 4, true)];
        assert_eq!(got, want.map(|(p, l, a)| (p.to_string(), l, a)));
        assert!(d[0].message.contains("\"phantom\"") && d[2].message.contains("\"same\""), "{d:?}");
    }

    #[test]
    fn drafts_are_left_out() {
        let (s, _) =
            site(&[("a.md", &art("A", "2025-03-01", "draft = true")), ("b.md", &art("B", "2025-03-01", ""))], "");
        assert_eq!(s.unwrap().articles.len(), 1);
    }

    #[test]
    fn editions_of_days() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 5).unwrap();
        assert_eq!(edition_of(EditionKind::Weekly, d).0, "2025-W10");
        assert_eq!(edition_of(EditionKind::Monthly, d).3.to_string(), "2025-03-31");
        let dec = NaiveDate::from_ymd_opt(2024, 12, 30).unwrap();
        assert_eq!(edition_of(EditionKind::Weekly, dec).0, "2025-W01");
    }

    /// `reassemble_texts` after retitling `a.md` from "Alpha" to `new`, the other files as given.
    fn retitle(others: &[(&str, &str)], new: &str) -> Option<TextChanges> {
        let src = |rel: &str, text: &str| {
            Source::new(PathBuf::from(format!("content/{rel}")), rel.to_string(), text.to_string())
        };
        let config = Config::parse("site.toml", "title = \"T\"\nbase_url = \"/\"\n").unwrap();
        let mut files = vec![src("a.md", &art("Alpha", "2025-03-01", "topics = [\"x\"]"))];
        files.extend(others.iter().map(|(rel, text)| src(rel, text)));
        let texts: std::collections::HashMap<PathBuf, String> =
            files.iter().map(|s| (s.path.clone(), s.text.clone())).collect();
        let files = files.into_iter().map(Arc::new).collect();
        let (site, diags, memo) = assemble_with(config, files, false, Some(&Memo::default()));
        assert!(!diags.iter().any(Diagnostic::is_error), "{diags:?}");
        let edited = src("a.md", &art(new, "2025-03-01", "topics = [\"x\"]"));
        let read = |p: &std::path::Path| texts.get(p).cloned();
        reassemble_texts(&site.unwrap(), &memo, &diags, &[Arc::new(edited)], &read).map(|(_, changed, _)| changed)
    }

    #[test]
    fn related_picks_kept_from_the_last_build_are_those_a_fresh_build_makes() {
        let config = || Config::parse("site.toml", "title = \"T\"\nbase_url = \"/\"\n").unwrap();
        let file = |i: usize, topics: &str| {
            let extra = format!("topics = [{topics}\"t{}\"]\npeople = [\"P{}\"]", i % 12, i % 20);
            let text = art(&format!("A{i}"), &format!("2025-03-{:02}", 1 + i % 28), &extra);
            Arc::new(Source::new(PathBuf::from(format!("content/a{i:02}.md")), format!("a{i:02}.md"), text))
        };
        let files = |edited: &str| (0..60).map(|i| file(i, if i == 7 { edited } else { "" })).collect::<Vec<_>>();
        // Rebuilt from `memo`, the related lists are a fresh build's; how many articles the
        // rebuild scored again.
        let rebuilt = |files: Vec<Arc<Source>>, memo: &Memo| {
            let (kept, _, _) = assemble_with(config(), files.clone(), false, Some(memo));
            let (fresh, _) = assemble(config(), files, false);
            let (kept, fresh) = (kept.unwrap(), fresh.unwrap());
            let related = |s: &Site| s.articles.iter().map(|a| a.related.clone()).collect::<Vec<_>>();
            assert_eq!(related(&kept), related(&fresh));
            let articles: Vec<Article> = kept.articles.iter().map(|a| Article::clone(a)).collect();
            let counts = [kept.topics.len(), kept.people.len(), kept.places.len()];
            let keys = feature_keys(&kept.topics, &kept.people, &kept.places);
            crate::related::rescored(&articles, &counts, &keys, &memo.related)
        };
        let (_, _, memo) = assemble_with(config(), files(""), false, Some(&Memo::default()));
        // One article gains a topic whose slug comes first: every topic's id moves. Only some
        // articles are scored again.
        let scored = rebuilt(files("\"Aaa\", "), &memo);
        assert!(scored.is_some_and(|n| n > 0 && n < 60), "{scored:?}");
        // An article added (the ids of those older than it move) is scored with the few it
        // shares anything with; the others keep their picks.
        let (_, _, memo) = assemble_with(config(), files("\"Aaa\", "), false, Some(&memo));
        let mut more = files("\"Aaa\", ");
        let text = art("New", "2025-03-15", "people = [\"P3\"]");
        more.push(Arc::new(Source::new(PathBuf::from("content/new.md"), "new.md".into(), text)));
        let scored = rebuilt(more, &memo);
        assert!(scored.is_some_and(|n| n > 0 && n < 30), "{scored:?}");
    }

    #[test]
    fn a_new_title_is_taken_without_assembling_again_unless_a_reference_could_change() {
        let b = art("B", "2025-03-02", "related = [\"a\"]");
        let linking = "+++\ntitle = \"C\"\ndate = 2025-03-03\n+++\nSee [[a]].\n";
        let changed = retitle(&[("b.md", &b), ("c.md", linking)], "Alpha new").expect("taken");
        let ids = |v: &[ArticleId]| v.iter().map(|i| i.0).collect::<Vec<_>>();
        // Newest first: c is 0, b is 1, a is 2 (whose body names its title). The first
        // paragraph of c, so its page and its summary, show a's title in the link.
        assert_eq!((ids(&changed.titles), ids(&changed.summaries)), (vec![2], vec![2, 0]));
        assert_eq!((ids(&changed.cards), ids(&changed.pages)), (vec![2, 0], vec![2, 0]));
        // Related by the old or the new title, a link by title, a title another article has.
        assert_eq!(retitle(&[("b.md", &art("B", "2025-03-02", "related = [\"alpha\"]"))], "Alpha new"), None);
        assert_eq!(retitle(&[("b.md", &art("B", "2025-03-02", "related = [\"alpha NEW\"]"))], "Alpha new"), None);
        let by_title = "+++\ntitle = \"C\"\ndate = 2025-03-03\n+++\nSee [[Alpha]].\n";
        assert_eq!(retitle(&[("c.md", by_title)], "Alpha new"), None);
        assert_eq!(retitle(&[("b.md", &b)], "b"), None);
    }

    #[test]
    fn titles_and_urls_kept_for_the_next_rebuild_follow_new_titles() {
        let src = |rel: &str, title: &str| {
            Arc::new(Source::new(
                PathBuf::from(format!("content/{rel}")),
                rel.to_string(),
                art(title, "2025-03-01", "url = \"https://news.example/x\""),
            ))
        };
        let config = Config::parse("site.toml", "title = \"T\"\nbase_url = \"/\"\n").unwrap();
        let (site, diags, memo) =
            assemble_with(config, vec![src("a.md", "Alpha"), src("b.md", "Beta")], false, Some(&Memo::default()));
        let read = |_: &std::path::Path| None;
        let (site, _, memo) = reassemble_texts(&site.unwrap(), &memo, &diags, &[src("a.md", "Gamma")], &read).unwrap();
        // "Alpha" is free now, "Gamma" is taken.
        let (site, _, memo) = reassemble_texts(&site, &memo, &diags, &[src("b.md", "Alpha")], &read).unwrap();
        assert!(reassemble_texts(&site, &memo, &diags, &[src("b.md", "Gamma")], &read).is_none());
        let fresh = Index::new(site.articles.iter().map(|a| &**a), Some(None));
        assert_eq!(memo.keys.unwrap(), fresh.keys);
    }
}
