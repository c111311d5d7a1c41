//! What templates see: borrowed, serialize-only views of the model, built here and nowhere
//! else. Per-article cards are turned into template values, markup included, once per build and
//! shared by every list that shows them (a `tera::Value` clone is a reference-count increment).

use std::borrow::Cow;
use std::sync::OnceLock;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use tera::Value;

use super::theme::{self, Theme};
use crate::diagnostics::Diagnostic;
use crate::model::{Article, ArticleId, EntityId, EntityKind, Related, Site, TopicId, Why};

/// A link to a topic, entity, edition or period.
#[derive(Serialize)]
pub struct Link<'a> {
    /// Shown text.
    pub name: &'a str,
    /// Where it goes.
    pub href: String,
}

/// A date in the forms templates need: `iso` (RFC 3339, for `<time datetime>`), `day`
/// (`2025-03-05`), `human` ("5 March 2025") and `time` ("10:00"), written when the view is made
/// into a template value. A fingerprint (`render::print`, not human-readable) takes the instant
/// and its offset instead: every form is made from those alone, and a rebuild that keeps a
/// page need not write them.
pub struct DateView(DateTime<FixedOffset>);

impl DateView {
    /// Views an instant already placed in the site's zone.
    pub fn new(d: &DateTime<FixedOffset>) -> Self {
        DateView(*d)
    }
}

impl Serialize for DateView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::date;
        use serde::ser::SerializeStruct;
        let d = &self.0;
        if !s.is_human_readable() {
            return (d.timestamp(), d.timestamp_subsec_nanos(), d.offset().local_minus_utc()).serialize(s);
        }
        let mut view = s.serialize_struct("DateView", 4)?;
        view.serialize_field("iso", &d.to_rfc3339())?;
        view.serialize_field("day", &date::day(d))?;
        view.serialize_field("human", &date::human(d))?;
        view.serialize_field("time", &date::time(d))?;
        view.end()
    }
}

/// An article in a list.
#[derive(Serialize)]
struct Card<'a> {
    title: &'a str,
    href: &'a str,
    permalink: String,
    date: DateView,
    summary: &'a str,
    /// A link (`Links`).
    source: Option<Value>,
    url: Option<&'a str>,
    /// Links (`Links`).
    topics: Vec<Value>,
    draft: bool,
    external: bool,
    why: Option<&'static str>,
}

fn card<'a>(site: &'a Site, links: &Links, a: &'a Article) -> Card<'a> {
    Card {
        title: &a.title,
        href: &a.href,
        permalink: site.url(&a.route),
        date: DateView::new(&a.date),
        summary: &a.summary,
        source: a.source.map(|s| links.entity(EntityKind::Source, s)),
        url: a.url.as_deref(),
        topics: a.topics.iter().map(|t| links.topic(*t)).collect(),
        draft: a.draft,
        external: false,
        why: None,
    }
}

/// Every topic's and entity's link as a template value, made once per render and shared by
/// every card and article page that shows it (at 100,000 articles, the cards' own copies were
/// about a fifth of their memory).
pub struct Links {
    topics: Vec<Value>,
    /// People, places, sources (`EntityKind` order).
    entities: [Vec<Value>; 3],
}

impl Links {
    /// The links of every topic and entity of `site`.
    pub fn new(site: &Site) -> Self {
        let entities = |kind| {
            (0..site.entities(kind).len() as u32)
                .map(|i| Value::from_serializable(&entity_link(site, kind, i)))
                .collect()
        };
        Links {
            topics: (0..site.topics.len() as u32).map(|i| Value::from_serializable(&topic_link(site, i))).collect(),
            entities: [EntityKind::Person, EntityKind::Place, EntityKind::Source].map(entities),
        }
    }

    /// A topic's link.
    pub fn topic(&self, id: TopicId) -> Value {
        self.topics[id.0 as usize].clone()
    }

