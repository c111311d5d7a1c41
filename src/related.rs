//! Related articles computed from shared topics, people and places.
//!
//! Each article is a vector over those features, weighted by inverse document frequency so that
//! a rare person counts for more than a common topic; similarity is the cosine. Candidates come
//! from an inverted index (feature → articles), never from all pairs, and for a very common
//! feature only the articles nearest in time are looked at: in news, recent context matters
//! most, and it bounds the work per article. The result is symmetric and deterministic.

use crate::model::{Article, ArticleId};

/// How many related articles each article picks for itself.
pub const TOP: usize = 5;
/// For a feature shared by many articles, how many neighbours in time on each side are scored.
const WINDOW: usize = 150;

/// For each article, the articles it is related to by shared features, best first. `b` is in
/// `a`'s list exactly when `a` is in `b`'s.
pub fn compute(articles: &[Article], topics: usize, people: usize, places: usize) -> Vec<Vec<ArticleId>> {
    compute_with(articles, &[topics, people, places], &[], None).0
}

/// What `compute_with` can start from next time: the articles and features it was given and
/// what each article picked for itself.
#[derive(Debug, Clone, Default)]
pub struct Memo {
    /// A hash of the articles' files, in order: the memo holds for the same articles only.
    articles: u64,
    /// Each article's features, by key.
    features: Vec<Vec<u64>>,
    /// Each article's own picks with their scores, before the symmetric closure.
    picks: Vec<Vec<(ArticleId, f64)>>,
}

/// A scoring worker's buffers: a dense score per article, and the entries it touched.
type Scratch = (Vec<f64>, Vec<u32>);

/// `compute` for articles whose features are numbered topics first, then people, then places
/// (`counts`), each feature with a key that names it from one build to the next (its ids move
/// when one is added; read only with a memo). With the memo of a build of the same articles, only the articles whose
/// picks can differ are scored again: those whose features changed, those with a feature whose
/// articles changed (its weight and their norms did), and those scoring any of these as
/// candidates. Every other article's inputs are bit for bit the last build's, and so are its
/// picks. Returns the lists and the memo for the next build.
pub fn compute_with(
    articles: &[Article],
    counts: &[usize; 3],
    keys: &[u64],
    memo: Option<&Memo>,
) -> (Vec<Vec<ArticleId>>, Memo) {
    let n = articles.len();
    let (feats, postings) = index(articles, counts);
    // Squared idf weight; a feature every article has tells nothing.
    let weight: Vec<f64> = postings
        .iter()
        .map(|p| if p.is_empty() { 0.0 } else { ((n as f64) / (p.len() as f64)).ln().powi(2) })
        .collect();
    let norm: Vec<f64> =
        feats.iter().map(|fs| fs.iter().map(|(f, _)| weight[*f as usize]).sum::<f64>().sqrt()).collect();
    let inverse: Vec<f64> = norm.iter().map(|x| 1.0 / x).collect();

    // Only for a memo: a one-off build keeps nothing.
    let remember = memo.is_some();
    let mut next = Memo::default();
    if remember {
        (next.articles, next.features) = (identity(articles), by_key(&feats, keys));
    }
    let rescore = memo
        .filter(|m| m.articles == next.articles && m.features.len() == n)
        .and_then(|m| changed(&m.features, &next.features, keys, &feats, &postings).map(|rows| (m, rows)));

    // Each article's candidates are scored independently, in parallel; each worker keeps its
    // own dense score buffer and the list of entries it touched.
    let pick = |(score, touched): &mut Scratch, i: usize, fs: &[(u32, u32)]| {
        for &(f, pos) in fs {
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
        // Best score first; among equals, the nearest in time, then the newer (ids are
        // distinct, so this is a total order; scores are never NaN).
        let better = |a: &(ArticleId, f64), b: &(ArticleId, f64)| {
            if a.1 != b.1 {
                return a.1 > b.1;
            }
            let (da, db) = ((a.0.0 as i64 - i as i64).abs(), (b.0.0 as i64 - i as i64).abs());
            if da != db { da < db } else { a.0 < b.0 }
        };
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
            let c = (ArticleId(j), raw / (norm[i] * norm[j as usize]));
            if best.len() < TOP || better(&c, &best[TOP - 1]) {
                let at = best.partition_point(|b| better(b, &c));
                best.insert(at, c);
                best.truncate(TOP);
                if best.len() == TOP {
                    floor = best[TOP - 1].1 * (1.0 - 1e-12);
                }
            }
        }
        touched.clear();
        best
    };
    use rayon::prelude::*;
    let top: Vec<Vec<(ArticleId, f64)>> = feats
        .par_iter()
        .enumerate()
        .map_init(
            || (vec![0.0f64; n], Vec::<u32>::new()),
            |scratch, (i, fs)| match &rescore {
                Some((memo, rows)) if !rows[i] => memo.picks[i].clone(),
                _ => pick(scratch, i, fs),
            },
        )
        .collect();
    // Symmetric closure: b picked a, so a lists b too. Each list starts with its own picks.
    let own: Vec<usize> = top.iter().map(Vec::len).collect();
    let (mut all, top) = if remember { (top.clone(), top) } else { (top, Vec::new()) };
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
        .into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            l.into_iter().map(|(id, _)| id).collect()
        })
        .collect();
    (lists, Memo { picks: top, ..next })
}

