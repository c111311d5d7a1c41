//! The render stage: site + theme → files in a `Sink` (memory or a staging folder), every page
//! rendered in parallel.
//!
//! Pure given a loaded theme: nothing here reads or writes files. Every template error is
//! collected with the template's file and line and the page being rendered.

mod affected;
pub mod feeds;
mod print;
pub mod search;
pub mod seo;
pub mod theme;
pub mod view;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset};
use rayon::prelude::*;
use tera::{Context, Value};

use crate::diagnostics::Diagnostic;
use crate::model::{ArticleId, EntityKind, Period, Site, TextChanges};
use crate::output::{FileData, Sink};
use crate::routes::{self, layout};
use feeds::FeedOf;
use theme::{StaticData, Theme};
use view::{FeedLink, Link, PageMeta, Paginator, TermLink};

/// One file to render.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
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
    Search,
    NotFound,
    Atom(FeedOf),
    Rss,
}

impl Job {
    /// The url (relative to the site root) this job writes.
    fn route(&self, site: &Site) -> String {
        match *self {
            Job::Home => String::new(),
            Job::Article(id) => site.article(id).route.clone(),
            Job::Topics => layout::TOPICS.to_string(),
            Job::Topic(i, page) => routes::paged(&site.topics[i].route, page),
            Job::Entities(kind) => format!("{}/", kind.section()),
            Job::Entity(kind, i, page) => routes::paged(&site.entities(kind)[i].route, page),
            Job::Year(i) => site.years[i].route.clone(),
            Job::Month(i, page) => routes::paged(&site.months[i].route, page),
            Job::Day(i) => site.days[i].route.clone(),
            Job::Editions => layout::EDITIONS.to_string(),
            Job::Edition(i) => site.editions[i].route.clone(),
            Job::Search => "search/".to_string(),
            Job::NotFound => "404.html".to_string(),
            Job::Atom(FeedOf::Site) => "atom.xml".to_string(),
            Job::Atom(of) => format!("{}atom.xml", feeds::scope(site, of).2),
            Job::Rss => "rss.xml".to_string(),
        }
    }

    /// Who wants the file, as a diagnostic names it: an article by its source file.
    fn owner(&self, site: &Site, route: &str) -> String {
        match *self {
            Job::Article(id) => site.article(id).path.to_string_lossy().replace('\\', "/"),
            _ => format!("the generated page /{route}"),
        }
    }
}

/// Shared, per-build values.
struct Shared<'a> {
    site: &'a Site,
    theme: &'a Theme,
    cards: view::Cards<'a>,
    site_value: Value,
    items: feeds::Items,
    /// Titles held by more than one article: their pages' `<title>` adds the date.
    shared_titles: rustc_hash::FxHashSet<&'a str>,
    /// The site's feeds, linked from every page: the end of each page's `page.feeds`.
    site_feeds: Vec<Value>,
    /// Whether pages are fingerprinted, and against what.
    prints: Fingerprints<'a>,
    /// The fingerprint of the fields of `site` the templates read and of the site's feeds (when
    /// fingerprinting): what every page shows alike.
    site_print: u64,
    /// This render's number, unique in the process.
    generation: u64,
    /// The pages an edit of article files may have changed, when known (see `Fingerprints`;
    /// found by `reach`).
    affected: Option<affected::Affected>,
}

/// A fingerprint of each page's template variables and the file it gave, by the hash of its
/// route (`route_key`). With the same templates, equal variables give equal bytes: a rebuild
/// keeps the file of each page whose fingerprint did not change. (The keys are hashes already:
/// Fx mixes them in one multiplication.)
pub type Prints = rustc_hash::FxHashMap<u64, Kept>;

/// A page as the last build made it: the fingerprint of its variables, its file, and its
/// sitemap entry (`Page::sitemap`), all a rebuild needs to keep it without looking at it.
#[derive(Debug, Clone)]
pub struct Kept {
    print: u64,
    data: FileData,
    sitemap: Option<Lastmod>,
}

/// A page's key in `Prints`: a number, so that the map is copied without an allocation per
/// page (a wording edit copies it). Two routes with one key cannot keep a wrong page: each
/// fingerprint includes its route.
fn route_key(route: &str) -> u64 {
    twox_hash::XxHash3_64::oneshot(route.as_bytes())
}

/// What a render leaves for the next one made with the same templates.
#[derive(Debug, Default, Clone)]
pub struct Memo {
    /// The fingerprint of every page's variables.
    pub prints: Prints,
    /// The fingerprint of what every page shows alike (`Shared::site_print`).
    pub site: u64,
    /// The fingerprint of each article's card, by id (0 where none was made).
    pub card_prints: Vec<u64>,
    /// The cards made.
    pub cards: view::CardMemo,
    /// Files made from the model as a whole that are made again only when what they are made
    /// from changed (see `remade`).
    pub generated: Remade,
}

/// Files made together, by a name: the fingerprint of what they were made from, and the files.
pub type Remade = rustc_hash::FxHashMap<String, (u64, Vec<(String, FileData)>)>;

impl Memo {
    /// Adds what a render of some pages left (`render_texts`) to the memo of the whole site.
    pub fn update(&mut self, newer: Memo) {
        self.prints.extend(newer.prints);
        self.cards.extend(newer.cards);
        self.generated.extend(newer.generated);
        self.site = newer.site;
        // The same articles (a render of some pages is of wording alone): cards not made again
        // are as they were.
        if self.card_prints.len() == newer.card_prints.len() {
            for (mine, new) in self.card_prints.iter_mut().zip(newer.card_prints) {
                if new != 0 {
                    *mine = new;
                }
            }
        } else {
            self.card_prints = newer.card_prints;
        }
    }
}

/// What a render does with fingerprints.
#[derive(Clone, Copy)]
pub enum Fingerprints<'a> {
    /// Nothing (`digest build`: nothing is rendered again).
    Off,
    /// Makes them, for a later rebuild.
    Make,
    /// Makes them, and keeps the file of every page whose fingerprint is in the memo (made
    /// with the same templates), and every card the memo has. With the site the memo was
    /// made from, when only article files changed since, pages the change cannot reach are
    /// kept without being fingerprinted (see `affected`).
    Reuse(&'a Memo, Option<&'a Site>),
}

/// What rendering some pages gave besides their files.
#[derive(Default)]
pub struct Rendered {
    /// The fingerprints of the pages and the cards made (empty with `Fingerprints::Off`).
    pub memo: Memo,
    /// How many files were rendered (the rest were kept).
    pub files: usize,
}

/// A rendered page (its bytes in the worker's buffer, unless the old ones were kept).
struct Page {
    /// Url relative to the site root (`a/b/` or `atom.xml`).
    route: String,
    /// For the sitemap: HTML pages only (404 excepted), with their newest date.
    sitemap: Option<Option<DateTime<FixedOffset>>>,
    /// Its fingerprint, when made.
    print: Option<u64>,
    /// The file the last build made, still right: nothing was rendered.
    kept: Option<FileData>,
}

/// A render thread's reusable state: no page allocates its own buffer, and a card shown on many
/// pages is fingerprinted once per thread.
#[derive(Default)]
struct Scratch {
    /// The render it serves (`Shared::generation`; see `with_scratch`).
    generation: u64,
    /// The page being rendered.
    body: Vec<u8>,
    /// Fingerprints the page's variables.
    prints: Fingerprinter,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Numbers each render (see `Scratch::generation`).
static GENERATIONS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

/// Runs `f` with this thread's scratch state, emptied for the render `generation` (or with a
/// new one, should the thread's be in use). The fingerprints of cards stay known from one
/// render to the next, by address: a rebuild shows mostly the last one's cards (`CardMemo`),
/// and each card is held where its fingerprint is, so that its address is not reused. All are
/// forgotten once more are held than three for each of the site's `articles` (its card and two
/// related variants): after a template edit, every card is new.
fn with_scratch<T>(generation: u64, articles: usize, f: impl FnOnce(&mut Scratch) -> T) -> T {
    let run = |scratch: &mut Scratch| {
        if scratch.generation != generation {
            scratch.generation = generation;
            if scratch.prints.cards.len() > 3 * articles {
                scratch.prints.cards.clear();
            }
        }
        scratch.body.clear();
        f(scratch)
    };
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut held) => run(&mut held),
        Err(_) => run(&mut Scratch::default()),
    })
}

/// Why rendering stopped.
#[derive(Debug)]
pub enum RenderError {
    /// Template errors, each naming the template, line and page.
    Diagnostics(Vec<Diagnostic>),
    /// The sink could not take a file.
    Env(crate::error::Error),
}

/// Pages wanted before the others: `serve` shows the pages open in a browser as soon as they
/// are ready, and the rest of the site when it is.
pub struct First<'a> {
    /// The pages' files, as the output names them (`a/b/index.html`).
    pub files: &'a [String],
    /// Given those of them the site has, rendered, before any other page is.
    pub ready: &'a (dyn Fn(crate::output::Output) + Sync),
}