    /// An entity's link.
    pub fn entity(&self, kind: EntityKind, id: EntityId) -> Value {
        self.entities[kind as usize][id.0 as usize].clone()
    }
}

/// A card's value with its markup added: `card` (the theme's `card` component) and `brief` (the
/// same without the summary), each rendered once per article and printed as they are by every
/// list that shows the article, so a list page costs string copies rather than component calls.
fn with_markup(value: Value, theme: &Theme) -> Result<Value, Box<Diagnostic>> {
    let mut ctx = tera::Context::new();
    ctx.insert_value("a", value);
    let render = |template| theme.tera.render(template, &ctx).map_err(|e| Box::new(theme.diagnostic(&e, None)));
    let (card, brief) = (render(theme::CARD)?, render(theme::BRIEF)?);
    // The context held the only other reference: the map is taken, not copied.
    let mut map = ctx.remove("a").and_then(Value::into_map).expect("a card is a map");
    map.insert("card".into(), Value::safe_string(card.trim()));
    map.insert("brief".into(), Value::safe_string(brief.trim()));
    Ok(Value::from(map))
}

/// True for the value of a card as `Cards` makes it (its markup, or for related lists its
/// `why`, added last): a value shown on many pages, which fingerprints count once.
pub fn is_card(map: &tera::Map) -> bool {
    map.last().is_some_and(|(k, _)| matches!(k.as_str(), Some("brief" | "why")))
}

/// Cards a render made, by the fingerprint of their fields (a related list's variant, by a hash
/// of that and its `why`): a later render with the same templates takes them as they are rather
/// than rendering their markup again, and its fingerprints of them, known by address, still
/// hold (see `render::with_scratch`). Most cards of a rebuild are the last render's: those are
/// shared, not copied (`base`), and the few made since are kept beside them (`newer`) until
/// they are many.
#[derive(Debug, Default, Clone)]
pub struct CardMemo {
    base: std::sync::Arc<rustc_hash::FxHashMap<u64, Value>>,
    newer: rustc_hash::FxHashMap<u64, Value>,
}

impl CardMemo {
    /// The card made from fields with this fingerprint.
    pub fn get(&self, print: &u64) -> Option<&Value> {
        self.newer.get(print).or_else(|| self.base.get(print))
    }

    /// Adds the cards of another memo (a later render's).
    pub fn extend(&mut self, other: CardMemo) {
        if self.base.is_empty() && self.newer.is_empty() {
            *self = other;
            return;
        }
        self.newer.extend(other.base.iter().map(|(k, v)| (*k, v.clone())).chain(other.newer));
        if self.newer.len() > self.base.len() / 8 {
            let mut all = (*self.base).clone();
            all.extend(self.newer.drain());
            self.base = std::sync::Arc::new(all);
        }
    }
}

/// A card, and the fingerprint of its fields (0 unless cards are remembered).
type Cell = OnceLock<Result<(Value, u64), Box<Diagnostic>>>;

/// Every article's card as a template value, made on first use (once per build) and shared by
/// every list that shows it; likewise its variants with a `why`, for related lists.
pub struct Cards<'a> {
    site: &'a Site,
    theme: &'a Theme,
    /// The links cards show, also for the render's other values.
    pub links: Links,
    cells: Vec<Cell>,
    /// The cards with a `why`, and their keys in the memo.
    editorial: Vec<OnceLock<(Value, u64)>>,
    shared: Vec<OnceLock<(Value, u64)>>,
    /// Whether cards are fingerprinted (for `memo`), and those of the last render to reuse.
    remember: Option<Option<&'a CardMemo>>,
    /// The fingerprint of each article's card in the last render, where its card is known to
    /// be the same (0 elsewhere): that card is taken from the memo without its fields being
    /// made (see `render::affected`).
    known: Vec<u64>,
}

