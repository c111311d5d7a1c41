//! Which pages an edit of article files can change, found by comparing the site before and
//! after it: a rebuild in `serve` fingerprints those pages only and keeps the last build's file
//! of every other (fingerprinting all 20,000 pages of a 10,000-article site was most of a
//! front-matter edit's rebuild). A page is named here when anything it shows may differ; naming
//! one too many costs a fingerprint, never a wrong page. Debug builds check every page left out
//! against its fingerprint (see `Shared::unreached`).

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::model::{Article, ArticleId, Edition, Entity, EntityId, EntityKind, Period, Related, Site, Topic, TopicId};

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
    /// Every page of these years, months and days.
    years: Vec<bool>,
    months: Vec<bool>,
    days: Vec<bool>,
    /// Every edition, the list of editions and the home page.
    editions: bool,
    /// For each article, its id in the last build (None: new).
    old_of_new: Vec<Option<u32>>,
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
    /// assets (only article files changed), their articles matched by route.
    pub(super) fn between(before: &Site, after: &Site) -> Affected {
        let m = Matched::new(before, after);
        let changes: Vec<Change> = (0..after.articles.len())
            .into_par_iter()
            .map(|i| match m.old_of_new[i] {
                Some(old) => change(&m, before, &before.articles[old as usize], after, &after.articles[i]),
                None => Change::Shown,
            })
            .collect();
        let mut x = Affected {
            shown: changes.iter().map(|c| *c == Change::Shown).collect(),
            articles: changes.iter().map(|c| *c != Change::None).collect(),
            topics: vec![false; after.topics.len()],
            entities: KINDS.map(|k| vec![false; after.entities(k).len()]),
            years: vec![false; after.years.len()],
            months: vec![false; after.months.len()],
            days: vec![false; after.days.len()],
            editions: false,
            old_of_new: Vec::new(),
            jobs: FxHashSet::default(),
        };
        x.periods(&m, before, after);
        // Lists whose members, names or articles changed: all their pages and feeds, and the
        // page listing them (names and counts).
        let same_topic = |b: &Topic, a: &Topic| {
            (&b.slug, &b.name, &b.description) == (&a.slug, &a.name, &a.description) && m.same(&b.articles, &a.articles)
        };
        if mark_changed(&before.topics, &after.topics, |t| &t.route, same_topic, &mut x.topics) {
            x.jobs.insert(Job::Topics);
        }
        let same_entity =
            |b: &Entity, a: &Entity| (&b.slug, &b.name) == (&a.slug, &a.name) && m.same(&b.articles, &a.articles);
        for (k, kind) in KINDS.into_iter().enumerate() {
            if mark_changed(before.entities(kind), after.entities(kind), |e| &e.route, same_entity, &mut x.entities[k])
            {
                x.jobs.insert(Job::Entities(kind));
            }
        }
        // Editions link their neighbours, and the list of editions and the home page show their
        // titles, dates and counts: any of those changed, all. Otherwise each whose articles or
        // groups changed (the home page shows the newest).
        let header = |e| (shown_edition(e), e.start, e.end, e.articles.len());
        if !before.editions.iter().map(header).eq(after.editions.iter().map(header)) {
            x.editions = true;
        } else {
            for i in (0..after.editions.len()).filter(|i| !same_edition(&m, before, after, *i)) {
                x.jobs.insert(Job::Edition(i));
                if i == 0 {
                    x.jobs.insert(Job::Home);
                }
            }
        }
        let mut retitled: Vec<&str> = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            if *change == Change::Shown {
                let a = &after.articles[i];
                let b = m.old_of_new[i].map(|old| &*before.articles[old as usize]);
                x.shown_article(after, a);
                if b.is_none_or(|b| b.title != a.title) {
                    retitled.push(a.title.as_str());
                    retitled.extend(b.map(|b| b.title.as_str()));
                }
            }
        }
        // Articles gone: the lists they were in changed (above, and each article that listed
        // them is changed); their titles may no longer be shared.
        for (old, new) in m.new_of_old.iter().enumerate() {
            if new.is_none() {
                retitled.push(before.articles[old].title.as_str());
            }
        }
        // The site's feeds show the newest articles, and the lists of topics, entities and
        // editions take their date from the newest one.
        let limit = after.config.feed_limit.min(after.articles.len());
        let moved = |i: usize| m.old_of_new[i] != Some(i as u32) || x.shown[i];
        if (0..limit).any(moved) || before.articles.len().min(after.config.feed_limit) != limit {
            x.jobs.extend([Job::Atom(FeedOf::Site), Job::Rss]);
        }
        if after.articles.is_empty() || moved(0) {
            x.jobs.extend([Job::Topics, Job::Editions].into_iter().chain(KINDS.map(Job::Entities)));
        }
        // A title another article has is told apart by its day in the page's `<title>`.
        if !retitled.is_empty() {
            for a in &after.articles {
                x.articles[a.id.0 as usize] |= retitled.contains(&a.title.as_str());
            }
        }
        x.old_of_new = m.old_of_new;
        x
    }

    /// Marks what shows article `a`, shown otherwise than before the edit: its page, every page
    /// with its card (`card_pages`: related, referenced and neighbouring articles, the pages of
    /// its topics, entities, day, month and edition with it), the feeds with its items, its
    /// year (whose date is its newest article's). The articles that showed its card before and
    /// no longer do changed their own lists: they are changed articles themselves.
    fn shown_article(&mut self, after: &Site, a: &Article) {
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
        self.jobs.extend(super::feeds_of(a).map(Job::Atom));
        let year = a.day.to_string();
        if let Some(i) = after.years.iter().position(|y| y.key == year[..4]) {
            self.jobs.insert(Job::Year(i));
        }
    }

    /// Marks the years, months and days whose articles changed; all, when periods came or went
    /// (each links its neighbours).
    fn periods(&mut self, m: &Matched, before: &Site, after: &Site) {
        let same_periods = |b: &[Period], a: &[Period]| {
            b.len() == a.len()
                && b.iter().zip(a).all(|(x, y)| (&x.key, &x.label, &x.route) == (&y.key, &y.label, &y.route))
        };
        let levels = [(&before.years, &after.years), (&before.months, &after.months), (&before.days, &after.days)];
        if !levels.iter().all(|(b, a)| same_periods(b, a)) {
            [&mut self.years, &mut self.months, &mut self.days].into_iter().for_each(|v| v.fill(true));
            return;
        }
        // A period's articles are its children's: a changed day changes its month and year
        // (which count their children's articles) as well.
        for (flags, (b, a)) in [&mut self.years, &mut self.months, &mut self.days].into_iter().zip(levels) {
            for (i, (pb, pa)) in b.iter().zip(a.iter()).enumerate() {
                flags[i] |= !m.same(&pb.articles, &pa.articles);
            }
        }
    }

    /// The fingerprints of the cards of the last render (`render::Memo::card_prints`, by
    /// their ids then) of the articles that show as they did, by their ids now (0 for others).
    pub(super) fn known_cards(&self, before: &[u64]) -> Vec<u64> {
        let known = |(i, old): (usize, &Option<u32>)| match old {
            Some(old) if !self.shown[i] => before.get(*old as usize).copied().unwrap_or(0),
            _ => 0,
        };
        self.old_of_new.iter().enumerate().map(known).collect()
    }

    /// Whether `job`'s page may differ from the last build's.
    pub(super) fn wants(&self, job: &Job) -> bool {
        match *job {
            Job::Article(id) => self.articles[id.0 as usize],
            Job::Topic(i, _) | Job::Atom(FeedOf::Topic(i)) if self.topics[i] => true,
            Job::Entity(kind, i, _) | Job::Atom(FeedOf::Entity(kind, i)) if self.entities[kind as usize][i] => true,
            Job::Year(i) if self.years[i] => true,
            Job::Month(i, _) if self.months[i] => true,
            Job::Day(i) if self.days[i] => true,
            Job::Edition(_) | Job::Editions | Job::Home if self.editions => true,
            // Made of the settings alone, which `site_print` covers.
            Job::Search | Job::NotFound => false,
            _ => self.jobs.contains(job),
        }
    }
}