/// Renders every page of `site` with `theme` into `sink`, pages in parallel (see `Fingerprints`
/// for which may be kept instead), after the pages of `first`, if any. Nothing is rendered when
/// two files want one path (see `check_routes`; `assets` are the files copied from `content/`).
pub fn render(
    site: &Site,
    theme: &Theme,
    assets: &[crate::source::Asset],
    sink: &dyn Sink,
    prints: Fingerprints,
    first: Option<First>,
) -> Result<Rendered, RenderError> {
    // The pages listed and checked, and the site-wide values: mostly serial work, made side
    // by side.
    let statics: Vec<&str> = theme.statics.keys().map(String::as_str).collect();
    let ((jobs, clashes), mut shared) = rayon::join(
        || {
            let jobs = jobs(site);
            let clashes = check_routes(site, &jobs, &statics, assets);
            (jobs, clashes)
        },
        || {
            let mut shared = Shared::new(site, theme, prints);
            if first.is_none() {
                shared.reach();
            }
            shared
        },
    );
    if !clashes.is_empty() {
        return Err(RenderError::Diagnostics(clashes));
    }
    if let Some(first) = first {
        // Rendered again below with the rest, so that the output (and its order) is what a
        // build without them makes: a page or two.
        let wanted: Vec<Job> = jobs
            .par_iter()
            .copied()
            .filter(|job| {
                let wanted = |route: &str| first.files.iter().any(|f| routes::has_file(route, f));
                match *job {
                    // Half the pages: their routes are made already.
                    Job::Article(id) => wanted(&site.article(id).route),
                    _ => wanted(&job.route(site)),
                }
            })
            .collect();
        if !wanted.is_empty() {
            let early = std::sync::Mutex::new(crate::output::Output::default());
            shared.render_jobs(&wanted, &early, None)?;
            (first.ready)(early.into_inner().expect("output lock is never poisoned"));
        }
        // What the edit reached is found only now: the open pages did not wait for it.
        shared.reach();
    }
    // The files made from the model alone are made meanwhile: fingerprinted only for a memo,
    // and taken from the last render's when made from the same.
    let last = match prints {
        Fingerprints::Off => None,
        Fingerprints::Make => Some(None),
        Fingerprints::Reuse(memo, _) => Some(Some(&memo.generated)),
    };
    let last_prints = match prints {
        Fingerprints::Reuse(memo, _) => Some(&memo.prints),
        _ => None,
    };
    let (done, mut generated) = rayon::join(
        || shared.render_jobs(&jobs, sink, last_prints),
        || {
            let ids = feeds::newest(site, FeedOf::Site);
            let mut generated = vec![
                made(("feed.json".to_string(), feeds::json_feed(site, &ids))),
                made(("news-sitemap.xml".to_string(), seo::news_sitemap(site))),
                made(("robots.txt".to_string(), seo::robots(site))),
                made(search::titles(site)),
            ];
            generated.extend((0..search::shard_count(site)).map(|i| {
                let name = search::shard_name(i);
                remade(last, name, || search::shard_print(site, i), || vec![search::shard(site, i)])
            }));
            generated
        },
    );
    let (sitemap, mut done) = done?;
    let (cards, sitemaps) = rayon::join(
        || match (prints, &shared.affected) {
            // Only the cards of the pages looked at were made: the others are the last render's.
            (Fingerprints::Reuse(memo, _), Some(_)) => {
                let mut all = memo.cards.clone();
                all.extend(shared.cards.memo());
                all
            }
            _ => shared.cards.memo(),
        },
        || {
            let (base, limit) = (&site.config.base_url, seo::SITEMAP_LIMIT);
            remade(
                last,
                "sitemap.xml".into(),
                || seo::sitemaps_print(base, &sitemap, limit),
                || seo::sitemaps(base, &sitemap, limit),
            )
        },
    );
    shared.remember(&mut done.memo, cards);
    crate::drop_later(shared.into_made());
    generated.push(sitemaps);
    put_generated(sink, generated, &mut done)?;
    for (to, data) in &theme.statics {
        let data = match data {
            StaticData::Embedded(b) => FileData::Bytes(bytes::Bytes::from_static(b)),
            StaticData::File(p) => FileData::Copy(p.clone()),
        };
        sink.put(to.clone(), data).map_err(RenderError::Env)?;
    }
    Ok(done)
}

/// How a page's file was made: taken from the last render without a look (see
/// `Shared::unreached`), kept because its fingerprint is the last render's, or rendered.
#[derive(Clone, Copy, PartialEq)]
enum Made {
    Unreached,
    Kept,
    Rendered,
}

/// Files made from the model as a whole, together.
struct Generated {
    /// Under which name they are remembered, and the fingerprint of what they are made from
    /// (None: made every time).
    key: Option<(String, u64)>,
    files: Vec<(String, FileData)>,
    /// Made, rather than taken from the last render.
    made: bool,
}

/// Puts generated files into the sink, counting those made, and keeps in the memo those a later
/// render may take as they are (those with a key).
fn put_generated(sink: &dyn Sink, generated: Vec<Generated>, done: &mut Rendered) -> Result<(), RenderError> {
    for Generated { key, files, made } in generated {
        if made {
            done.files += files.len();
        }
        if let Some((key, print)) = key {
            done.memo.generated.insert(key, (print, files.clone()));
        }
        for (path, data) in files {
            sink.put(path, data).map_err(RenderError::Env)?;
        }
    }
    Ok(())
}

/// A file made every time.
fn made((path, text): (String, String)) -> Generated {
    Generated { key: None, files: vec![(path, FileData::Bytes(text.into()))], made: true }
}

/// Files made from what `print` fingerprints. With a memo to fill (`from`), they are
/// remembered under `key` with their fingerprint, and the last render's (in `from`'s memo)
/// are taken when theirs is the same; otherwise, and without a memo, they are made by `make`.
fn remade(
    from: Option<Option<&Remade>>,
    key: String,
    print: impl FnOnce() -> u64,
    make: impl FnOnce() -> Vec<(String, String)>,
) -> Generated {
    let print = from.map(|_| print());
    let files = |files: Vec<(String, String)>| files.into_iter().map(|(p, t)| (p, FileData::Bytes(t.into()))).collect();
    let Some(print) = print else { return Generated { key: None, files: files(make()), made: true } };
    match from.flatten().and_then(|l| l.get(&key)).filter(|(p, _)| *p == print) {
        Some((_, kept)) => Generated { key: Some((key, print)), files: kept.clone(), made: false },
        None => Generated { key: Some((key, print)), files: files(make()), made: true },
    }
}

/// Renders what an edit of article wording alone can change (see `model::TextChanges`): the
/// edited articles' pages and the feeds that carry their text; for those whose card changed,
/// every page that shows it (lists, editions, the home page, the article pages that list them
/// as related, referencing or neighbouring); their search summary shards when a summary
/// changed, the search index and the news sitemap when a title did. Every other file is the
/// same as before. Returns how many files it rendered, and the pages' new fingerprints.
pub fn render_texts(
    site: &Site,
    theme: &Theme,
    sink: &dyn Sink,
    changes: &TextChanges,
) -> Result<Rendered, RenderError> {
    let shared = Shared::new(site, theme, Fingerprints::Make);
    let changed = &changes.pages;
    let mut jobs: Vec<Job> = Vec::new();
    let mut add = |job: Job| {
        if !jobs.contains(&job) {
            jobs.push(job);
        }
    };
    changed.iter().for_each(|id| add(Job::Article(*id)));
    let mut scopes = vec![FeedOf::Site];
    for id in changed {
        scopes.extend(feeds_of(site.article(*id)));
    }
    let mut site_feed = false;
    for of in scopes {
        if !feeds::newest(site, of).iter().any(|id| changed.contains(id)) {
            continue;
        }
        if matches!(of, FeedOf::Site) {
            add(Job::Atom(FeedOf::Site));
            add(Job::Rss);
            site_feed = true;
        } else {
            add(Job::Atom(of));
        }
    }
    for id in &changes.cards {
        card_pages(site, *id).into_iter().for_each(&mut add);
    }
    // The files made from the model as a whole are made meanwhile.
    let (done, generated) = rayon::join(
        || shared.render_jobs(&jobs, sink, None),
        || {
            let mut generated = Vec::new();
            if site_feed {
                generated
                    .push(made(("feed.json".to_string(), feeds::json_feed(site, &feeds::newest(site, FeedOf::Site)))));
            }
            let mut shards: Vec<usize> = changes.summaries.iter().map(|id| search::shard_of(*id)).collect();
            shards.sort_unstable();
            shards.dedup();
            generated.extend(shards.into_iter().map(|i| made(search::shard(site, i))));
            if !changes.titles.is_empty() {
                generated.push(made(search::titles(site)));
                generated.push(made(("news-sitemap.xml".to_string(), seo::news_sitemap(site))));
            }
            generated
        },
    );
    let (_, mut done) = done?;
    shared.remember(&mut done.memo, shared.cards.memo());
    put_generated(sink, generated, &mut done)?;
    Ok(done)
}

/// The topics, people and source whose feeds carry an article (besides the site's).
fn feeds_of(a: &crate::model::Article) -> impl Iterator<Item = FeedOf> + '_ {
    let topics = a.topics.iter().map(|t| FeedOf::Topic(t.0 as usize));
    let people = a.people.iter().map(|p| FeedOf::Entity(EntityKind::Person, p.0 as usize));
    topics.chain(people).chain(a.source.iter().map(|s| FeedOf::Entity(EntityKind::Source, s.0 as usize)))
}

/// The articles whose pages show an article's card: related to it (both ways), linked from
/// its body (their pages list it as referencing them), its neighbours in each topic.
fn shown_on(a: &crate::model::Article) -> impl Iterator<Item = ArticleId> + '_ {
    let related = a.related.iter().filter_map(|r| match r {
        crate::model::Related::Article(x, _) => Some(*x),
        crate::model::Related::External { .. } => None,
    });
    let neighbours = a.neighbours.iter().flat_map(|n| n.newer.into_iter().chain(n.older));
    related.chain(a.links_to.iter().copied()).chain(neighbours)
}

