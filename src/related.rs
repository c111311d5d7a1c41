//! Related articles computed from shared topics, people and places.
//!
//! Two articles score the weights of the features they share, each weight the square of the
//! feature's inverse document frequency so that a rare person counts for more than a common
//! topic, divided by the geometric mean of their counts of features, so that an article tagged
//! with everything is not everyone's best match. (The cosine of weighted vectors ranks much
//! alike, four picks in five the same, but its norms take every weight: one weight changed
//! would change scores all over the site.) Candidates come from an inverted index (feature →
//! articles), never from all pairs, and for a very common feature only the articles nearest in
//! time are looked at: in news, recent context matters most, and it bounds the work per
//! article. The result is symmetric and deterministic.
//!
//! A rebuild starts from the last one's picks (see `Memo`). The weights take the counts of
//! articles roughly (see `scale` and `counted`), so that an article added, deleted or given
//! another topic seldom changes any: then only the articles near it in time, among those that
//! share a feature with it, are scored again, and most of those only against the articles that
//! changed (see `Scoring::patch`). When a feature's weight does change, its articles are scored
//! again too, and no others for it.

use std::borrow::Borrow;

use rayon::prelude::*;

use crate::model::{Article, ArticleId};

/// How many related articles each article picks for itself.
pub const TOP: usize = 5;
/// For a feature shared by many articles, how many neighbours in time on each side are scored.
const WINDOW: usize = 150;
/// Up to how many changed articles the others' picks are patched rather than made again (see
/// `Scoring::patch`): each patched article scores every changed one.
const PATCHED: usize = 16;

/// For each article, the articles it is related to by shared features, best first. `b` is in
/// `a`'s list exactly when `a` is in `b`'s.
pub fn compute(articles: &[Article], topics: usize, people: usize, places: usize) -> Vec<Vec<ArticleId>> {
    compute_with(articles, &[topics, people, places], &[], None).0
}

/// What `compute_with` can start from next time: the articles and features it was given and
/// what each article picked for itself.
#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// Each article's date, slug and file, as a hash (see `place`), in order.
    articles: Vec<u64>,
    /// Each feature's weight, by key.
    weights: rustc_hash::FxHashMap<u64, f64>,
    /// Each article's features, by key.
    features: Vec<Vec<u64>>,
    /// Each article's own picks with their scores, before the symmetric closure.
    picks: Vec<Vec<(ArticleId, f64)>>,
}

impl Memo {
    /// What a rebuild is compared with (see `rescoring`): the articles' places, their features
    /// by key and each feature's weight; no picks yet.
    fn inputs<A: Borrow<Article> + Sync>(articles: &[A], feats: &Features, keys: &[u64], weight: &[f64]) -> Memo {
        Memo {
            articles: articles.par_iter().map(|a| place(a.borrow())).collect(),
            weights: keys.iter().copied().zip(weight.iter().copied()).collect(),
            features: by_key(feats, keys),
            picks: Vec::new(),
        }
    }
}

/// What a rebuild scores again (see `rescoring`).
struct Rescoring {
    /// Each article's index in the last build (None: new).
    old: Vec<Option<u32>>,
    /// Each of the last build's articles' index now (None: gone).
    new: Vec<Option<u32>>,
    /// Whether each article is scored again.
    rows: Vec<bool>,
    /// Whether each article is scored in full (not patched): those in `changed`, and those with
    /// a feature whose weight changed (every score they take through it did).
    whole: Vec<bool>,
    /// The articles added or given other features: the only ones any other article (without a
    /// reweighed feature) scores otherwise than before, besides those entering its windows.
    changed: Vec<u32>,
    /// For each feature, how many articles its postings gained or lost.
    edits: Vec<u32>,
}

/// A scoring worker's buffers: a dense score per article, and the entries it touched.
type Scratch = (Vec<f64>, Vec<u32>);

/// The article count the weights are made with: the count rounded up to a power of two, so that
/// an article more or fewer leaves the weights as they were (unless the count crosses a power of
/// two). A feature on every article weighs nothing only in a site of a power of two articles;
/// otherwise little.
fn scale(n: usize) -> f64 {
    n.next_power_of_two() as f64
}