impl<'a> Cards<'a> {
    /// Room for the cards of every article. With `remember`, cards are fingerprinted for
    /// `memo`, and those in the given memo (made with the same templates) are reused.
    pub fn new(site: &'a Site, theme: &'a Theme, remember: Option<Option<&'a CardMemo>>) -> Self {
        let n = site.articles.len();
        Cards {
            site,
            theme,
            links: Links::new(site),
            cells: (0..n).map(|_| OnceLock::new()).collect(),
            editorial: (0..n).map(|_| OnceLock::new()).collect(),
            shared: (0..n).map(|_| OnceLock::new()).collect(),
            remember,
            known: Vec::new(),
        }
    }

    /// Sets the cards known unchanged since the last render (see `known`).
    pub fn know(&mut self, prints: Vec<u64>) {
        self.known = prints;
    }

    /// The fingerprint of every article's card, made or known (0 for the others).
    pub fn prints(&self) -> Vec<u64> {
        if self.remember.is_none() {
            return Vec::new();
        }
        let made = |i: usize| self.cells[i].get().and_then(|c| c.as_ref().ok()).map(|(_, print)| *print);
        (0..self.cells.len()).map(|i| made(i).unwrap_or_else(|| self.known.get(i).copied().unwrap_or(0))).collect()
    }

    /// One article's card.
    pub fn get(&self, id: ArticleId) -> Result<Value, Box<Diagnostic>> {
        self.item(id).map(|(card, _)| card.clone())
    }

    /// One article's card and the fingerprint of its fields.
    fn item(&self, id: ArticleId) -> Result<&(Value, u64), Box<Diagnostic>> {
        self.cells[id.0 as usize].get_or_init(|| self.make(id)).as_ref().map_err(|e| e.clone())
    }

    fn make(&self, id: ArticleId) -> Result<(Value, u64), Box<Diagnostic>> {
        if let (Some(Some(before)), Some(&print)) = (self.remember, self.known.get(id.0 as usize))
            && let Some(kept) = before.get(&print).filter(|_| print != 0)
        {
            debug_assert_eq!(print, super::print::of(&card(self.site, &self.links, self.site.article(id))));
            return Ok((kept.clone(), print));
        }
        let fields = card(self.site, &self.links, self.site.article(id));
        let made = || with_markup(Value::from_serializable(&fields), self.theme);
        let Some(before) = self.remember else { return Ok((made()?, 0)) };
        // Fingerprinted as it is: its value is made only when the last render's is not reused.
        let print = super::print::of(&fields);
        match before.and_then(|b| b.get(&print)) {
            Some(kept) => Ok((kept.clone(), print)),
            None => Ok((made()?, print)),
        }
    }

    /// The cards made so far, for a later render to reuse (empty unless remembered).
    pub fn memo(&self) -> CardMemo {
        if self.remember.is_none() {
            return CardMemo::default();
        }
        let related = self.editorial.iter().chain(&self.shared).filter_map(OnceLock::get);
        let made = self.cells.iter().filter_map(|c| c.get()?.as_ref().ok()).chain(related);
        let made: Vec<(u64, Value)> = made.map(|(card, print)| (*print, card.clone())).collect();
        let mut cards = rustc_hash::FxHashMap::with_capacity_and_hasher(made.len(), Default::default());
        cards.extend(made);
        CardMemo { base: std::sync::Arc::new(cards), newer: Default::default() }
    }

    /// Everything made, for the caller to free (see `lib::drop_later`).
    pub fn into_made(self) -> Box<dyn Send> {
        Box::new((self.cells, self.editorial, self.shared))
    }

    /// The cards of some articles.
    pub fn list(&self, ids: &[ArticleId]) -> Result<Value, Box<Diagnostic>> {
        let cards = self.items(ids).map(|card| card.map(|c| c.into_owned().0));
        Ok(Value::from(cards.collect::<Result<Vec<_>, _>>()?))
    }