/// Every page that shows the card of article `id` (besides its own).
fn card_pages(site: &Site, id: ArticleId) -> Vec<Job> {
    let per = site.config.per_page;
    let a = site.article(id);
    let page_of = |ids: &[ArticleId]| ids.iter().position(|x| *x == id).map_or(1, |p| p / per + 1);
    let mut jobs = Vec::new();
    for t in &a.topics {
        jobs.push(Job::Topic(t.0 as usize, page_of(&site.topics[t.0 as usize].articles)));
    }
    for (kind, ids) in [
        (EntityKind::Person, &a.people[..]),
        (EntityKind::Place, &a.places[..]),
        (EntityKind::Source, a.source.as_slice()),
    ] {
        for e in ids {
            jobs.push(Job::Entity(kind, e.0 as usize, page_of(&site.entities(kind)[e.0 as usize].articles)));
        }
    }
    let day = a.day.to_string();
    if let Some(i) = site.days.iter().position(|d| d.key == day) {
        jobs.push(Job::Day(i));
    }
    if let Some(i) = site.months.iter().position(|m| m.key == day[..7]) {
        jobs.push(Job::Month(i, page_of(&site.months[i].articles)));
    }
    jobs.push(Job::Edition(a.edition));
    if a.edition == 0 {
        jobs.push(Job::Home);
    }
    jobs.extend(shown_on(a).map(Job::Article));
    jobs
}

/// Checks that no two files of the output want the same path: every page (`jobs`, paginated
/// lists and feeds included), every generated file and every asset copied from `content/`, each
/// named by who wants it. (A static file of the theme or site may replace a generated one on
/// purpose, e.g. `static/robots.txt`, but not an asset.)
fn check_routes(site: &Site, jobs: &[Job], statics: &[&str], assets: &[crate::source::Asset]) -> Vec<Diagnostic> {
    /// Who wants a file: a page (by its job), or something named.
    #[derive(Clone)]
    enum Owner {
        Page(usize),
        Named(String),
    }
    // The pages' files are made side by side; owners are named only if they collide.
    let files: Vec<String> = jobs.par_iter().map(|job| routes::file_for(&job.route(site))).collect();
    let mut claims = routes::Claims::with_capacity(files.len());
    for (i, file) in files.into_iter().enumerate() {
        claims.claim(file, Owner::Page(i));
    }
    let shards = search::shard_count(site);
    let generated = ["feed.json", "sitemap.xml", "news-sitemap.xml", "robots.txt", "search-index.json"]
        .map(String::from)
        .into_iter()
        .chain((0..shards).map(|i| format!("search/summaries-{i}.json")));
    for file in generated {
        let owner = format!("the generated {file}");
        claims.claim(file, Owner::Named(owner));
    }
    for file in statics {
        claims.replace(file.to_string(), Owner::Named(format!("the static file {file}")));
    }
    for asset in assets {
        claims.claim(asset.to.clone(), Owner::Named(format!("content/{}", asset.to)));
    }
    claims.finish(|owner| match owner {
        Owner::Page(i) => jobs[*i].owner(site, &jobs[*i].route(site)),
        Owner::Named(name) => name.clone(),
    })
}

/// A page's newest date, for the sitemap.
type Lastmod = Option<DateTime<FixedOffset>>;
type SitemapEntry = (String, Lastmod);

enum Failed {
    Template(Box<Diagnostic>),
    Env(crate::error::Error),
}

fn pages(n: usize, per_page: usize) -> usize {
    n.div_ceil(per_page).max(1)
}

/// Every page and feed of `site`, in the order rendered. The listing runs twice, counting and
/// then filling: growing the list took fresh memory several times over, up to 8 ms of one
/// thread with the other cores idle.
fn jobs(site: &Site) -> Vec<Job> {
    let mut count = 0;
    each_job(site, &mut |_| count += 1);
    let mut v = Vec::with_capacity(count);
    each_job(site, &mut |job| v.push(job));
    v
}

/// Hands every job of `site` to `f`, in order (see `jobs`).
fn each_job(site: &Site, f: &mut impl FnMut(Job)) {
    let per = site.config.per_page;
    for job in [Job::Home, Job::Topics, Job::Editions, Job::Search, Job::NotFound, Job::Atom(FeedOf::Site), Job::Rss] {
        f(job);
    }
    site.articles.iter().for_each(|a| f(Job::Article(a.id)));
    for (i, t) in site.topics.iter().enumerate() {
        (1..=pages(t.articles.len(), per)).for_each(|p| f(Job::Topic(i, p)));
        f(Job::Atom(FeedOf::Topic(i)));
    }
    for kind in [EntityKind::Person, EntityKind::Place, EntityKind::Source] {
        f(Job::Entities(kind));
        for (i, e) in site.entities(kind).iter().enumerate() {
            (1..=pages(e.articles.len(), per)).for_each(|p| f(Job::Entity(kind, i, p)));
            if kind != EntityKind::Place {
                f(Job::Atom(FeedOf::Entity(kind, i)));
            }
        }
    }
    (0..site.years.len()).for_each(|i| f(Job::Year(i)));
    for (i, m) in site.months.iter().enumerate() {
        (1..=pages(m.articles.len(), per)).for_each(|p| f(Job::Month(i, p)));
    }
    (0..site.days.len()).for_each(|i| f(Job::Day(i)));
    (0..site.editions.len()).for_each(|i| f(Job::Edition(i)));
}

fn kind_words(kind: EntityKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        EntityKind::Person => ("person", "people", "People"),
        EntityKind::Place => ("place", "places", "Places"),
        EntityKind::Source => ("source", "sources", "Sources"),
    }
}

impl<'a> Shared<'a> {
    /// Keeps in `memo` what this render leaves for the next: `cards`, the fingerprint of what
    /// every page shows alike, and each article's card fingerprint.
    fn remember(&self, memo: &mut Memo, cards: view::CardMemo) {
        memo.cards = cards;
        memo.site = self.site_print;
        memo.card_prints = self.cards.prints();
    }

    /// The card values made, for the caller to free.
    fn into_made(self) -> Box<dyn Send> {
        self.cards.into_made()
    }

    fn new(site: &'a Site, theme: &'a Theme, prints: Fingerprints<'a>) -> Self {
        let shared_titles = site.shared_titles();
        let site_value = view::site_view(site);
        let site_feeds: Vec<Value> = [
            ("Atom", "atom.xml", "application/atom+xml"),
            ("RSS", "rss.xml", "application/rss+xml"),
            ("JSON Feed", "feed.json", "application/feed+json"),
        ]
        .iter()
        .map(|(name, file, mime)| {
            Value::from_serializable(&FeedLink {
                title: format!("{} ({name})", site.config.title),
                href: site.href(file),
                mime,
            })
        })
        .collect();
        let mut f = Fingerprinter::default();
        if !matches!(prints, Fingerprints::Off) {
            // The site's feeds end every page's `page.feeds`: counted here, once for all pages.
            site_feeds.iter().for_each(|feed| f.value(feed));
        }
        match (prints, &theme.site_fields) {
            (Fingerprints::Off, _) => {}
            (_, Some(fields)) => {
                let map = site_value.as_map().expect("site is a map");
                let undefined = Value::undefined();
                for (field, read) in fields {
                    f.bytes(tag::LABEL, field.as_bytes());
                    let value = map.get(&tera::value::Key::Str(field)).unwrap_or(&undefined);
                    match read {
                        Some(read) => f.projected(value, read),
                        None => f.value(value),
                    }
                }
            }
            (_, None) => f.value(&site_value),
        }
        let site_print = f.finish();
        let remember = match prints {
            Fingerprints::Off => None,
            Fingerprints::Make => Some(None),
            Fingerprints::Reuse(memo, _) => Some(Some(&memo.cards)),
        };
        Shared {
            prints,
            generation: GENERATIONS.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            site_print,
            affected: None,
            cards: view::Cards::new(site, theme, remember),
            site,
            theme,
            site_value,
            items: feeds::Items::new(site),
            shared_titles,
            site_feeds,
        }
    }

    /// Finds what the edit since the last render reached (`affected`), when the last render's
    /// memo and site are at hand and every page shows the site as it did: from then on, pages it
    /// did not reach are kept without a look, and the cards of articles it left as they were are
    /// the last render's. Pages rendered before it (those open in a browser, see `First`) are
    /// fingerprinted like any other. Called once a render.
    fn reach(&mut self) {
        let Fingerprints::Reuse(memo, Some(before)) = self.prints else { return };
        if memo.site != self.site_print {
            return;
        }
        let affected = affected::Affected::between(before, self.site);
        self.cards.know(affected.known_cards(&memo.card_prints));
        self.affected = Some(affected);
    }

