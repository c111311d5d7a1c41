//! Which pages an edit of article files can change, found by comparing the site before and
//! after it: a rebuild in `serve` fingerprints those pages only and keeps the last build's file
//! of every other (fingerprinting all 20,000 pages of a 10,000-article site was most of a
//! front-matter edit's rebuild). A page is named here when anything it shows may differ; naming
//! one too many costs a fingerprint, never a wrong page. Debug builds check every page left out
//! against its fingerprint (see `Shared::unreached`).

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::model::{Article, EntityId, EntityKind, Related, Site, TopicId};

use super::Job;
use super::feeds::FeedOf;

/// The pages an edit may have changed, by their places in the site after it.
pub(super) struct Affected {
    /// Articles shown elsewhere (their cards, feed items) other than before.
    shown: Vec<bool>,
    /// Article pages.
    articles: Vec<bool>,
    /// Topics and entities (`EntityKind` order) whose every page and feed may differ.
    topics: Vec<bool>,
    entities: [Vec<bool>; 3],
    /// Every year, month and day; every edition, the list of editions and the home page.
    periods: bool,
    editions: bool,
    /// Other pages, one by one.
    jobs: FxHashSet<Job>,
}

const KINDS: [EntityKind; 3] = [EntityKind::Person, EntityKind::Place, EntityKind::Source];

/// How an article differs from the last build's.
#[derive(Clone, Copy, PartialEq)]
enum Change {
    None,
    /// Only what its own page shows: its related, referencing and neighbouring articles (whose
    /// own lists change with it: they are changed articles too), its edition.
    Own,
    /// What other pages show of it too: its card, its feed items, its dates.
    Shown,
}

impl Affected {
    /// What changed from `before` to `after`, two sites made from the same settings, theme and
    /// assets (only article files changed). None when the articles are not the same ones in
    /// the same places (their ids would not match: every page is fingerprinted then).
    pub(super) fn between(before: &Site, after: &Site) -> Option<Affected> {
        if before.articles.len() != after.articles.len()
            || before.articles.iter().zip(&after.articles).any(|(b, a)| b.route != a.route)
        {
            return None;
        }
        let changes: Vec<Change> =
            before.articles.par_iter().zip(&after.articles).map(|(b, a)| change(before, b, after, a)).collect();
        let mut x = Affected {
            shown: changes.iter().map(|c| *c == Change::Shown).collect(),
            articles: changes.iter().map(|c| *c != Change::None).collect(),
            topics: vec![false; after.topics.len()],
            entities: KINDS.map(|k| vec![false; after.entities(k).len()]),
            periods: before.years != after.years || before.months != after.months || before.days != after.days,
            editions: false,
            jobs: FxHashSet::default(),
        };
        // Lists whose members, names or articles changed: all their pages and feeds, and the
        // page listing them (names and counts).
        if mark_changed(&before.topics, &after.topics, |t| &t.route, &mut x.topics) {
            x.jobs.insert(Job::Topics);
        }
        for (k, kind) in KINDS.into_iter().enumerate() {
            if mark_changed(before.entities(kind), after.entities(kind), |e| &e.route, &mut x.entities[k]) {
                x.jobs.insert(Job::Entities(kind));
            }
        }
        // Editions link their neighbours, and the list of editions and the home page show their
        // titles, dates and counts: any of those changed, all. Otherwise each whose articles or
        // groups changed (the home page shows the newest).
        let header = |e: &crate::model::Edition| {
            (e.id.clone(), e.title.clone(), e.route.clone(), e.start, e.end, e.articles.len())
        };
        if !before.editions.iter().map(header).eq(after.editions.iter().map(header)) {
            x.editions = true;
        } else {
            for i in (0..after.editions.len()).filter(|i| !same_edition(before, after, *i)) {
                x.jobs.insert(Job::Edition(i));
                if i == 0 {
                    x.jobs.insert(Job::Home);
                }
            }
        }
        let mut retitled: Vec<&str> = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            if *change == Change::Shown {
                let (b, a) = (&before.articles[i], &after.articles[i]);
                x.shown_article(after, b, a);
                if b.title != a.title {
                    retitled.extend([b.title.as_str(), a.title.as_str()]);
                }
            }
        }
        // A title another article has is told apart by its day in the page's `<title>`.
        if !retitled.is_empty() {
            for a in &after.articles {
                x.articles[a.id.0 as usize] |= retitled.contains(&a.title.as_str());
            }
        }
        Some(x)
    }

    /// Marks what shows article `a` (`b` before the edit), shown otherwise than before: its
    /// page, every page with its card before and after (`card_pages`: related, referenced and
    /// neighbouring articles, the pages of its topics, entities, day, month and edition with it),
    /// the feeds with its items, its year (whose date is its newest article's).
    fn shown_article(&mut self, after: &Site, b: &Article, a: &Article) {
        let id = a.id;
        self.articles[id.0 as usize] = true;
        for job in super::card_pages(after, id) {
            match job {
                Job::Article(other) => self.articles[other.0 as usize] = true,
                _ => {
                    self.jobs.insert(job);
                }
            }
        }
        let related = b.related.iter().filter_map(|r| match r {
            Related::Article(id, _) => Some(*id),
            Related::External { .. } => None,
        });
        let neighbours = b.neighbours.iter().flat_map(|n| n.older.into_iter().chain(n.newer));
        for other in related.chain(b.links_to.iter().copied()).chain(neighbours) {
            self.articles[other.0 as usize] = true;
        }
        self.jobs.extend(a.topics.iter().map(|t| Job::Atom(FeedOf::Topic(t.0 as usize))));
        self.jobs.extend(a.people.iter().map(|p| Job::Atom(FeedOf::Entity(EntityKind::Person, p.0 as usize))));
        self.jobs.extend(a.source.iter().map(|s| Job::Atom(FeedOf::Entity(EntityKind::Source, s.0 as usize))));
        if (id.0 as usize) < after.config.feed_limit {
            self.jobs.extend([Job::Atom(FeedOf::Site), Job::Rss]);
        }
        let year = a.day.to_string();
        if let Some(i) = after.years.iter().position(|y| y.key == year[..4]) {
            self.jobs.insert(Job::Year(i));
        }
        if id.0 == 0 {
            // The lists of topics, entities and editions are as new as the newest article.
            self.jobs.extend([Job::Topics, Job::Editions].into_iter().chain(KINDS.map(Job::Entities)));
        }
    }

    /// Whether article `id` shows elsewhere as it did (its card, say).
    pub(super) fn unchanged(&self, id: usize) -> bool {
        !self.shown[id]
    }

    /// Whether `job`'s page may differ from the last build's.
    pub(super) fn wants(&self, job: &Job) -> bool {
        match *job {
            Job::Article(id) => self.articles[id.0 as usize],
            Job::Topic(i, _) | Job::Atom(FeedOf::Topic(i)) if self.topics[i] => true,
            Job::Entity(kind, i, _) | Job::Atom(FeedOf::Entity(kind, i)) if self.entities[kind as usize][i] => true,
            Job::Year(_) | Job::Month(..) | Job::Day(_) if self.periods => true,
            Job::Edition(_) | Job::Editions | Job::Home if self.editions => true,
            // Made of the settings alone, which `site_print` covers.
            Job::Search | Job::NotFound => false,
            _ => self.jobs.contains(job),
        }
    }
}