/// A feature's count of articles as its weight takes it: the count's three leading binary
/// digits, so that one article more or fewer changes the weight of a feature of a hundred
/// articles once in sixteen times, of a thousand once in a hundred and twenty-eight.
fn counted(articles: usize) -> f64 {
    let low = (usize::BITS - articles.leading_zeros()).saturating_sub(3);
    ((articles >> low) << low) as f64
}

/// Each feature's weight, given its postings among `n` articles: its squared idf.
fn weights(postings: &[Vec<u32>], n: usize) -> Vec<f64> {
    let scale = scale(n);
    postings.iter().map(|p| if p.is_empty() { 0.0 } else { (scale / counted(p.len())).ln().powi(2) }).collect()
}

/// An article's place in the order of articles (newest first, by slug, by file): articles
/// with the same place keep their order from one build to the next, and their dates.
fn place(a: &Article) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = twox_hash::XxHash3_64::new();
    (a.date.timestamp(), a.date.timestamp_subsec_nanos(), &a.slug, &a.rel).hash(&mut h);
    h.finish()
}

/// `compute` for articles whose features (each once per article) are numbered topics first, then
/// people, then places (`counts`), each feature with a key that names it from one build to the next
/// (its ids move when one is added; read only with a memo). With the memo of the last build, only
/// the articles whose picks can differ are scored again: those added, or whose date, slug, file or
/// features changed, and those scoring any of these as candidates (when few changed, against those
/// only: `Scoring::patch`); those with a feature whose weight changed; those whose windows gained
/// or lost an article. Every other article's inputs are bit for bit the last build's (the articles
/// it meets are the same, in the same order and as far apart in time), and so are its picks, by
/// their ids now. Returns the lists and the memo for the next build.
pub fn compute_with<A: Borrow<Article> + Sync>(
    articles: &[A],
    counts: &[usize; 3],
    keys: &[u64],
    memo: Option<&Memo>,
) -> (Vec<Vec<ArticleId>>, Memo) {
    let n = articles.len();
    let sc = Scoring::new(articles, counts);

    // Only for a memo: a one-off build keeps nothing.
    let remember = memo.is_some();
    let next = if remember { Memo::inputs(articles, &sc.feats, keys, &sc.weight) } else { Memo::default() };
    let rescore = memo.and_then(|m| Some((m, rescoring(m, &next, keys, &sc.feats, &sc.postings)?)));

    // Each article's candidates are scored independently, in parallel; each worker keeps its
    // own dense score buffer and the list of entries it touched.
    let top: Vec<Vec<(ArticleId, f64)>> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0.0f64; n], Vec::<u32>::new()),
            |scratch, i| match &rescore {
                Some((memo, r)) => sc.again(i, memo, r).unwrap_or_else(|| sc.pick(scratch, i)),
                None => sc.pick(scratch, i),
            },
        )
        .collect();
    // Symmetric closure: b picked a, so a lists b too. Each list starts with its own picks.
    let own: Vec<usize> = top.iter().map(Vec::len).collect();
    // With room for the picks of others that come back (pushing past a list's exact length
    // moved every list of a rebuild, whose picks come back at their exact length).
    let room = |l: &Vec<(ArticleId, f64)>| {
        let mut all = Vec::with_capacity(l.len().max(TOP) + 3);
        all.extend_from_slice(l);
        all
    };
    let (mut all, top) = if remember { (top.par_iter().map(room).collect(), top) } else { (top, Vec::new()) };
    for i in 0..n {
        for k in 0..own[i] {
            let (j, s) = all[i][k];
            let back = &mut all[j.0 as usize];
            if !back.iter().any(|(x, _)| x.0 as usize == i) {
                back.push((ArticleId(i as u32), s));
            }
        }
    }
    let lists = all
        .into_par_iter()
        .map(|mut l| {
            l.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            l.into_iter().map(|(id, _)| id).collect()
        })
        .collect();
    (lists, Memo { picks: top, ..next })
}