    /// Renders `jobs` in parallel, each file going to the sink as soon as it is done (or the
    /// file of the last build, when its fingerprint says it is the same). Returns the sitemap
    /// entries of the HTML pages and, when given the last render's fingerprints (`last`), the
    /// fingerprints of the whole site (the pages rendered early pass None: theirs are dropped).
    fn render_jobs(
        &self,
        jobs: &[Job],
        sink: &dyn Sink,
        last: Option<&Prints>,
    ) -> Result<(Vec<SitemapEntry>, Rendered), RenderError> {
        // Each page, how its file was made, and its file when the next render may keep it.
        type Done = (Page, Made, Option<FileData>);
        // In runs of at most 32 pages: rayon otherwise hands out a few long runs, and pages cost
        // from tens of microseconds to milliseconds, so that at the end of a build one worker
        // was seen rendering alone for 60 ms with the other core idle.
        let results: Vec<Result<Done, Failed>> = jobs
            .par_iter()
            .with_max_len(32)
            .map(|job| {
                with_scratch(self.generation, self.site.articles.len(), |scratch| {
                    let (mut page, made) = match self.unreached(job, scratch) {
                        Some(page) => (page, Made::Unreached),
                        None => {
                            let page = self.render(job, scratch).map_err(Failed::Template)?;
                            let made = if page.kept.is_some() { Made::Kept } else { Made::Rendered };
                            (page, made)
                        }
                    };
                    let file = routes::file_for(&page.route);
                    let data = match page.kept.take() {
                        Some(data) => Some(data),
                        // A fingerprinted page's file is kept with its fingerprint.
                        None if page.print.is_some() => {
                            Some(FileData::Bytes(bytes::Bytes::copy_from_slice(&scratch.body)))
                        }
                        None => None,
                    };
                    match &data {
                        Some(data) => sink.put(file, data.clone()),
                        None => sink.put_bytes(file, &scratch.body),
                    }
                    .map_err(Failed::Env)?;
                    Ok((page, made, data))
                })
            })
            .collect();
        let mut diags = Vec::new();
        let mut sitemap = Vec::with_capacity(results.len());
        let mut done = Rendered::default();
        // With the last render's fingerprints (`last`), the new ones start as a copy of those: a
        // page taken from them unlooked at has its entry already, and only the others are put
        // in (a page kept by its fingerprint may have another sitemap date). After an article
        // added at 10,000 articles, this loop took 5-9 ms inserting all 20,000; 2-2.5 ms now.
        match last {
            Some(last) => done.memo.prints = last.clone(),
            None if !matches!(self.prints, Fingerprints::Off) => done.memo.prints.reserve(results.len()),
            None => {}
        }
        let mut keys = Vec::with_capacity(if last.is_some() { results.len() } else { 0 });
        for r in results {
            match r {
                Ok((page, made, data)) => {
                    done.files += usize::from(made == Made::Rendered);
                    if let (Some(print), Some(data)) = (page.print, data) {
                        let key = route_key(&page.route);
                        if last.is_some() {
                            keys.push(key);
                        }
                        if made != Made::Unreached || last.is_none() {
                            done.memo.prints.insert(key, Kept { print, data, sitemap: page.sitemap });
                        }
                    }
                    sitemap.extend(page.sitemap.map(|lastmod| (page.route, lastmod)));
                }
                Err(Failed::Template(d)) => {
                    if !diags.contains(&*d) {
                        diags.push(*d)
                    }
                }
                Err(Failed::Env(e)) => return Err(RenderError::Env(e)),
            }
        }
        // Every page has its entry now; more entries than pages are of pages gone.
        if last.is_some() && done.memo.prints.len() != keys.len() {
            let now: rustc_hash::FxHashSet<u64> = keys.into_iter().collect();
            done.memo.prints.retain(|key, _| now.contains(key));
        }
        if diags.is_empty() { Ok((sitemap, done)) } else { Err(RenderError::Diagnostics(diags)) }
    }

