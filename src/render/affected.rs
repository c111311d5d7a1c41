//! Which pages an edit of article files can change, found by comparing the site before and
//! after it: a rebuild in `serve` fingerprints those pages only and keeps the last build's file
//! of every other (fingerprinting all 20,000 pages of a 10,000-article site was most of a
//! front-matter edit's rebuild). A page is named here when anything it shows may differ; naming
//! one too many costs a fingerprint, never a wrong page. Debug builds check every page left out
//! against its fingerprint (see `Shared::render_jobs`).

use crate::model::{Article, EntityId, EntityKind, Period, Related, Site, TopicId};

use super::Job;
use super::feeds::FeedOf;

/// The pages an edit may have changed, by their places in the site after it.
pub(super) struct Affected {
    /// Articles that changed, as any page shows them (their cards among the rest).
    changed: Vec<bool>,
    /// Article pages.
    articles: Vec<bool>,
    /// Every page and the feed of these topics.
    topics: Vec<bool>,
    /// Every page and the feed of these entities (`EntityKind` order).
    entities: [Vec<bool>; 3],
    /// The list of topics, and those of each kind of entity.
    topic_index: bool,
    entity_index: [bool; 3],
    years: Vec<bool>,
    months: Vec<bool>,
    days: Vec<bool>,
    editions: Vec<bool>,
    /// The list of editions.
    edition_index: bool,
    home: bool,
    /// The site's Atom and RSS feeds.
    site_feeds: bool,
}