    /// The cards of some articles, each with its fingerprint (see `CardItem`).
    pub fn items<'c>(&'c self, ids: &'c [ArticleId]) -> impl ExactSizeIterator<Item = CardItem<'c>> {
        ids.iter().map(|id| self.item(*id).map(Cow::Borrowed))
    }

    /// The related list: cards of site articles with `why` they are related (`editorial` or
    /// `shared`; their markup is the plain card's), and outside links (`editorial`, `external`),
    /// each with its fingerprint (see `CardItem`).
    pub fn related_items<'c>(&'c self, a: &'c Article) -> impl ExactSizeIterator<Item = CardItem<'c>> {
        a.related.iter().map(|r| match r {
            Related::Article(id, why) => {
                let (cells, label) = match why {
                    Why::Editorial => (&self.editorial, "editorial"),
                    Why::Shared => (&self.shared, "shared"),
                };
                let (plain, print) = self.item(*id)?;
                Ok(Cow::Borrowed(cells[id.0 as usize].get_or_init(|| {
                    // Kept in the memo under a key of its own (none without one).
                    let key = self.remember.map_or(0, |_| super::print::of(&(print, label)));
                    if let Some(made) = self.remember.flatten().and_then(|b| b.get(&key)) {
                        return (made.clone(), key);
                    }
                    let mut map = plain.clone().into_map().expect("a card is a map");
                    map.insert("why".into(), Value::from(label));
                    (Value::from(map), key)
                })))
            }
            Related::External { title, url } => {
                let fields = Card {
                    title,
                    href: url,
                    permalink: url.clone(),
                    date: DateView::new(&a.date),
                    summary: "",
                    source: None,
                    url: Some(url),
                    topics: vec![],
                    draft: false,
                    external: true,
                    why: Some("editorial"),
                };
                let print = self.remember.map_or(0, |_| super::print::of(&fields));
                Ok(Cow::Owned((with_markup(Value::from_serializable(&fields), self.theme)?, print)))
            }
        })
    }
}

/// A card as a list shows it: its value and the fingerprint of what it is made from (0 unless
/// cards are remembered), which stands for the value under the same templates. Borrowed from
/// `Cards` unless made for this list alone.
pub type CardItem<'c> = Result<Cow<'c, (Value, u64)>, Box<Diagnostic>>;

/// A topic's link.
pub fn topic_link(site: &Site, i: u32) -> Link<'_> {
    let t = &site.topics[i as usize];
    Link { name: &t.name, href: site.href(&t.route) }
}

/// An entity's link.
pub fn entity_link(site: &Site, kind: EntityKind, i: u32) -> Link<'_> {
    let e = &site.entities(kind)[i as usize];
    Link { name: &e.name, href: site.href(&e.route) }
}

/// Site-wide values, the same on every page.
#[derive(Serialize)]
pub struct SiteView<'a> {
    title: &'a str,
    description: &'a str,
    base_url: &'a str,
    base_path: &'a str,
    language: &'a str,
    extra: &'a toml::Table,
    generator: &'static str,
    topics: Vec<TermLink<'a>>,
    years: Vec<TermLink<'a>>,
    latest_edition: Option<Link<'a>>,
}

/// A term with its article count, for indexes and navigation.
#[derive(Serialize)]
pub struct TermLink<'a> {
    /// Shown text.
    pub name: &'a str,
    /// Where it goes.
    pub href: String,
    /// Articles it has.
    pub count: usize,
}

/// The `site` value.
pub fn site_view(site: &Site) -> Value {
    let c = &site.config;
    Value::from_serializable(&SiteView {
        title: &c.title,
        description: &c.description,
        base_url: &c.base_url,
        base_path: &c.base_path,
        language: &c.language,
        extra: &c.extra,
        generator: concat!("digest ", env!("CARGO_PKG_VERSION")),
        topics: site
            .topics
            .iter()
            .map(|t| TermLink { name: &t.name, href: site.href(&t.route), count: t.articles.len() })
            .collect(),
        years: site
            .years
            .iter()
            .map(|y| TermLink { name: &y.label, href: site.href(&y.route), count: y.articles.len() })
            .collect(),
        latest_edition: site.editions.first().map(|e| Link { name: &e.title, href: site.href(&e.route) }),
    })
}