    /// Page metadata with the site's feeds linked; callers add their own feed and JSON-LD.
    fn meta(&self, kind: &'static str, title: String, description: String, route: &str) -> PageMeta<'a> {
        let site = self.site;
        let description = if description.is_empty() { site.config.description.clone() } else { description };
        let head_title =
            if kind == "home" { site.config.title.clone() } else { [&title, " · ", &site.config.title].concat() };
        PageMeta {
            kind,
            head_title,
            title,
            description: clip(&description, 200),
            canonical: site.url(route),
            href: site.href(route),
            own_feed: None,
            jsonld: None,
            published: None,
            modified: None,
            feeds: None,
        }
    }

    /// Adds the breadcrumb trail (home first, this page last) as JSON-LD.
    fn crumbs(&self, meta: &mut PageMeta<'a>, trail: &[(&str, &str)]) {
        let mut full: Vec<(&str, &str)> = vec![(&self.site.config.title, "")];
        full.extend_from_slice(trail);
        meta.jsonld = Some(seo::breadcrumbs(self.site, &full));
    }

    /// Links the page's own Atom feed first.
    fn own_feed(&self, meta: &mut PageMeta, name: &str, route: &str) {
        let link = FeedLink {
            title: format!("{name} (Atom)"),
            href: self.site.href(&format!("{route}atom.xml")),
            mime: "application/atom+xml",
        };
        meta.own_feed = Some(link);
    }

    fn paginate(
        &self,
        ctx: &mut Vars<'_>,
        base: &str,
        ids: &[ArticleId],
        page: usize,
    ) -> Result<Lastmod, Box<Diagnostic>> {
        let per = self.site.config.per_page;
        let total = pages(ids.len(), per);
        let start = ((page - 1) * per).min(ids.len());
        let end = (start + per).min(ids.len());
        ctx.insert_cards("articles", self.cards.items(&ids[start..end]))?;
        ctx.insert(
            "paginator",
            &Paginator {
                current: page,
                total,
                prev: (page > 1).then(|| self.site.href(&routes::paged(base, page - 1))),
                next: (page < total).then(|| self.site.href(&routes::paged(base, page + 1))),
            },
        );
        Ok(self.newest(&ids[start..end]))
    }

    /// A feed's `items`, fingerprinted by the items' own fingerprints (made once per render).
    fn insert_items(&self, ctx: &mut Vars<'_>, ids: &[ArticleId], of: FeedOf) {
        let site = self.site;
        let prints = ids.iter().map(|id| self.items.print(site, *id, of));
        ctx.insert_listed("items", prints, || self.items.items(site, ids, of));
    }

    /// The newest publication or update among some articles: a list page's `lastmod`.
    fn newest(&self, ids: &[ArticleId]) -> Option<DateTime<FixedOffset>> {
        ids.iter().map(|id| self.site.article(*id)).map(|a| a.updated.unwrap_or(a.date)).max()
    }

    /// The last build's page, kept without a look, when the edit since cannot have changed it
    /// (see `affected`). Debug builds check that its fingerprint says so.
    fn unreached(&self, job: &Job, scratch: &mut Scratch) -> Option<Page> {
        let (Fingerprints::Reuse(memo, _), Some(affected)) = (self.prints, &self.affected) else { return None };
        if affected.wants(job) {
            return None;
        }
        let route = job.route(self.site);
        let last = memo.prints.get(&route_key(&route))?;
        if cfg!(debug_assertions) {
            let printed = self.page(job, scratch, Make::Print).expect("the last build rendered this page");
            assert_eq!(
                (printed.print, printed.sitemap),
                (Some(last.print), last.sitemap),
                "/{route} changed, but `affected` did not name it"
            );
        }
        Some(Page { route, sitemap: last.sitemap, print: Some(last.print), kept: Some(last.data.clone()) })
    }

    /// Renders a page into the scratch buffer. With fingerprints to reuse, the page's variables
    /// are first only fingerprinted, and made (and the page rendered) only when the fingerprint
    /// is not the last build's: otherwise the last build's file is kept.
    fn render(&self, job: &Job, scratch: &mut Scratch) -> Result<Page, Box<Diagnostic>> {
        match self.prints {
            Fingerprints::Off => self.page(job, scratch, Make::Values),
            Fingerprints::Make => self.page(job, scratch, Make::Both),
            Fingerprints::Reuse(..) => {
                let printed = self.page(job, scratch, Make::Print)?;
                if printed.kept.is_some() {
                    return Ok(printed);
                }
                let made = self.page(job, scratch, Make::Values)?;
                Ok(Page { print: printed.print, ..made })
            }
        }
    }

    fn page(&self, job: &Job, scratch: &mut Scratch, make: Make) -> Result<Page, Box<Diagnostic>> {
        let site = self.site;
        let Scratch { body, prints, .. } = scratch;
        let mut ctx = Vars::new(make, prints);
        let route = job.route(site);
        let (template, meta, lastmod): (&str, Option<PageMeta>, Option<DateTime<FixedOffset>>) = match *job {
            Job::Home => {
                let mut meta = self.meta("home", site.config.title.clone(), String::new(), "");
                meta.jsonld = Some(seo::JsonLd::Text(seo::script_json(&serde_json::json!({
                    "@context": "https://schema.org", "@type": "WebSite",
                    "name": site.config.title, "url": site.config.base_url,
                    "potentialAction": {"@type": "SearchAction",
                        "target": format!("{}search/?q={{query}}", site.config.base_url),
                        "query-input": "required name=query"},
                }))));
                ctx.insert_value(
                    "edition",
                    site.editions.first().map_or(Ok(Value::none()), |_| self.edition_value(0))?,
                );
                ctx.insert_value("editions", self.editions_value(1, 12));
                let lastmod = site.editions.first().and_then(|e| self.newest(&e.articles));
                ("index.html", Some(meta), lastmod)
            }
            Job::Article(id) => {
                let a = site.article(id);
                let mut meta = self.meta("article", a.title.clone(), a.summary.clone(), &a.route);
                if self.shared_titles.contains(a.title.as_str()) {
                    // Another article has this title: the `<title>` tells them apart by day.
                    let day = crate::date::human(&a.date);
                    meta.head_title = format!("{} ({day}) · {}", a.title, site.config.title);
                }
                meta.jsonld = Some(seo::news_article(site, a, meta.description.clone()));
                meta.published = Some(a.date.to_rfc3339());
                meta.modified = Some(a.updated.unwrap_or(a.date).to_rfc3339());
                ctx.insert("article", &view::article_view(site, &self.cards.links, a));
                ctx.insert_cards("related", self.cards.related_items(a))?;
                ctx.insert_cards("referenced_by", self.cards.items(&a.referenced_by))?;
                let card = |o: Option<ArticleId>| o.map_or(Ok(Value::none()), |o| self.cards.get(o));
                let neighbours = a
                    .neighbours
                    .iter()
                    .map(|n| {
                        let mut m = BTreeMap::new();
                        m.insert("topic".to_string(), self.cards.links.topic(n.topic));
                        m.insert("older".to_string(), card(n.older)?);
                        m.insert("newer".to_string(), card(n.newer)?);
                        Ok(Value::from(m))
                    })
                    .collect::<Result<Vec<Value>, Box<Diagnostic>>>()?;
                ctx.insert_value("neighbours", Value::from(neighbours));
                ("article.html", Some(meta), Some(a.updated.unwrap_or(a.date)))
            }
            Job::Topics => {
                let mut meta = self.meta(
                    "topics",
                    "Topics".into(),
                    format!("All topics of {}", site.config.title),
                    layout::TOPICS,
                );
                self.crumbs(&mut meta, &[("Topics", layout::TOPICS)]);
                let terms: Vec<TermLink> = site
                    .topics
                    .iter()
                    .map(|t| TermLink { name: &t.name, href: site.href(&t.route), count: t.articles.len() })
                    .collect();
                ctx.insert("terms", &terms);
                ctx.insert("kind", "topic");
                ctx.insert("kind_plural", "Topics");
                let lastmod = site.articles.first().map(|a| a.date);
                ("terms.html", Some(meta), lastmod)
            }
            Job::Topic(i, page) => {
                let t = &site.topics[i];
                let desc = t
                    .description
                    .clone()
                    .unwrap_or_else(|| format!("Articles about {} in {}", t.name, site.config.title));
                let mut meta = self.meta("topic", page_title(&format!("Topic: {}", t.name), page), desc, &route);
                self.own_feed(&mut meta, &format!("{}: {}", site.config.title, t.name), &t.route);
                self.crumbs(&mut meta, &[("Topics", layout::TOPICS), (&t.name, &t.route)]);
                let lastmod = self.paginate(&mut ctx, &t.route, &t.articles, page)?;
                let term = Term {
                    kind: "topic",
                    kind_label: "Topic",
                    name: &t.name,
                    description: t.description.as_deref(),
                    href: site.href(&t.route),
                    feed: Some(site.href(&format!("{}atom.xml", t.route))),
                    count: t.articles.len(),
                };
                ctx.insert("term", &term);
                ("list.html", Some(meta), lastmod)
            }
            Job::Entities(kind) => {
                let (_, plural, label) = kind_words(kind);
                let mut meta = self.meta(plural, label.into(), format!("{label} in {}", site.config.title), &route);
                self.crumbs(&mut meta, &[(label, &route)]);
                let terms: Vec<TermLink> = site
                    .entities(kind)
                    .iter()
                    .map(|e| TermLink { name: &e.name, href: site.href(&e.route), count: e.articles.len() })
                    .collect();
                ctx.insert("terms", &terms);
                ctx.insert("kind", kind_words(kind).0);
                ctx.insert("kind_plural", label);
                let lastmod = site.articles.first().map(|a| a.date);
                ("terms.html", Some(meta), lastmod)
            }
            Job::Entity(kind, i, page) => {
                let e = &site.entities(kind)[i];
                let (singular, plural, label) = kind_words(kind);
                let desc = match kind {
                    EntityKind::Source => format!("Articles from {} collected in {}", e.name, site.config.title),
                    _ => format!("Articles mentioning {} in {}", e.name, site.config.title),
                };
                let kind_label = match kind {
                    EntityKind::Person => "Person",
                    EntityKind::Place => "Place",
                    EntityKind::Source => "Source",
                };
                let mut meta =
                    self.meta(singular, page_title(&format!("{kind_label}: {}", e.name), page), desc, &route);
                let has_feed = kind != EntityKind::Place;
                if has_feed {
                    self.own_feed(&mut meta, &format!("{}: {}", site.config.title, e.name), &e.route);
                }
                let index = format!("{plural}/");
                self.crumbs(&mut meta, &[(label, &index), (&e.name, &e.route)]);
                let lastmod = self.paginate(&mut ctx, &e.route, &e.articles, page)?;
                let term = Term {
                    kind: singular,
                    kind_label,
                    name: &e.name,
                    description: None,
                    href: site.href(&e.route),
                    feed: has_feed.then(|| site.href(&format!("{}atom.xml", e.route))),
                    count: e.articles.len(),
                };
                ctx.insert("term", &term);
                ("list.html", Some(meta), lastmod)
            }
            Job::Year(i) => {
                let p = &site.years[i];
                let children: Vec<&Period> = site.months.iter().filter(|m| m.key.starts_with(&p.key)).collect();
                self.archive(&mut ctx, &route, "year", &site.years, i, children, 1)?
            }
            Job::Month(i, page) => {
                let p = &site.months[i];
                let children: Vec<&Period> = site.days.iter().filter(|d| d.key.starts_with(&p.key)).collect();
                self.archive(&mut ctx, &route, "month", &site.months, i, children, page)?
            }
            Job::Day(i) => self.archive(&mut ctx, &route, "day", &site.days, i, Vec::new(), 1)?,
            Job::Editions => {
                let mut meta = self.meta(
                    "editions",
                    "Editions".into(),
                    format!("Every edition of {}", site.config.title),
                    layout::EDITIONS,
                );
                self.crumbs(&mut meta, &[("Editions", layout::EDITIONS)]);
                ctx.insert_value("editions", self.editions_value(0, usize::MAX));
                let lastmod = site.articles.first().map(|a| a.date);
                ("editions.html", Some(meta), lastmod)
            }
            Job::Edition(i) => {
                let e = &site.editions[i];
                let desc = format!("{}: {} articles, {}", e.title, e.articles.len(), range(e.start, e.end));
                let mut meta = self.meta("edition", e.title.clone(), desc, &e.route);
                self.crumbs(&mut meta, &[("Editions", layout::EDITIONS), (&e.title, &e.route)]);
                ctx.insert_value("edition", self.edition_value(i)?);
                let link = |j: usize| {
                    site.editions
                        .get(j)
                        .map(|e| Value::from_serializable(&Link { name: &e.title, href: site.href(&e.route) }))
                        .unwrap_or(Value::none())
                };
                ctx.insert_value("newer", i.checked_sub(1).map(link).unwrap_or(Value::none()));
                ctx.insert_value("older", link(i + 1));
                ("edition.html", Some(meta), self.newest(&e.articles))
            }
            Job::Search => {
                let mut meta = self.meta("search", "Search".into(), format!("Search {}", site.config.title), "search/");
                self.crumbs(&mut meta, &[("Search", "search/")]);
                ("search.html", Some(meta), None)
            }
            Job::NotFound => {
                let meta = self.meta("404", "Page not found".into(), String::new(), "404.html");
                let (print, kept) = self.finish(job, "404.html", &route, Some(meta), ctx, body)?;
                return Ok(Page { route, sitemap: None, print, kept });
            }
            Job::Atom(of) => {
                let ids = feeds::newest(site, of);
                ctx.insert("feed", &feeds::head(site, of, &route, &ids));
                self.insert_items(&mut ctx, &ids, of);
                ("atom.xml", None, None)
            }
            Job::Rss => {
                let ids = feeds::newest(site, FeedOf::Site);
                ctx.insert("feed", &feeds::head(site, FeedOf::Site, "rss.xml", &ids));
                self.insert_items(&mut ctx, &ids, FeedOf::Site);
                ("rss.xml", None, None)
            }
        };
        let is_page = meta.is_some();
        let (print, kept) = self.finish(job, template, &route, meta, ctx, body)?;
        Ok(Page { route, sitemap: is_page.then_some(lastmod), print, kept })
    }

    /// Adds the shared values and renders into `body`, naming the page in any error. Bytes, not
    /// a String: what is written needs no UTF-8 check (Tera writes only strs). With fingerprints
    /// on, returns the page's; when the last build's file has it, that file is returned instead
    /// and nothing is rendered. Without values (`Make::Print`) nothing is rendered either.
    fn finish(
        &self,
        job: &Job,
        template: &str,
        route: &str,
        meta: Option<PageMeta>,
        ctx: Vars<'_>,
        body: &mut Vec<u8>,
    ) -> Result<(Option<u64>, Option<FileData>), Box<Diagnostic>> {
        let Vars { values, print } = ctx;
        let print = print.map(|f| {
            f.bytes(tag::LABEL, template.as_bytes());
            f.bytes(tag::LABEL, route.as_bytes());
            f.bytes(tag::LABEL, &self.site_print.to_le_bytes());
            // `page`: the metadata, then its own feed (the site's are in `site_print`).
            let page = (&meta, meta.as_ref().map(|m| &m.own_feed));
            serde::Serialize::serialize(&page, print::Printer(f)).expect("fingerprinting does not fail");
            f.finish()
        });
        if let (Fingerprints::Reuse(memo, _), Some(print)) = (self.prints, print)
            && let Some(last) = memo.prints.get(&route_key(route))
            && last.print == print
        {
            return Ok((Some(print), Some(last.data.clone())));
        }
        let Some(values) = values else { return Ok((print, None)) };
        let page = meta.map(|mut m| {
            let own = m.own_feed.as_ref().map(Value::from_serializable);
            m.feeds = Some(Value::from(own.into_iter().chain(self.site_feeds.iter().cloned()).collect::<Vec<_>>()));
            Value::from_serializable(&m)
        });
        let mut full = Context::new();
        full.insert_value("site", self.site_value.clone());
        if let Some(page) = page {
            full.insert_value("page", page);
        }
        for (key, value) in values {
            full.insert_value(key, value);
        }
        self.theme.tera.render_to(template, &full, body).map_err(|e| {
            let page = match job {
                Job::Article(id) => format!("/{route} from {}", self.site.article(*id).path.display()),
                _ => format!("/{route}"),
            };
            Box::new(self.theme.diagnostic(&e, Some(&page)))
        })?;
        Ok((print, None))
    }

    #[allow(clippy::too_many_arguments)]
    fn archive(
        &self,
        ctx: &mut Vars<'_>,
        route: &str,
        kind: &'static str,
        list: &[Period],
        i: usize,
        children: Vec<&Period>,
        page: usize,
    ) -> Result<(&'static str, Option<PageMeta<'a>>, Lastmod), Box<Diagnostic>> {
        let site = self.site;
        let p = &list[i];
        let desc = format!("Articles of {} in {}", p.label, site.config.title);
        let mut meta = self.meta(kind, page_title(&format!("Archive: {}", p.label), page), desc, route);
        let mut trail: Vec<(String, String)> = Vec::new();
        if kind != "year" {
            let y = &p.key[..4];
            trail.push((y.to_string(), format!("{y}/")));
        }
        if kind == "day" {
            let m = &p.key[..7];
            let label = site.months.iter().find(|x| x.key == m).map_or(m.to_string(), |x| x.label.clone());
            trail.push((label, format!("{}/", m.replace('-', "/"))));
        }
        trail.push((p.label.clone(), p.route.clone()));
        let borrowed: Vec<(&str, &str)> = trail.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        self.crumbs(&mut meta, &borrowed);
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
        let period = Term {
            kind: "period",
            kind_label: kind,
            name: &p.label,
            description: None,
            href: site.href(&p.route),
            feed: None,
            count: p.articles.len(),
        };
        ctx.insert("period", &period);
        let lastmod = if kind == "year" {
            ctx.insert_value("articles", Value::from(Vec::<Value>::new()));
            ctx.insert_value("groups", Value::from(Vec::<Value>::new()));
            ctx.insert("paginator", &Paginator { current: 1, total: 1, prev: None, next: None });
            self.newest(&p.articles)
        } else {
            let per = site.config.per_page;
            let start = ((page - 1) * per).min(p.articles.len());
            let end = (start + per).min(p.articles.len());
            ctx.insert_value("groups", self.day_groups(&p.articles[start..end])?);
            self.paginate(ctx, &p.route, &p.articles, page)?
        };
        Ok(("archive.html", Some(meta), lastmod))
    }

    fn day_groups(&self, ids: &[ArticleId]) -> Result<Value, Box<Diagnostic>> {
        let mut groups: Vec<Value> = Vec::new();
        let mut i = 0;
        while i < ids.len() {
            let day = self.site.article(ids[i]).day;
            let mut j = i;
            while j < ids.len() && self.site.article(ids[j]).day == day {
                j += 1;
            }
            let mut m = BTreeMap::new();
            m.insert("name".to_string(), Value::from(crate::date::human_day(day)));
            m.insert("href".to_string(), Value::from(self.site.href(&layout::day(day))));
            m.insert("articles".to_string(), self.cards.list(&ids[i..j])?);
            groups.push(Value::from(m));
            i = j;
        }
        Ok(Value::from(groups))
    }

    fn edition_value(&self, i: usize) -> Result<Value, Box<Diagnostic>> {
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
                m.insert("articles".to_string(), self.cards.list(&g.articles)?);
                Ok(Value::from(m))
            })
            .collect::<Result<_, Box<Diagnostic>>>()?;
        let mut m = BTreeMap::new();
        m.insert("id".to_string(), Value::from(e.id.as_str()));
        m.insert("title".to_string(), Value::from(e.title.as_str()));
        m.insert("range".to_string(), Value::from(range(e.start, e.end)));
        m.insert("href".to_string(), Value::from(site.href(&e.route)));
        m.insert("count".to_string(), Value::from(e.articles.len()));
        m.insert("groups".to_string(), Value::from(groups));
        Ok(Value::from(m))
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
    feed: Option<String>,
    count: usize,
}