/// Marks in `flags` (by place in `after`) the items of `after` not in `before` as they are, by
/// route; returns whether any was, or any of `before` is gone.
fn mark_changed<T>(
    before: &[T],
    after: &[T],
    route: impl Fn(&T) -> &String,
    same: impl Fn(&T, &T) -> bool,
    flags: &mut [bool],
) -> bool {
    let was: rustc_hash::FxHashMap<&str, &T> = before.iter().map(|x| (route(x).as_str(), x)).collect();
    let mut any = false;
    for (i, x) in after.iter().enumerate() {
        if !was.get(route(x).as_str()).is_some_and(|b| same(b, x)) {
            flags[i] = true;
            any = true;
        }
    }
    any || before.len() != after.len()
}

/// The same edition before and after, as its page shows it (topics by route: their ids move
/// when one is added).
fn same_edition(m: &Matched, before: &Site, after: &Site, i: usize) -> bool {
    let (eb, ea) = (&before.editions[i], &after.editions[i]);
    m.same(&eb.articles, &ea.articles)
        && eb.groups.len() == ea.groups.len()
        && eb.groups.iter().zip(&ea.groups).all(|(gb, ga)| {
            m.same(&gb.articles, &ga.articles)
                && gb.topic.map(|t| shown_topic(before, t)) == ga.topic.map(|t| shown_topic(after, t))
        })
}