/// The full view of an article page's article (the list values are separate).
#[derive(Serialize)]
pub struct ArticleView<'a> {
    title: &'a str,
    slug: &'a str,
    href: &'a str,
    permalink: String,
    date: DateView,
    updated: Option<DateView>,
    summary: &'a str,
    content: &'a str,
    /// The links are `Links`'.
    source: Option<Value>,
    url: Option<&'a str>,
    topics: Vec<Value>,
    people: Vec<Value>,
    places: Vec<Value>,
    edition: Link<'a>,
    day: Link<'a>,
    draft: bool,
    extra: &'a toml::Table,
}

/// The article page's `article`.
pub fn article_view<'a>(site: &'a Site, links: &Links, a: &'a Article) -> ArticleView<'a> {
    let e = &site.editions[a.edition];
    ArticleView {
        title: &a.title,
        slug: &a.slug,
        href: &a.href,
        permalink: site.url(&a.route),
        date: DateView::new(&a.date),
        updated: a.updated.as_ref().map(DateView::new),
        summary: &a.summary,
        content: &a.body_html,
        source: a.source.map(|s| links.entity(EntityKind::Source, s)),
        url: a.url.as_deref(),
        topics: a.topics.iter().map(|t| links.topic(*t)).collect(),
        people: a.people.iter().map(|p| links.entity(EntityKind::Person, *p)).collect(),
        places: a.places.iter().map(|p| links.entity(EntityKind::Place, *p)).collect(),
        edition: Link { name: &e.title, href: site.href(&e.route) },
        day: Link { name: "", href: site.href(&crate::routes::layout::day(a.day)) },
        draft: a.draft,
        extra: &a.extra,
    }
}

/// A feed a page links with `<link rel="alternate">`.
#[derive(Serialize, Clone)]
pub struct FeedLink {
    /// Shown to feed readers.
    pub title: String,
    /// Where it is.
    pub href: String,
    /// `application/atom+xml`, `application/rss+xml` or `application/feed+json`.
    pub mime: &'static str,
}

/// Page metadata every template gets as `page`.
#[derive(Serialize)]
pub struct PageMeta<'a> {
    /// `article`, `home`, `topic`, `person`, `place`, `source`, `topics`, `people`, `places`,
    /// `sources`, `year`, `month`, `day`, `edition`, `editions`, `search`, `404`.
    pub kind: &'static str,
    /// The page's own title (OpenGraph, headings).
    pub title: String,
    /// The `<title>`: unique across the site.
    pub head_title: String,
    /// Meta description.
    pub description: String,
    /// Absolute url of this page.
    pub canonical: String,
    /// Href of this page.
    pub href: String,
    /// The page's own feed. Templates get `page.feeds` (below): it first, then the site's
    /// feeds (made once per build, not with every page).
    #[serde(skip)]
    pub own_feed: Option<FeedLink>,
    /// schema.org JSON-LD, escaped for a script element.
    pub jsonld: Option<super::seo::JsonLd<'a>>,
    /// Article pages: published, RFC 3339.
    pub published: Option<String>,
    /// Article pages: modified, RFC 3339.
    pub modified: Option<String>,
    /// `page.feeds`: the own feed, then the site's. Set only when the page's values are made,
    /// after its fingerprint (which counts those feeds apart), so that the template's map of
    /// the page is built once rather than built and then copied with one key more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feeds: Option<Value>,
}

/// Where a paginated list page is.
#[derive(Serialize)]
pub struct Paginator {
    /// 1-based.
    pub current: usize,
    /// Number of pages.
    pub total: usize,
    /// Href of the previous page.
    pub prev: Option<String>,
    /// Href of the next page.
    pub next: Option<String>,
}