/// What rendering a page makes of its variables.
#[derive(Clone, Copy, PartialEq)]
enum Make {
    /// Template values, to render it (`digest build`).
    Values,
    /// Only its fingerprint: a rebuild that can keep the page as the last build made it needs
    /// no values (most pages of a rebuild; see `Shared::render`).
    Print,
    /// Both (a build that a later one will compare with).
    Both,
}

/// A page's own template variables (`site` and `page` are added to them), in the order set: a
/// list rather than a `Context`, so that they can be fingerprinted as they are set.
struct Vars<'f> {
    values: Option<Vec<(&'static str, Value)>>,
    print: Option<&'f mut Fingerprinter>,
}

impl<'f> Vars<'f> {
    fn new(make: Make, prints: &'f mut Fingerprinter) -> Self {
        Vars { values: (make != Make::Print).then(Vec::new), print: (make != Make::Values).then_some(prints) }
    }

    fn insert<T: serde::Serialize + ?Sized>(&mut self, key: &'static str, value: &T) {
        if let Some(f) = self.print.as_deref_mut() {
            f.bytes(tag::LABEL, key.as_bytes());
            value.serialize(print::Printer(f)).expect("fingerprinting does not fail");
        }
        if let Some(values) = &mut self.values {
            values.push((key, Value::from_serializable(value)));
        }
    }

    /// A list of cards, fingerprinted by the cards' own fingerprints (`view::CardItem`): a page
    /// only fingerprinted takes no card's value.
    fn insert_cards<'c>(
        &mut self,
        key: &'static str,
        cards: impl ExactSizeIterator<Item = view::CardItem<'c>>,
    ) -> Result<(), Box<Diagnostic>> {
        if let Some(f) = self.print.as_deref_mut() {
            f.bytes(tag::LABEL, key.as_bytes());
            f.bytes(tag::CARDS, &(cards.len() as u64).to_le_bytes());
        }
        let mut values = self.values.as_ref().map(|_| Vec::with_capacity(cards.len()));
        for card in cards {
            let card = card?;
            if let Some(f) = self.print.as_deref_mut() {
                f.bytes(tag::CARD, &card.1.to_le_bytes());
            }
            if let Some(values) = &mut values {
                values.push(card.into_owned().0);
            }
        }
        if let (Some(all), Some(cards)) = (&mut self.values, values) {
            all.push((key, Value::from(cards)));
        }
        Ok(())
    }

    /// A list given by its elements' fingerprints (each standing for its value under the same
    /// templates, as a card's does), and made only when values are.
    fn insert_listed<T: serde::Serialize>(
        &mut self,
        key: &'static str,
        prints: impl ExactSizeIterator<Item = u64>,
        value: impl FnOnce() -> T,
    ) {
        if let Some(f) = self.print.as_deref_mut() {
            f.bytes(tag::LABEL, key.as_bytes());
            f.bytes(tag::CARDS, &(prints.len() as u64).to_le_bytes());
            prints.for_each(|p| f.bytes(tag::CARD, &p.to_le_bytes()));
        }
        if let Some(values) = &mut self.values {
            values.push((key, Value::from_serializable(&value())));
        }
    }

    fn insert_value(&mut self, key: &'static str, value: Value) {
        if let Some(f) = self.print.as_deref_mut() {
            f.bytes(tag::LABEL, key.as_bytes());
            f.value(&value);
        }
        if let Some(values) = &mut self.values {
            values.push((key, value));
        }
    }
}

/// Fingerprints template values: each is written in a form no other value has (a tag per
/// kind, lengths before contents) and hashed with xxh3, small pieces gathered in a buffer first.
#[derive(Default)]
struct Fingerprinter {
    hasher: twox_hash::XxHash3_64,
    buf: Vec<u8>,
    /// Fingerprints of card values (maps ending with their markup, shown on many pages), by
    /// address: each is written once per worker, and known in later renders that reuse it (see
    /// `with_scratch`). The value is held so that its address is not reused while it is here.
    cards: HashMap<usize, (Value, u64)>,
}

/// The byte that starts each piece of a fingerprint, one per kind of piece, so that no two
/// different values write the same bytes. `Fingerprinter` and `print::Printer` share them:
/// where the kinds are the same, so are the tags.
mod tag {
    pub const UNDEFINED: u8 = 0;
    pub const NONE: u8 = 1;
    pub const BOOL: u8 = 2;
    pub const SAFE_STR: u8 = 3;
    pub const STR: u8 = 4;
    pub const SEQ: u8 = 5;
    /// A card, by its fingerprint.
    pub const CARD: u8 = 6;
    pub const BYTES: u8 = 7;
    pub const INT: u8 = 8;
    pub const FLOAT: u8 = 9;
    /// A number of a kind a later Tera adds, by its display.
    pub const OTHER: u8 = 10;
    pub const MAP: u8 = 11;
    pub const KEY: u8 = 12;
    pub const OTHER_KEY: u8 = 13;
    /// What `Fingerprinter::value` never writes: the names of the values that follow.
    pub const LABEL: u8 = 14;
    /// The ends of a sequence and of a map (`print` closes them instead of counting first).
    pub const END_SEQ: u8 = 15;
    pub const END_MAP: u8 = 16;
    pub const U128: u8 = 17;
    /// A list written by its elements' fingerprints, after its name: cards
    /// (`Vars::insert_cards`), feed items (`Vars::insert_listed`).
    pub const CARDS: u8 = 18;
}