/// How article `a` of `after` differs from `b` of `before`, field by field, with its topics
/// and entities by route and name, and its edition as it shows.
fn change(m: &Matched, before: &Site, b: &Article, after: &Site, a: &Article) -> Change {
    // Its own fields are compared by `own_fields_same`.
    let Article { source, topics, people, places, related, referenced_by, links_to, neighbours, edition, .. } = a;
    let entities = |kind: EntityKind, ids_a: &[EntityId], ids_b: &[EntityId]| {
        ids_a.iter().map(|e| shown_entity(after, kind, *e)).eq(ids_b.iter().map(|e| shown_entity(before, kind, *e)))
    };
    // An article the rebuild took as it was (the same value, its ids those of the last site):
    // only what it shows of other lists, topics and entities may differ.
    let kept = m.identity && std::ptr::eq(a, b);
    let shown = entities(EntityKind::Source, source.as_slice(), b.source.as_slice())
        && topics.iter().map(|t| shown_topic(after, *t)).eq(b.topics.iter().map(|t| shown_topic(before, *t)))
        && entities(EntityKind::Person, people, &b.people)
        && entities(EntityKind::Place, places, &b.places)
        && (kept || own_fields_same(a, b));
    let related_same = kept
        || related.len() == b.related.len()
            && related.iter().zip(&b.related).all(|(ra, rb)| match (ra, rb) {
                (Related::Article(ia, wa), Related::Article(ib, wb)) => wa == wb && m.id(*ib) == Some(*ia),
                _ => ra == rb,
            });
    let mapped = |o: Option<ArticleId>| o.map(|o| m.id(o));
    let own = related_same
        && (kept || m.same(&b.referenced_by, referenced_by) && m.same(&b.links_to, links_to))
        && neighbours
            .iter()
            .map(|n| (shown_topic(after, n.topic), n.older.map(Some), n.newer.map(Some)))
            .eq(b.neighbours.iter().map(|n| (shown_topic(before, n.topic), mapped(n.older), mapped(n.newer))))
        && shown_edition(&after.editions[*edition]) == shown_edition(&before.editions[b.edition]);
    match (shown, own) {
        (true, true) => Change::None,
        (true, false) => Change::Own,
        (false, _) => Change::Shown,
    }
}

/// Whether an article's own fields (not its lists of other articles) are the same in `b`.
fn own_fields_same(a: &Article, b: &Article) -> bool {
    // Every field is named, so that one added is compared or said not to be (the others: `change`).
    let Article {
        id: _,
        path,
        rel,
        slug,
        title,
        date,
        updated,
        day,
        url,
        source: _,
        topics: _,
        people: _,
        places: _,
        summary,
        body_html,
        related: _,
        referenced_by: _,
        links_to: _,
        neighbours: _,
        edition: _,
        route,
        href,
        draft,
        extra,
    } = a;
    *path == b.path
        && *rel == b.rel
        && *slug == b.slug
        && *title == b.title
        && *date == b.date
        && *updated == b.updated
        && *day == b.day
        && *url == b.url
        && *summary == b.summary
        && (std::sync::Arc::ptr_eq(body_html, &b.body_html) || *body_html == b.body_html)
        && *route == b.route
        && *href == b.href
        && *draft == b.draft
        && *extra == b.extra
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

/// An edition as links to it show it.
fn shown_edition(e: &Edition) -> (&str, &str, &str) {
    (&e.id, &e.title, &e.route)
}

/// The articles before and after the edit, matched by route (their ids move when one is added
/// or removed before them).
struct Matched {
    /// For each article before, its id after (None: gone).
    new_of_old: Vec<Option<u32>>,
    /// For each article after, its id before (None: new).
    old_of_new: Vec<Option<u32>>,
    /// Every article has the id it had.
    identity: bool,
}

impl Matched {
    fn new(before: &Site, after: &Site) -> Matched {
        let same_places = before.articles.len() == after.articles.len()
            && before.articles.iter().zip(&after.articles).all(|(b, a)| b.route == a.route);
        if same_places {
            let ids: Vec<Option<u32>> = (0..after.articles.len() as u32).map(Some).collect();
            return Matched { new_of_old: ids.clone(), old_of_new: ids, identity: true };
        }
        let by_route: rustc_hash::FxHashMap<&str, u32> =
            after.articles.iter().map(|a| (a.route.as_str(), a.id.0)).collect();
        let new_of_old: Vec<Option<u32>> =
            before.articles.iter().map(|b| by_route.get(b.route.as_str()).copied()).collect();
        let mut old_of_new = vec![None; after.articles.len()];
        for (old, new) in new_of_old.iter().enumerate() {
            if let Some(new) = new {
                old_of_new[*new as usize] = Some(old as u32);
            }
        }
        Matched { new_of_old, old_of_new, identity: false }
    }

    /// An article's id after the edit, from its id before.
    fn id(&self, old: ArticleId) -> Option<ArticleId> {
        self.new_of_old[old.0 as usize].map(ArticleId)
    }

    /// Whether a list of articles before is the same articles, in the same order, as one after.
    fn same(&self, before: &[ArticleId], after: &[ArticleId]) -> bool {
        before.len() == after.len() && before.iter().zip(after).all(|(b, a)| self.id(*b) == Some(*a))
    }
}