/// What the scores are made from: the articles' features, the features' postings and weights,
/// the articles' norms (the square roots of their counts of features, and their inverses) and
/// times.
struct Scoring {
    feats: Features,
    postings: Vec<Vec<u32>>,
    weight: Vec<f64>,
    norm: Vec<f64>,
    inverse: Vec<f64>,
    /// Where two candidates score the same, the nearer in time wins.
    times: Vec<i64>,
}

impl Scoring {
    fn new<A: Borrow<Article>>(articles: &[A], counts: &[usize; 3]) -> Scoring {
        let (feats, postings) = index(articles, counts);
        let weight = weights(&postings, articles.len());
        let norm: Vec<f64> = feats.iter().map(|fs| (fs.len() as f64).sqrt()).collect();
        let inverse = norm.iter().map(|x| 1.0 / x).collect();
        let times = articles.iter().map(|a| a.borrow().date.timestamp()).collect();
        Scoring { feats, postings, weight, norm, inverse, times }
    }

    /// Whether candidate `a` goes before `b` in article `i`'s picks: the better score first;
    /// among equals, the nearer in time, then the newer (ids are distinct, so this is a total
    /// order; scores are never NaN).
    fn better(&self, i: usize, a: &(ArticleId, f64), b: &(ArticleId, f64)) -> bool {
        if a.1 != b.1 {
            return a.1 > b.1;
        }
        let far = |x: ArticleId| self.times[x.0 as usize].abs_diff(self.times[i]);
        let (da, db) = (far(a.0), far(b.0));
        if da != db { da < db } else { a.0 < b.0 }
    }

    /// Puts candidate `c` among article `i`'s `best` (best first, at most `TOP`) if it is one
    /// of them.
    fn offer(&self, i: usize, best: &mut Vec<(ArticleId, f64)>, c: (ArticleId, f64)) {
        if best.len() < TOP || self.better(i, &c, &best[TOP - 1]) {
            let at = best.partition_point(|b| self.better(i, b, &c));
            best.insert(at, c);
            best.truncate(TOP);
        }
    }

    /// Article `i`'s picks, every candidate in its windows scored.
    fn pick(&self, (score, touched): &mut Scratch, i: usize) -> Vec<(ArticleId, f64)> {
        let Scoring { postings, weight, norm, inverse, .. } = self;
        for &(f, pos) in &self.feats[i] {
            let w = weight[f as usize];
            if w == 0.0 {
                continue;
            }
            // The article itself is scored too, and passed over below.
            for &j in window(&postings[f as usize], pos) {
                let s = &mut score[j as usize];
                if *s == 0.0 {
                    touched.push(j);
                }
                *s += w;
            }
        }
        // Only the top few are kept. Most of the hundreds of candidates lose to the current
        // last one, which `floor` tells without a division: a score estimated by multiplying
        // inverses is within a few ulps of the exact quotient, so below the last one's less a
        // margin it surely loses.
        let mut best: Vec<(ArticleId, f64)> = Vec::with_capacity(TOP + 1);
        let mut floor = 0.0f64; // Nothing is passed over until five are kept.
        for &j in touched.iter() {
            let raw = std::mem::replace(&mut score[j as usize], 0.0);
            if j as usize == i || raw * inverse[i] * inverse[j as usize] < floor {
                continue;
            }
            self.offer(i, &mut best, (ArticleId(j), raw / (norm[i] * norm[j as usize])));
            if best.len() == TOP {
                floor = best[TOP - 1].1 * (1.0 - 1e-12);
            }
        }
        touched.clear();
        best
    }

    /// Article `i`'s picks in a rebuild (`r`) from `memo` without scoring every candidate: its
    /// last picks when it is not scored again, patched when few articles changed; None when it
    /// must be scored in full (`pick`).
    fn again(&self, i: usize, memo: &Memo, r: &Rescoring) -> Option<Vec<(ArticleId, f64)>> {
        let last = &memo.picks[r.old[i]? as usize];
        if !r.rows[i] {
            // Its last picks, by their ids now (every one is still there, or it would be
            // scored again: checked all the same).
            return last.iter().map(|&(id, score)| Some((ArticleId(r.new[id.0 as usize]?), score))).collect();
        }
        (r.changed.len() <= PATCHED && !r.whole[i]).then(|| self.patch(i, last, r))?
    }