/// Marks in `flags` (by place in `after`) the items of `after` not in `before` as they are, by
/// route; returns whether any was, or any of `before` is gone.
fn mark_changed<T: PartialEq>(before: &[T], after: &[T], route: impl Fn(&T) -> &String, flags: &mut [bool]) -> bool {
    let was: rustc_hash::FxHashMap<&str, &T> = before.iter().map(|x| (route(x).as_str(), x)).collect();
    let mut any = false;
    for (i, x) in after.iter().enumerate() {
        if was.get(route(x).as_str()) != Some(&x) {
            flags[i] = true;
            any = true;
        }
    }
    any || before.len() != after.len()
}

/// The same edition before and after, as its page shows it (topics by route: their ids move
/// when one is added).
fn same_edition(before: &Site, after: &Site, i: usize) -> bool {
    let (eb, ea) = (&before.editions[i], &after.editions[i]);
    eb.articles == ea.articles
        && eb.groups.len() == ea.groups.len()
        && eb.groups.iter().zip(&ea.groups).all(|(gb, ga)| {
            gb.articles == ga.articles
                && gb.topic.map(|t| shown_topic(before, t)) == ga.topic.map(|t| shown_topic(after, t))
        })
}

/// How article `a` of `after` differs from `b` of `before`, field by field, with its topics
/// and entities by route and name, and its edition as it shows.
fn change(before: &Site, b: &Article, after: &Site, a: &Article) -> Change {
    let Article {
        id,
        path,
        rel,
        slug,
        title,
        date,
        updated,
        day,
        url,
        source,
        topics,
        people,
        places,
        summary,
        body_html,
        related,
        referenced_by,
        links_to,
        neighbours,
        edition,
        route,
        href,
        draft,
        extra,
    } = a;
    let entities = |kind: EntityKind, ids_a: &[EntityId], ids_b: &[EntityId]| {
        ids_a.iter().map(|e| shown_entity(after, kind, *e)).eq(ids_b.iter().map(|e| shown_entity(before, kind, *e)))
    };
    let shown = *id == b.id
        && *path == b.path
        && *rel == b.rel
        && *slug == b.slug
        && *title == b.title
        && *date == b.date
        && *updated == b.updated
        && *day == b.day
        && *url == b.url
        && entities(EntityKind::Source, source.as_slice(), b.source.as_slice())
        && topics.iter().map(|t| shown_topic(after, *t)).eq(b.topics.iter().map(|t| shown_topic(before, *t)))
        && entities(EntityKind::Person, people, &b.people)
        && entities(EntityKind::Place, places, &b.places)
        && *summary == b.summary
        && (std::sync::Arc::ptr_eq(body_html, &b.body_html) || *body_html == b.body_html)
        && *route == b.route
        && *href == b.href
        && *draft == b.draft
        && *extra == b.extra;
    let own = *related == b.related
        && *referenced_by == b.referenced_by
        && *links_to == b.links_to
        && neighbours
            .iter()
            .map(|n| (shown_topic(after, n.topic), n.older, n.newer))
            .eq(b.neighbours.iter().map(|n| (shown_topic(before, n.topic), n.older, n.newer)))
        && shown_edition(after, *edition) == shown_edition(before, b.edition);
    match (shown, own) {
        (true, true) => Change::None,
        (true, false) => Change::Own,
        (false, _) => Change::Shown,
    }
}

/// A topic as pages show it: its route and name.
fn shown_topic(site: &Site, t: TopicId) -> (&str, &str) {
    let t = site.topic(t);
    (&t.route, &t.name)
}

/// An entity as pages show it: its route and name.
fn shown_entity(site: &Site, kind: EntityKind, e: EntityId) -> (&str, &str) {
    let e = site.entity(kind, e);
    (&e.route, &e.name)
}

/// An edition as an article's page shows it.
fn shown_edition(site: &Site, e: usize) -> (&str, &str, &str) {
    let e = &site.editions[e];
    (&e.id, &e.title, &e.route)
}