impl Fingerprinter {
    fn bytes(&mut self, tag: u8, b: &[u8]) {
        use std::hash::Hasher;
        self.buf.push(tag);
        self.buf.extend_from_slice(&(b.len() as u64).to_le_bytes());
        if b.len() < 512 {
            self.buf.extend_from_slice(b);
        } else {
            self.hasher.write(&self.buf);
            self.buf.clear();
            self.hasher.write(b);
        }
    }

    fn value(&mut self, value: &Value) {
        use tera::value::ValueKind;
        match value.kind() {
            ValueKind::Undefined => self.buf.push(tag::UNDEFINED),
            ValueKind::None => self.buf.push(tag::NONE),
            ValueKind::Bool => self.buf.extend_from_slice(&[tag::BOOL, u8::from(value.as_bool() == Some(true))]),
            ValueKind::String => {
                let kind = if value.is_safe() { tag::SAFE_STR } else { tag::STR };
                self.bytes(kind, value.as_str().unwrap_or_default().as_bytes());
            }
            ValueKind::Array => {
                let items = value.as_array().expect("an array");
                self.bytes(tag::SEQ, &(items.len() as u64).to_le_bytes());
                items.iter().for_each(|v| self.value(v));
            }
            ValueKind::Map => {
                let map = value.as_map().expect("a map");
                if !view::is_card(map) {
                    return self.map(map);
                }
                let address = map as *const tera::Map as usize;
                let print = match self.cards.get(&address) {
                    Some((_, print)) => *print,
                    None => {
                        let outer = (std::mem::take(&mut self.buf), std::mem::take(&mut self.hasher));
                        self.map(map);
                        let print = self.finish();
                        (self.buf, self.hasher) = outer;
                        self.cards.insert(address, (value.clone(), print));
                        print
                    }
                };
                self.bytes(tag::CARD, &print.to_le_bytes());
            }
            ValueKind::Bytes => self.bytes(tag::BYTES, value.as_bytes().unwrap_or_default()),
            _ => match value.as_number() {
                Some(tera::Number::Integer(i)) => self.bytes(tag::INT, &i.to_le_bytes()),
                Some(tera::Number::Float(f)) => self.bytes(tag::FLOAT, &f.to_bits().to_le_bytes()),
                // Any kind a later Tera adds: its display.
                _ => self.bytes(tag::OTHER, value.to_string().as_bytes()),
            },
        }
    }

    /// Only the fields `read` of a map, or of each map in an array (with the array's length):
    /// what templates that read nothing else of it can show.
    fn projected(&mut self, value: &Value, read: &std::collections::BTreeSet<String>) {
        let entry = |f: &mut Self, value: &Value| match value.as_map() {
            Some(map) => {
                f.bytes(tag::MAP, &(read.len() as u64).to_le_bytes());
                for key in read {
                    f.bytes(tag::KEY, key.as_bytes());
                    f.value(map.get(&tera::value::Key::Str(key)).unwrap_or(&Value::undefined()));
                }
            }
            None => f.value(value),
        };
        match value.as_array() {
            Some(items) => {
                self.bytes(tag::SEQ, &(items.len() as u64).to_le_bytes());
                items.iter().for_each(|item| entry(self, item));
            }
            None => entry(self, value),
        }
    }

    fn map(&mut self, map: &tera::Map) {
        self.bytes(tag::MAP, &(map.len() as u64).to_le_bytes());
        for (k, v) in map {
            match k.as_str() {
                Some(k) => self.bytes(tag::KEY, k.as_bytes()),
                None => self.bytes(tag::OTHER_KEY, k.to_string().as_bytes()),
            }
            self.value(v);
        }
    }

    /// The fingerprint of everything written since the last one.
    fn finish(&mut self) -> u64 {
        use std::hash::Hasher;
        self.hasher.write(&self.buf);
        self.buf.clear();
        std::mem::take(&mut self.hasher).finish()
    }
}

/// At most `max` characters, cut at a word and marked with an ellipsis.
fn clip(s: &str, max: usize) -> String {
    let Some((end, _)) = s.char_indices().nth(max) else { return s.to_string() };
    let cut = &s[..end];
    let at_word = cut.rfind(' ').filter(|i| *i > max / 2).unwrap_or(cut.len());
    [cut[..at_word].trim_end_matches([',', ';', ':', ' ']), "…"].concat()
}

fn page_title(name: &str, page: usize) -> String {
    if page > 1 { format!("{name} (page {page})") } else { name.to_string() }
}