    /// Article `i`'s picks made from its last ones (`last`, by their ids then), when only other
    /// articles changed (see `Rescoring`): its features and their weights are as they were, so a
    /// candidate scores otherwise than before only when it changed itself or entered or left one
    /// of `i`'s windows. Those entering are near a window's ends (an article moves in a feature's
    /// postings by at most the feature's `edits`), and those leaving score less. So the changed
    /// articles, the ends of the windows of edited features and the last picks are scored,
    /// exactly as `pick` scores them, and the best are kept. None when a last pick is gone or
    /// scores less than it did (an article never looked at might overtake it): `i` is then
    /// scored in full.
    fn patch(&self, i: usize, last: &[(ArticleId, f64)], r: &Rescoring) -> Option<Vec<(ArticleId, f64)>> {
        let Scoring { feats, postings, weight, norm, .. } = self;
        let fs = &feats[i];
        // The sum `pick` makes for `c`: the weights of `i`'s features, in order, whose window
        // holds it (`c`'s own features say where it is in each one's postings).
        let score = |c: u32| {
            let mut raw = 0.0f64;
            for &(f, pos) in fs {
                let w = weight[f as usize];
                if w != 0.0 && feats[c as usize].iter().any(|&(g, q)| g == f && q.abs_diff(pos) as usize <= WINDOW) {
                    raw += w;
                }
            }
            (raw != 0.0).then(|| (ArticleId(c), raw / (norm[i] * norm[c as usize])))
        };
        let mut best = Vec::with_capacity(TOP + 1);
        let mut seen = Vec::with_capacity(last.len() + 1);
        seen.push(i as u32);
        for &(id, was) in last {
            let now = score(r.new[id.0 as usize]?)?;
            if now.1 < was {
                return None;
            }
            seen.push(now.0.0);
            self.offer(i, &mut best, now);
        }
        let mut others = r.changed.clone();
        for &(f, pos) in fs {
            let k = r.edits[f as usize] as usize;
            if k > 0 {
                let list = &postings[f as usize];
                let (lo, hi) = ((pos as usize).saturating_sub(WINDOW), (pos as usize + WINDOW + 1).min(list.len()));
                others.extend(&list[lo..(lo + k).min(hi)]);
                others.extend(&list[hi.saturating_sub(k).max(lo)..hi]);
            }
        }
        others.sort_unstable();
        others.dedup();
        for c in others.into_iter().filter(|c| !seen.contains(c)).filter_map(score) {
            self.offer(i, &mut best, c);
        }
        Some(best)
    }
}

/// Each article's features (numbered as `compute_with` says), each with the article's place in
/// that feature's postings.
type Features = Vec<Vec<(u32, u32)>>;

/// The articles' `Features`, and each feature's postings (articles, in article order).
fn index<A: Borrow<Article>>(articles: &[A], counts: &[usize; 3]) -> (Features, Vec<Vec<u32>>) {
    let [topics, people, places] = *counts;
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); topics + people + places];
    let feats = articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let a = a.borrow();
            let ids = a.topics.iter().map(|t| t.0 as usize);
            let ids = ids.chain(a.people.iter().map(|p| topics + p.0 as usize));
            let ids = ids.chain(a.places.iter().map(|p| topics + people + p.0 as usize));
            ids.map(|f| {
                let pos = postings[f].len() as u32;
                postings[f].push(i as u32);
                (f as u32, pos)
            })
            .collect()
        })
        .collect();
    (feats, postings)
}

/// Each article's features by key.
fn by_key(feats: &Features, keys: &[u64]) -> Vec<Vec<u64>> {
    feats.par_iter().map(|fs| fs.iter().map(|(f, _)| keys[*f as usize]).collect()).collect()
}