const KINDS: [EntityKind; 3] = [EntityKind::Person, EntityKind::Place, EntityKind::Source];

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
        let flags = |n: usize| vec![false; n];
        let mut x = Affected {
            changed: flags(after.articles.len()),
            articles: flags(after.articles.len()),
            topics: flags(after.topics.len()),
            entities: KINDS.map(|k| flags(after.entities(k).len())),
            topic_index: false,
            entity_index: [false; 3],
            years: flags(after.years.len()),
            months: flags(after.months.len()),
            days: flags(after.days.len()),
            editions: flags(after.editions.len()),
            edition_index: false,
            home: false,
            site_feeds: false,
        };
        // Lists whose members, names or articles changed: all their pages and feeds, and the
        // page listing them (names and counts).
        x.topic_index = mark_changed(&before.topics, &after.topics, |t| &t.route, &mut x.topics);
        for (k, kind) in KINDS.into_iter().enumerate() {
            x.entity_index[k] =
                mark_changed(before.entities(kind), after.entities(kind), |e| &e.route, &mut x.entities[k]);
        }
        // Periods link their neighbours and count their children's articles: any change, all.
        if before.years != after.years || before.months != after.months || before.days != after.days {
            [&mut x.years, &mut x.months, &mut x.days].into_iter().for_each(|v| v.fill(true));
        }
        // Editions link their neighbours and the home page shows the latest ones: likewise.
        let editions_same = before.editions.len() == after.editions.len()
            && (0..after.editions.len()).all(|i| same_edition(before, after, i));
        if !editions_same {
            x.editions.fill(true);
            x.edition_index = true;
            x.home = true;
        }
        let limit = after.config.feed_limit;
        let mut retitled: Vec<&str> = Vec::new();
        for (b, a) in before.articles.iter().zip(&after.articles) {
            if same_article(before, b, after, a) {
                continue;
            }
            x.changed[a.id.0 as usize] = true;
            x.article(before, b, after, a);
            if b.title != a.title {
                retitled.extend([b.title.as_str(), a.title.as_str()]);
            }
            // The site's feeds show the newest articles; the lists of topics, entities and
            // editions take their date from the newest one.
            x.site_feeds |= (a.id.0 as usize) < limit;
            if a.id.0 == 0 {
                x.topic_index = true;
                x.entity_index = [true; 3];
                x.edition_index = true;
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

    /// Marks what shows changed article `a` (`b` before the edit): its page, the pages showing
    /// its card (related, referencing, neighbouring articles), its topics, entities, periods and
    /// edition, before and after.
    fn article(&mut self, before: &Site, b: &Article, after: &Site, a: &Article) {
        for x in [a, b] {
            self.articles[x.id.0 as usize] = true;
            let related = x.related.iter().filter_map(|r| match r {
                Related::Article(id, _) => Some(*id),
                Related::External { .. } => None,
            });
            let neighbours = x.neighbours.iter().flat_map(|n| n.older.into_iter().chain(n.newer));
            for id in related.chain(x.links_to.iter().copied()).chain(x.referenced_by.iter().copied()).chain(neighbours)
            {
                self.articles[id.0 as usize] = true;
            }
        }
        // Topics and entities by their places after the edit (found by route for `b`'s).
        let topic_of = |site: &Site, t: &TopicId| find(&after.topics, |x| &x.route, &site.topic(*t).route);
        for t in a.topics.iter().map(|t| Some(t.0 as usize)).chain(b.topics.iter().map(|t| topic_of(before, t))) {
            t.into_iter().for_each(|t| self.topics[t] = true);
        }
        for (k, kind) in KINDS.into_iter().enumerate() {
            let ids = |x: &Article| match kind {
                EntityKind::Person => x.people.clone(),
                EntityKind::Place => x.places.clone(),
                EntityKind::Source => x.source.into_iter().collect(),
            };
            let now = ids(a).into_iter().map(|e| Some(e.0 as usize));
            let was =
                ids(b).into_iter().map(|e| find(after.entities(kind), |x| &x.route, &before.entity(kind, e).route));
            now.chain(was).flatten().for_each(|e| self.entities[k][e] = true);
        }
        for day in [a.day, b.day] {
            let key = day.to_string();
            let mark = |list: &[Period], flags: &mut [bool], key: &str| {
                if let Some(i) = list.iter().position(|p| p.key == key) {
                    flags[i] = true;
                }
            };
            mark(&after.days, &mut self.days, &key);
            mark(&after.months, &mut self.months, &key[..7]);
            mark(&after.years, &mut self.years, &key[..4]);
        }
        let was = find(&after.editions, |e| &e.id, &before.editions[b.edition].id);
        for e in [Some(a.edition), was].into_iter().flatten() {
            self.editions[e] = true;
            self.home |= e == 0;
        }
    }

    /// Whether article `id` shows as it did (its card, say).
    pub(super) fn unchanged(&self, id: usize) -> bool {
        !self.changed[id]
    }

    /// Whether `job`'s page may differ from the last build's.
    pub(super) fn wants(&self, job: &Job) -> bool {
        match *job {
            Job::Home => self.home,
            Job::Article(id) => self.articles[id.0 as usize],
            Job::Topics => self.topic_index,
            Job::Topic(i, _) | Job::Atom(FeedOf::Topic(i)) => self.topics[i],
            Job::Entities(kind) => self.entity_index[kind as usize],
            Job::Entity(kind, i, _) | Job::Atom(FeedOf::Entity(kind, i)) => self.entities[kind as usize][i],
            Job::Year(i) => self.years[i],
            Job::Month(i, _) => self.months[i],
            Job::Day(i) => self.days[i],
            Job::Editions => self.edition_index,
            Job::Edition(i) => self.editions[i],
            // Made of the settings alone, which `site_print` covers.
            Job::Search | Job::NotFound => false,
            Job::Atom(FeedOf::Site) | Job::Rss => self.site_feeds,
        }
    }
}

/// The place of the item of `list` whose key (`key_of`) is `key`.
fn find<T>(list: &[T], key_of: impl Fn(&T) -> &String, key: &str) -> Option<usize> {
    list.iter().position(|x| key_of(x) == key)
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

/// The same edition before and after, as its page and every page linking it shows it (topics
/// by route: their ids move when one is added).
fn same_edition(before: &Site, after: &Site, i: usize) -> bool {
    let (eb, ea) = (&before.editions[i], &after.editions[i]);
    eb.id == ea.id
        && eb.title == ea.title
        && eb.start == ea.start
        && eb.end == ea.end
        && eb.route == ea.route
        && eb.articles == ea.articles
        && eb.groups.len() == ea.groups.len()
        && eb.groups.iter().zip(&ea.groups).all(|(gb, ga)| {
            gb.articles == ga.articles
                && gb.topic.map(|t| shown_topic(before, t)) == ga.topic.map(|t| shown_topic(after, t))
        })
}

/// True when article `a` of `after` shows as `b` of `before` did, wherever it is shown: every
/// field, with its topics and entities by route and name, and its edition as it shows.
fn same_article(before: &Site, b: &Article, after: &Site, a: &Article) -> bool {
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
    *id == b.id
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
        && *related == b.related
        && *referenced_by == b.referenced_by
        && *links_to == b.links_to
        && neighbours
            .iter()
            .map(|n| (shown_topic(after, n.topic), n.older, n.newer))
            .eq(b.neighbours.iter().map(|n| (shown_topic(before, n.topic), n.older, n.newer)))
        && shown_edition(after, *edition) == shown_edition(before, b.edition)
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

/// An edition as an article's page shows it.
fn shown_edition(site: &Site, e: usize) -> (&str, &str, &str) {
    let e = &site.editions[e];
    (&e.id, &e.title, &e.route)
}