/// "3–9 March 2025", "28 February – 6 March 2025", "5 March 2025".
fn range(start: chrono::NaiveDate, end: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    let last = crate::date::human_day(end);
    if start == end {
        last
    } else if start.year() != end.year() {
        format!("{} – {last}", crate::date::human_day(start))
    } else if start.month() != end.month() {
        format!("{} – {last}", start.format("%-d %B"))
    } else {
        format!("{}–{last}", start.day())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    /// The fingerprint of one template value.
    fn fingerprint(value: &Value) -> u64 {
        let mut f = Fingerprinter::default();
        f.value(value);
        f.finish()
    }

    fn site_of(files: &[(&str, &str)], toml: &str) -> Site {
        let config = crate::Config::parse("site.toml", &format!("title = \"T\"\nbase_url = \"/\"\n{toml}")).unwrap();
        let sources = files
            .iter()
            .map(|(rel, text)| {
                crate::source::Source::new(format!("content/{rel}").into(), rel.to_string(), text.to_string())
            })
            .map(std::sync::Arc::new)
            .collect();
        crate::model::assemble(config, sources, false).0.expect("a valid site")
    }

    fn art(title: &str, extra: &str) -> String {
        format!("+++\ntitle = \"{title}\"\ndate = 2025-03-01\ntopics = [\"x\"]\n{extra}\n+++\nBody.\n")
    }

    #[test]
    fn articles_sharing_a_title_are_told_apart_by_day_in_the_head_title() {
        let later = "+++\ntitle = \"Same\"\ndate = 2025-03-02\nslug = \"same-2\"\n+++\nBody.\n";
        let site = site_of(&[("a.md", &art("Same", "")), ("b.md", later), ("c.md", &art("Other", ""))], "");
        let theme = theme::load(std::path::Path::new("/nonexistent"), &site.config).unwrap().unwrap();
        let sink = std::sync::Mutex::new(crate::output::Output::default());
        render(&site, &theme, &[], &sink, Fingerprints::Off, None).unwrap();
        let out = sink.into_inner().unwrap();
        let head_title = |a: &crate::model::Article| {
            let html = std::str::from_utf8(out.bytes(&format!("{}index.html", a.route)).unwrap()).unwrap().to_string();
            html[html.find("<title>").unwrap() + 7..html.find("</title>").unwrap()].to_string()
        };
        let mut titles: Vec<String> = site.articles.iter().map(|a| head_title(a)).collect();
        titles.sort();
        assert_eq!(titles, ["Other · T", "Same (1 March 2025) · T", "Same (2 March 2025) · T"]);
    }

    #[test]
    fn two_articles_on_one_permalink_collide() {
        let s = site_of(&[("x/a.md", &art("A", "")), ("y/a.md", &art("B", ""))], "");
        let d = check_routes(&s, &jobs(&s), &[], &[]);
        assert_eq!(d.len(), 1);
        assert!(d[0].message.contains("content/x/a.md and content/y/a.md"), "{}", d[0].message);
    }

    #[test]
    fn an_article_on_a_later_page_of_a_list_collides() {
        let s = site_of(
            &[("a.md", &art("A", "")), ("two.md", &art("B", "slug = \"2\""))],
            "per_page = 1\npermalink = \"/topics/:topic/page/:slug/\"\n",
        );
        let d = check_routes(&s, &jobs(&s), &[], &[]);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(
            d[0].message,
            "content/two.md and the generated page /topics/x/page/2/ both want to be written to topics/x/page/2/index.html"
        );
    }

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
        assert_eq!(clip("exactly ten", 11), "exactly ten");
        assert_eq!(clip("Zürich, Zürich, Zürich", 10), "Zürich…");
        assert_eq!(clip("ééééééééééééé", 4), "éééé…");
    }

    #[test]
    fn page_counts() {
        assert_eq!(pages(0, 10), 1);
        assert_eq!(pages(10, 10), 1);
        assert_eq!(pages(11, 10), 2);
    }

    #[test]
    fn values_that_render_differently_have_different_fingerprints() {
        let json = |v: serde_json::Value| Value::from_serializable(&v);
        let ordered = |pairs: &[(&'static str, i64)]| {
            let mut map = tera::Map::default();
            for (k, v) in pairs {
                map.insert((*k).into(), Value::from(*v));
            }
            Value::from(map)
        };
        let long = "x".repeat(600);
        let pairs = [
            (Value::from("a"), Value::safe_string("a")),
            (json(serde_json::json!(["ab"])), json(serde_json::json!(["a", "b"]))),
            (json(serde_json::json!({"a": 1})), json(serde_json::json!({"a": "1"}))),
            // Maps keep their order, which a template's `for k, v in map` shows.
            (ordered(&[("a", 1), ("b", 2)]), ordered(&[("b", 2), ("a", 1)])),
            (json(serde_json::json!([null])), json(serde_json::json!([]))),
            (json(serde_json::json!([true])), json(serde_json::json!([false]))),
            (json(serde_json::json!([1.5])), json(serde_json::json!([1]))),
            (Value::from(long.as_str()), Value::from(format!("{long}y").as_str())),
        ];
        for (a, b) in pairs {
            assert_ne!(fingerprint(&a), fingerprint(&b), "{a} and {b}");
            assert_eq!(fingerprint(&a), fingerprint(&a.clone()));
        }
    }

    #[test]
    fn cards_as_made_are_known_as_cards() {
        let site = site_of(&[("a.md", &art("A", "related = [\"b\"]")), ("b.md", &art("B", ""))], "");
        let theme = theme::load(std::path::Path::new("/nonexistent"), &site.config).unwrap().unwrap();
        let cards = view::Cards::new(&site, &theme, None);
        let mut made = vec![cards.get(ArticleId(0)).unwrap(), cards.get(ArticleId(1)).unwrap()];
        made.extend(cards.related_items(site.article(ArticleId(0))).map(|card| card.unwrap().into_owned().0));
        assert_eq!(made.len(), 3);
        assert!(made.iter().all(|c| view::is_card(c.as_map().unwrap())));
        assert!(!view::is_card(view::site_view(&site).as_map().unwrap()));
    }

    #[test]
    fn cards_share_the_links_of_their_topics_and_source() {
        let extra = "source = \"Wire\"";
        let site = site_of(&[("a.md", &art("A", extra)), ("b.md", &art("B", extra))], "");
        let theme = theme::load(std::path::Path::new("/nonexistent"), &site.config).unwrap().unwrap();
        let cards = view::Cards::new(&site, &theme, None);
        let (a, b) = (cards.get(ArticleId(0)).unwrap(), cards.get(ArticleId(1)).unwrap());
        let field = |card: &Value, key: &'static str| card.as_map().unwrap().get(&tera::value::Key::Str(key)).cloned();
        let topic = |card: &Value| field(card, "topics").unwrap().as_array().unwrap()[0].clone();
        let pairs = [(topic(&a), topic(&b), "X"), (field(&a, "source").unwrap(), field(&b, "source").unwrap(), "Wire")];
        for (x, y, name) in pairs {
            assert_eq!(field(&x, "name").unwrap().as_str(), Some(name));
            assert!(std::ptr::eq(x.as_map().unwrap(), y.as_map().unwrap()), "one value, not two copies");
        }
    }

    #[test]
    fn pages_fingerprinted_without_their_values_are_kept_when_unchanged() {
        // A render that makes values and fingerprints both, then renders that only fingerprint
        // first (`Make::Print`), of the same site assembled again and of a changed one.
        let files = |b_title: &str| {
            vec![
                ("a.md", art("A", "people = [\"P\"]\nsource = \"Wire\"")),
                ("b.md", art(b_title, "related = [\"A\"]")),
                ("c.md", art("C", "")),
            ]
        };
        let site_with = |b_title: &str| {
            let f = files(b_title);
            site_of(&f.iter().map(|(p, t)| (*p, t.as_str())).collect::<Vec<_>>(), "")
        };
        let site = site_with("B");
        let theme = theme::load(std::path::Path::new("/nonexistent"), &site.config).unwrap().unwrap();
        let render_into = |site: &Site, prints: Fingerprints| {
            let sink = std::sync::Mutex::new(crate::output::Output::default());
            let done = render(site, &theme, &[], &sink, prints, None).unwrap();
            (done, sink.into_inner().unwrap())
        };
        let (first, output) = render_into(&site, Fingerprints::Make);
        let pages = jobs(&site).len();
        let (again, same) = render_into(&site_with("B"), Fingerprints::Reuse(&first.memo, None));
        assert_eq!(same, output);
        // Every page kept, and the summary shard and sitemap (made from what they were).
        assert_eq!(again.files, first.files - pages - 2, "every page kept");
        // B's title shows on its page, its card's pages and A's (related to it, both ways).
        let changed = site_with("Bee");
        let (rebuilt, out) = render_into(&changed, Fingerprints::Reuse(&first.memo, None));
        assert_eq!(out, render_into(&changed, Fingerprints::Off).1);
        assert!(rebuilt.files > again.files && rebuilt.files < first.files, "{} of {}", rebuilt.files, first.files);
    }

    #[test]
    fn pages_wanted_first_are_handed_over_first_as_the_whole_render_makes_them() {
        let site = site_of(&[("a.md", &art("A", "")), ("b.md", &art("B", ""))], "");
        let theme = theme::load(std::path::Path::new("/nonexistent"), &site.config).unwrap().unwrap();
        let page = format!("{}index.html", site.articles[0].route);
        let files = [page.clone(), "topics/x/index.html".to_string(), "gone/index.html".to_string()];
        let sink = std::sync::Mutex::new(crate::output::Output::default());
        let handed = std::sync::Mutex::new(Vec::new());
        let ready = |early: crate::output::Output| {
            // Nothing else is rendered yet.
            assert!(sink.lock().unwrap().files.is_empty());
            handed.lock().unwrap().push(early);
        };
        render(&site, &theme, &[], &sink, Fingerprints::Make, Some(First { files: &files, ready: &ready })).unwrap();
        let whole = sink.into_inner().unwrap();
        let handed = handed.into_inner().unwrap();
        assert_eq!(handed.len(), 1, "handed over once");
        let early: Vec<&String> = handed[0].files.keys().collect();
        assert_eq!(early, [&page, &files[1]], "the pages the site has, and only those");
        for (file, data) in &handed[0].files {
            assert_eq!(whole.files.get(file), Some(data), "{file} as the whole render made it");
        }
        let alone = std::sync::Mutex::new(crate::output::Output::default());
        render(&site, &theme, &[], &alone, Fingerprints::Make, None).unwrap();
        assert!(alone.into_inner().unwrap() == whole, "the same output without pages first");
    }

    #[test]
    fn pages_wanted_first_come_before_what_an_edit_reached_is_found_and_the_rest_is_the_same() {
        let two = [("a.md", art("A", "")), ("b.md", art("B", "related = [\"a\"]"))];
        let files = |extra: &[(&'static str, String)]| {
            two.iter().chain(extra).map(|(rel, text)| (*rel, text.clone())).collect::<Vec<_>>()
        };
        let site = |files: &[(&str, String)]| {
            site_of(&files.iter().map(|(rel, text)| (*rel, text.as_str())).collect::<Vec<_>>(), "")
        };
        let before = site(&files(&[]));
        let theme = theme::load(std::path::Path::new("/nonexistent"), &before.config).unwrap().unwrap();
        let made = render(&before, &theme, &[], &std::sync::Mutex::new(Default::default()), Fingerprints::Make, None);
        let memo = made.unwrap().memo;
        // An article added (the newest: every id moves) and one taken away, a page without cards
        // open (those of the others are made after what the edit reached is found).
        let newest = "+++\ntitle = \"C\"\ndate = 2025-03-02\ntopics = [\"x\"]\n+++\nBody.\n".to_string();
        for after in [site(&files(&[("c.md", newest)])), site(&files(&[])[..1])] {
            let open = ["topics/index.html".to_string()];
            let sink = std::sync::Mutex::new(crate::output::Output::default());
            let handed = std::sync::Mutex::new(Vec::new());
            let ready = |early: crate::output::Output| handed.lock().unwrap().push(early);
            let prints = Fingerprints::Reuse(&memo, Some(&before));
            let done = render(&after, &theme, &[], &sink, prints, Some(First { files: &open, ready: &ready })).unwrap();
            let whole = sink.into_inner().unwrap();
            let fresh = std::sync::Mutex::new(crate::output::Output::default());
            render(&after, &theme, &[], &fresh, Fingerprints::Off, None).unwrap();
            assert!(whole == fresh.into_inner().unwrap(), "the same output as a render from nothing");
            let handed = handed.into_inner().unwrap();
            assert_eq!(handed[0].files.get(&open[0]), whole.files.get(&open[0]));
            assert!(done.files < whole.files.len(), "pages the edit did not reach were kept");
        }
    }

    #[test]
    fn a_card_counts_the_same_the_first_time_and_from_the_cache() {
        // As `view::Cards` makes them: the fields, then the markup last.
        let card = |title: &str| {
            let mut map = tera::Map::default();
            map.insert("title".into(), Value::from(title));
            map.insert("card".into(), Value::safe_string("<article>"));
            map.insert("brief".into(), Value::safe_string("<h3>"));
            Value::from(map)
        };
        let (a, b) = (card("A"), card("B"));
        let page = |cards: &[&Value]| Value::from(cards.iter().map(|c| (*c).clone()).collect::<Vec<_>>());
        let mut f = Fingerprinter::default();
        f.value(&page(&[&a, &b]));
        let first = f.finish();
        // The same page again, its cards now known by address; and a page equal to it whose
        // cards are other values with the same fields.
        f.value(&page(&[&a, &b]));
        assert_eq!(f.finish(), first);
        f.value(&page(&[&card("A"), &card("B")]));
        assert_eq!(f.finish(), first);
        f.value(&page(&[&b, &a]));
        assert_ne!(f.finish(), first);
        f.value(&page(&[&a, &card("C")]));
        assert_ne!(f.finish(), first);
    }
}