/// How many articles a `compute_with` from `memo` would score again (None: all, being more
/// than half).
#[cfg(test)]
pub(crate) fn rescored(articles: &[Article], counts: &[usize; 3], keys: &[u64], memo: &Memo) -> Option<usize> {
    let (_, r) = rebuild(articles, counts, keys, memo)?;
    Some(r.rows.iter().filter(|r| **r).count())
}

/// How many of those it would score in full, the others having their last picks patched (see
/// `Scoring::patch`).
#[cfg(test)]
fn scored_in_full(articles: &[Article], counts: &[usize; 3], keys: &[u64], memo: &Memo) -> Option<usize> {
    let (sc, r) = rebuild(articles, counts, keys, memo)?;
    Some((0..articles.len()).filter(|&i| sc.again(i, memo, &r).is_none()).count())
}

/// What `compute_with` from `memo` scores with, and what it scores again.
#[cfg(test)]
fn rebuild(articles: &[Article], counts: &[usize; 3], keys: &[u64], memo: &Memo) -> Option<(Scoring, Rescoring)> {
    let sc = Scoring::new(articles, counts);
    let now = Memo::inputs(articles, &sc.feats, keys, &sc.weight);
    let r = rescoring(memo, &now, keys, &sc.feats, &sc.postings)?;
    Some((sc, r))
}

/// The articles a feature's postings put in the window of the one at `pos`.
fn window(list: &[u32], pos: u32) -> &[u32] {
    let pos = pos as usize;
    &list[pos.saturating_sub(WINDOW)..(pos + WINDOW + 1).min(list.len())]
}