/// Each article's features (numbered as `compute_with` says), each with the article's place in
/// that feature's postings.
type Features = Vec<Vec<(u32, u32)>>;

/// The articles' `Features`, and each feature's postings (articles, in article order).
fn index(articles: &[Article], counts: &[usize; 3]) -> (Features, Vec<Vec<u32>>) {
    let [topics, people, places] = *counts;
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); topics + people + places];
    let feats = articles
        .iter()
        .enumerate()
        .map(|(i, a)| {
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

/// The articles' files, in order, as one hash.
fn identity(articles: &[Article]) -> u64 {
    use std::hash::Hasher;
    let mut h = twox_hash::XxHash3_64::new();
    for a in articles {
        h.write(a.rel.as_bytes());
        h.write_u8(0);
    }
    h.finish()
}

/// Each article's features by key.
fn by_key(feats: &Features, keys: &[u64]) -> Vec<Vec<u64>> {
    feats.iter().map(|fs| fs.iter().map(|(f, _)| keys[*f as usize]).collect()).collect()
}

/// How many articles a `compute_with` from `memo` would score again (None: all, being more
/// than half or other articles).
#[cfg(test)]
pub(crate) fn rescored(articles: &[Article], counts: &[usize; 3], keys: &[u64], memo: &Memo) -> Option<usize> {
    let (feats, postings) = index(articles, counts);
    if memo.articles != identity(articles) {
        return None;
    }
    let rows = changed(&memo.features, &by_key(&feats, keys), keys, &feats, &postings)?;
    Some(rows.iter().filter(|r| **r).count())
}

/// The articles a feature's postings put in the window of the one at `pos`.
fn window(list: &[u32], pos: u32) -> &[u32] {
    let pos = pos as usize;
    &list[pos.saturating_sub(WINDOW)..(pos + WINDOW + 1).min(list.len())]
}

/// Which articles must be scored again, given each article's features (by key) in the last
/// build and now, or None when most must (then all are). See `compute_with`.
fn changed(
    before: &[Vec<u64>],
    now: &[Vec<u64>],
    keys: &[u64],
    feats: &[Vec<(u32, u32)>],
    postings: &[Vec<u32>],
) -> Option<Vec<bool>> {
    let n = now.len();
    let edited: Vec<usize> = (0..n).filter(|&i| before[i] != now[i]).collect();
    // Features gained or lost by an edited article: only theirs have other articles now.
    let mut moved: Vec<u64> = Vec::new();
    for &i in &edited {
        moved.extend(before[i].iter().filter(|k| !now[i].contains(k)));
        moved.extend(now[i].iter().filter(|k| !before[i].contains(k)));
    }
    // The articles whose norm or features changed.
    let mut changed = vec![false; n];
    edited.iter().for_each(|&i| changed[i] = true);
    for (f, list) in postings.iter().enumerate() {
        if moved.contains(&keys[f]) {
            list.iter().for_each(|&j| changed[j as usize] = true);
        }
    }
    // And every article scoring one of them: windows are symmetric.
    let mut rows = changed.clone();
    for (fs, _) in feats.iter().zip(&changed).filter(|(_, c)| **c) {
        for &(f, pos) in fs {
            window(&postings[f as usize], pos).iter().for_each(|&j| rows[j as usize] = true);
        }
    }
    (rows.iter().filter(|r| **r).count() <= n / 2).then_some(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{EntityId, TopicId};

    fn art(i: u32, topics: &[u32], people: &[u32]) -> Article {
        let date = chrono::DateTime::parse_from_rfc3339("2025-03-05T10:00:00+00:00").unwrap();
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

    /// A site of `n` articles whose features are named (`t3`, `p7`, ...); numbered as the
    /// registries number them (by name), each keyed by its name.
    fn named(features: &[Vec<String>]) -> (Vec<Article>, [usize; 3], Vec<u64>) {
        let mut names: Vec<&String> = features.iter().flatten().collect();
        names.sort_by_key(|n| (!n.starts_with('t'), !n.starts_with('p'), n.as_str()));
        names.dedup();
        let count = |c: char| names.iter().filter(|n| n.starts_with(c)).count();
        let counts = [count('t'), count('p'), count('l')];
        let id = |name: &String| names.iter().position(|n| *n == name).unwrap() as u32;
        let arts = features
            .iter()
            .enumerate()
            .map(|(i, fs)| {
                let mut a = art(i as u32, &[], &[]);
                a.rel = format!("{i}.md");
                for f in fs {
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
        // articles at a time: features added, taken away, new ones (whose ids shift the rest).
        let mut state = 7u64;
        let mut next = |m: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % m
        };
        let mut features: Vec<Vec<String>> = (0..700)
            .map(|_| {
                let mut fs = vec![format!("t{}", next(4)), format!("p{}", next(60))];
                if next(3) == 0 {
                    fs.push(format!("l{}", next(9)));
                }
                fs.dedup();
                fs
            })
            .collect();
        let (arts, counts, keys) = named(&features);
        let mut memo = compute_with(&arts, &counts, &keys, Some(&Memo::default())).1;
        let mut rescored_some = false;
        for round in 0..40 {
            for _ in 0..=next(2) {
                let i = next(features.len() as u64) as usize;
                match next(4) {
                    0 => features[i].push(format!("t{}", 10 + next(3))),
                    1 if features[i].len() > 1 => {
                        features[i].pop();
                    }
                    2 => features[i].push(format!("p{}", 100 + round)),
                    _ => features[i].insert(0, format!("p{}", next(60))),
                }
                features[i].dedup();
            }
            let (arts, counts, keys) = named(&features);
            let fresh = compute_with(&arts, &counts, &keys, Some(&Memo::default()));
            let again = compute_with(&arts, &counts, &keys, Some(&memo));
            assert_eq!(again.0, fresh.0, "round {round}: the lists");
            assert_eq!(again.1.picks, fresh.1.picks, "round {round}: the picks and their scores");
            let scored = rescored(&arts, &counts, &keys, &memo);
            rescored_some |= scored.is_some_and(|n| n > 0 && n < arts.len());
            memo = again.1;
        }
        assert!(rescored_some, "some rebuilds scored only some articles again");
    }

    #[test]
    fn nothing_shared_nothing_related() {
        let arts = vec![art(0, &[0], &[]), art(1, &[1], &[])];
        let r = compute(&arts, 2, 0, 0);
        assert!(r[0].is_empty() && r[1].is_empty());
    }
}