/// What a rebuild from `last` scores again, `now` holding the articles' inputs (see
/// `Memo::inputs`). None when most articles must be, then all are (as when the count of
/// articles crosses a power of two: every weight changes).
fn rescoring(last: &Memo, now: &Memo, keys: &[u64], feats: &Features, postings: &[Vec<u32>]) -> Option<Rescoring> {
    let n = now.articles.len();
    let mut index = rustc_hash::FxHashMap::with_capacity_and_hasher(last.articles.len(), Default::default());
    index.extend(last.articles.iter().enumerate().map(|(o, place)| (*place, o as u32)));
    if index.len() != last.articles.len() {
        return None; // Two articles in one place: the hashes collided.
    }
    let old: Vec<Option<u32>> = now.articles.iter().map(|place| index.get(place).copied()).collect();
    let mut new = vec![None; last.articles.len()];
    for (i, o) in old.iter().enumerate() {
        if let Some(o) = o
            && new[*o as usize].replace(i as u32).is_some()
        {
            return None; // Likewise.
        }
    }
    let feature: rustc_hash::FxHashMap<u64, usize> = keys.iter().enumerate().map(|(f, k)| (*k, f)).collect();
    // The articles with a feature whose weight changed: every score they take through it did.
    let mut whole = vec![false; n];
    for (f, key) in keys.iter().enumerate() {
        if last.weights.get(key) != now.weights.get(key) {
            postings[f].iter().for_each(|&j| whole[j as usize] = true);
        }
    }
    // The articles added or edited: every score they take part in may have changed.
    let mut changed = vec![false; n];
    // Where a feature's articles gained or lost one: (feature, the place in its postings now).
    let mut shifted: Vec<(usize, usize)> = Vec::new();
    for (i, fs) in now.features.iter().enumerate() {
        let Some(o) = old[i] else {
            changed[i] = true;
            shifted.extend(feats[i].iter().map(|&(f, pos)| (f as usize, pos as usize)));
            continue;
        };
        let before = &last.features[o as usize];
        if before != fs {
            changed[i] = true;
            let gained = feats[i].iter().zip(fs).filter(|(_, k)| !before.contains(k));
            shifted.extend(gained.map(|(&(f, pos), _)| (f as usize, pos as usize)));
            let lost = before.iter().filter(|k| !fs.contains(k)).filter_map(|k| feature.get(k));
            shifted.extend(lost.map(|&f| (f, postings[f].partition_point(|&j| (j as usize) < i))));
        }
    }
    // Articles gone: where they were, before the first article after them still there.
    let mut after = n;
    for o in (0..last.articles.len()).rev() {
        match new[o] {
            Some(i) => after = i as usize,
            None => {
                let places = last.features[o].iter().filter_map(|k| feature.get(k));
                shifted.extend(places.map(|&f| (f, postings[f].partition_point(|&j| (j as usize) < after))));
            }
        }
    }
    // Scored again: the reweighed and changed articles, every article scoring one of the changed
    // (windows are symmetric), and every article whose window of a feature gained or lost one.
    whole.iter_mut().zip(&changed).for_each(|(w, c)| *w |= *c);
    let mut rows = whole.clone();
    for (fs, _) in feats.iter().zip(&changed).filter(|(_, c)| **c) {
        for &(f, pos) in fs {
            window(&postings[f as usize], pos).iter().for_each(|&j| rows[j as usize] = true);
        }
    }
    let mut edits = vec![0u32; postings.len()];
    for (f, at) in shifted {
        edits[f] += 1;
        let list = &postings[f];
        let near = at.saturating_sub(WINDOW + 2)..(at + WINDOW + 2).min(list.len());
        list[near].iter().for_each(|&j| rows[j as usize] = true);
    }
    let changed = (0..n as u32).filter(|&i| changed[i as usize]).collect();
    (rows.iter().filter(|r| **r).count() <= n / 2).then_some(Rescoring { old, new, rows, whole, changed, edits })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntityId, TopicId};

    /// Article `i`, published `i` days after the first.
    fn art(i: u32, topics: &[u32], people: &[u32]) -> Article {
        let first = chrono::DateTime::parse_from_rfc3339("2025-03-05T10:00:00+00:00").unwrap();
        let date = first + chrono::Duration::days(i.into());
        Article {
            id: ArticleId(i),
            path: Default::default(),
            rel: String::new(),
            slug: String::new(),
            title: String::new(),
            date,
            updated: None,
            day: date.date_naive(),
            url: None,
            source: None,
            topics: topics.iter().map(|t| TopicId(*t)).collect(),
            people: people.iter().map(|p| EntityId(*p)).collect(),
            places: vec![],
            summary: String::new(),
            body_html: "".into(),
            related: vec![],
            referenced_by: vec![],
            links_to: vec![],
            neighbours: vec![],
            edition: 0,
            route: String::new(),
            href: String::new(),
            draft: false,
            extra: Default::default(),
        }
    }

    #[test]
    fn rare_shared_person_beats_common_topic() {
        // Topic 0 is on every article but one; person 0 is shared by 0 and 3 only.
        let arts =
            vec![art(0, &[0], &[0]), art(1, &[0], &[]), art(2, &[0], &[]), art(3, &[1], &[0]), art(4, &[0], &[])];
        let r = compute(&arts, 2, 1, 0);
        assert_eq!(r[0][0], ArticleId(3));
    }

    #[test]
    fn symmetric_and_never_self() {
        let arts: Vec<Article> = (0..20).map(|i| art(i, &[i % 3, 3 + i % 2], &[i % 7])).collect();
        let r = compute(&arts, 5, 7, 0);
        for (i, list) in r.iter().enumerate() {
            for j in list {
                assert_ne!(j.0 as usize, i);
                assert!(r[j.0 as usize].contains(&ArticleId(i as u32)), "{i} -> {j:?} not symmetric");
            }
            // Every article shares a topic with others, so every one has related articles.
            assert!(!list.is_empty(), "{i} has no related articles");
        }
        assert_eq!(r, compute(&arts, 5, 7, 0));
    }

    #[test]
    fn of_more_candidates_than_kept_the_best_then_the_nearest_in_time_win() {
        // Articles 0 to 8 share topic 0; 0 and 8 also share a rare person, so for each of them
        // the other is the best match although it is scored last. Article 9 keeps topic 0 from
        // being on every article (which would weigh nothing).
        let mut arts: Vec<Article> = (0..9).map(|i| art(i, &[0], if i == 0 || i == 8 { &[0] } else { &[] })).collect();
        arts.push(art(9, &[1], &[]));
        let r = compute(&arts, 2, 1, 0);
        let ids = |l: &[ArticleId]| l.iter().map(|a| a.0).collect::<Vec<_>>();
        // Eight candidates, five kept: the best, then the four nearest (equal scores by id).
        assert_eq!(ids(&r[0]), [8, 1, 2, 3, 4]);
        assert_eq!(ids(&r[8]), [0, 4, 5, 6, 7]);
    }

    /// A site of articles whose features are named (`t3`, `p7`, ...); numbered as the
    /// registries number them (by name), each keyed by its name. Each article is given with a
    /// number of its own, which names its file and decides its date.
    fn named(features: &[(u32, Vec<String>)]) -> (Vec<Article>, [usize; 3], Vec<u64>) {
        let mut names: Vec<&String> = features.iter().flat_map(|(_, fs)| fs).collect();
        names.sort_by_key(|n| (!n.starts_with('t'), !n.starts_with('p'), n.as_str()));
        names.dedup();
        let count = |c: char| names.iter().filter(|n| n.starts_with(c)).count();
        let counts = [count('t'), count('p'), count('l')];
        let id = |name: &String| names.iter().position(|n| *n == name).unwrap() as u32;
        let arts = features
            .iter()
            .enumerate()
            .map(|(i, (own, fs))| {
                let mut a = art(*own, &[], &[]);
                a.id = ArticleId(i as u32);
                a.rel = format!("{own}.md");
                // Each feature once, as `assemble` makes them.
                for (k, f) in fs.iter().enumerate() {
                    if fs[..k].contains(f) {
                        continue;
                    }
                    match f.as_bytes()[0] {
                        b't' => a.topics.push(TopicId(id(f))),
                        b'p' => a.people.push(EntityId(id(f) - counts[0] as u32)),
                        _ => a.places.push(EntityId(id(f) - (counts[0] + counts[1]) as u32)),
                    }
                }
                a
            })
            .collect();
        let keys = names.iter().map(|n| twox_hash::XxHash3_64::oneshot(n.as_bytes())).collect();
        (arts, counts, keys)
    }

    #[test]
    fn a_rebuild_scores_again_only_what_can_change_and_finds_what_a_fresh_one_finds() {
        // Long postings (windows matter), rare and common features, and edits of a few
        // articles at a time: features added, taken away, new ones (whose ids shift the rest);
        // articles added and deleted (whose ids shift the rest), some with a person of their own
        // only (reaching no other article), some like the others (reaching those near them).
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let article = |own: u32, next: &mut dyn FnMut(u64) -> u64| {
            let mut fs = vec![format!("t{}", next(4)), format!("p{}", next(60))];
            if next(3) == 0 {
                fs.push(format!("l{}", next(9)));
            }
            fs.dedup();
            (own, fs)
        };
        let mut features: Vec<(u32, Vec<String>)> = (0..700).map(|own| article(own, &mut next)).collect();
        let mut added = 700..;
        let mut rescored_some_after_an_add = false;
        let (arts, counts, keys) = named(&features);
        let mut memo = compute_with(&arts, &counts, &keys, Some(&Memo::default())).1;
        let mut rescored_some = false;
        for round in 0..40 {
            let mut moved = false;
            for _ in 0..=next(2) {
                let i = next(features.len() as u64) as usize;
                let (kind, other) = (next(6), next(60));
                let fs = &mut features[i].1;
                match kind {
                    0 => fs.push(format!("t{}", 10 + other % 3)),
                    1 if fs.len() > 1 => {
                        fs.pop();
                    }
                    2 => fs.push(format!("p{}", 100 + round)),
                    3 => {
                        if let Some(gone) = features.iter().position(|(own, _)| *own >= 700) {
                            features.remove(gone);
                            moved = true;
                        }
                        continue;
                    }
                    4 => {
                        let own = added.next().unwrap();
                        let new = if other % 2 == 0 { (own, vec![format!("p{own}")]) } else { article(own, &mut next) };
                        features.insert(i, new);
                        moved = true;
                        continue;
                    }
                    _ => fs.insert(0, format!("p{other}")),
                }
                fs.dedup();
            }
            let (arts, counts, keys) = named(&features);
            let fresh = compute_with(&arts, &counts, &keys, Some(&Memo::default()));
            let again = compute_with(&arts, &counts, &keys, Some(&memo));
            assert_eq!(again.0, fresh.0, "round {round}: the lists");
            assert_eq!(again.1.picks, fresh.1.picks, "round {round}: the picks and their scores");
            let scored = rescored(&arts, &counts, &keys, &memo);
            rescored_some |= scored.is_some_and(|n| n > 0 && n < arts.len());
            rescored_some_after_an_add |= moved && scored.is_some_and(|n| n > 0 && n < arts.len());
            memo = again.1;
        }
        assert!(rescored_some, "some rebuilds scored only some articles again");
        assert!(rescored_some_after_an_add, "so did some with articles added or deleted");
    }

    #[test]
    fn an_article_added_with_common_features_is_scored_with_those_near_it_only() {
        // 2,000 articles in 10 topics and 23 people: one more leaves every weight as it was
        // (the counts are taken roughly), so only the articles whose windows it enters are
        // scored again.
        let site = |extra: bool| {
            let mut features: Vec<(u32, Vec<String>)> =
                (0..2000).map(|i| (i, vec![format!("t{}", i % 10), format!("p{}", i % 23)])).collect();
            if extra {
                features.insert(1000, (5000, vec!["t0".into(), "p0".into()]));
            }
            named(&features)
        };
        let (scored, in_full) = rebuilt(site);
        assert!(scored.is_some_and(|n| n > 0 && n < 500), "{scored:?}");
        // Of those, only the new one is scored in full: the others' picks are patched.
        assert_eq!(in_full, Some(1));
    }

    /// Rebuilds `site(true)` from the memo of `site(false)`, checks that it finds what a fresh
    /// build finds, and returns how many articles it scored again and how many of those in full.
    fn rebuilt(site: impl Fn(bool) -> (Vec<Article>, [usize; 3], Vec<u64>)) -> (Option<usize>, Option<usize>) {
        let (arts, counts, keys) = site(false);
        let memo = compute_with(&arts, &counts, &keys, Some(&Memo::default())).1;
        let (arts, counts, keys) = site(true);
        let again = compute_with(&arts, &counts, &keys, Some(&memo));
        assert_eq!(again.0, compute(&arts, counts[0], counts[1], counts[2]));
        (rescored(&arts, &counts, &keys, &memo), scored_in_full(&arts, &counts, &keys, &memo))
    }

    #[test]
    fn a_weight_that_changes_rescores_that_features_articles_not_the_site() {
        // 3,000 articles in two topics; a person on 191 of them, spread through the site (their
        // windows in the topics cover it all). One more of hers, and the person's weight changes
        // (191 articles count as 160, 192 as 192): her 192 articles are scored in full, and only
        // those near the new one besides.
        let site = |extra: bool| {
            let mut features: Vec<(u32, Vec<String>)> = (0..3000)
                .map(|i| {
                    let mut fs = vec![format!("t{}", i % 2)];
                    if i % 15 == 3 && i < 191 * 15 {
                        fs.push("p0".into());
                    }
                    (i, fs)
                })
                .collect();
            if extra {
                features.insert(1500, (5000, vec!["t0".into(), "p0".into()]));
            }
            named(&features)
        };
        assert_eq!(site(true).0.iter().filter(|a| !a.people.is_empty()).count(), 192);
        let (scored, in_full) = rebuilt(site);
        assert!(scored.is_some_and(|n| n < 1000), "{scored:?}");
        assert_eq!(in_full, Some(192));
    }

    #[test]
    fn nothing_shared_nothing_related() {
        let arts = vec![art(0, &[0], &[]), art(1, &[1], &[])];
        let r = compute(&arts, 2, 0, 0);
        assert!(r[0].is_empty() && r[1].is_empty());
    }
}
