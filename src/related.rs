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
    let n = articles.len();
    let mut postings: Vec<Vec<u32>> = vec![Vec::new(); topics + people + places];
    // Each article's features, with its place in each feature's postings (which are in article
    // order).
    let feats: Vec<Vec<(u32, u32)>> = articles
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
    // Squared idf weight; a feature every article has tells nothing.
    let weight: Vec<f64> = postings
        .iter()
        .map(|p| if p.is_empty() { 0.0 } else { ((n as f64) / (p.len() as f64)).ln().powi(2) })
        .collect();
    let norm: Vec<f64> =
        feats.iter().map(|fs| fs.iter().map(|(f, _)| weight[*f as usize]).sum::<f64>().sqrt()).collect();
    let inverse: Vec<f64> = norm.iter().map(|x| 1.0 / x).collect();

    // Each article's candidates are scored independently, in parallel; each worker keeps its
    // own dense score buffer and the list of entries it touched.
    use rayon::prelude::*;
    let top: Vec<Vec<(ArticleId, f64)>> = feats
        .par_iter()
        .enumerate()
        .map_init(
            || (vec![0.0f64; n], Vec::<u32>::new()),
            |(score, touched), (i, fs)| {
                for &(f, pos) in fs {
                    let w = weight[f as usize];
                    if w == 0.0 {
                        continue;
                    }
                    let list = &postings[f as usize];
                    let pos = pos as usize;
                    let lo = pos.saturating_sub(WINDOW);
                    let hi = (pos + WINDOW + 1).min(list.len());
                    // The article itself is scored too, and passed over below.
                    for &j in &list[lo..hi] {
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
                // Only the top few are kept. Most of the hundreds of candidates lose to the
                // current last one, which `floor` tells without a division: a score estimated
                // by multiplying inverses is within a few ulps of the exact quotient, so below
                // the last one's less a margin it surely loses.
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
            },
        )
        .collect();
    // Symmetric closure: b picked a, so a lists b too.
    let mut all: Vec<Vec<(ArticleId, f64)>> = top.clone();
    for (i, list) in top.iter().enumerate() {
        for (j, s) in list {
            let back = &mut all[j.0 as usize];
            if !back.iter().any(|(x, _)| x.0 as usize == i) {
                back.push((ArticleId(i as u32), *s));
            }
        }
    }
    all.into_iter()
        .map(|mut l| {
            l.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            l.into_iter().map(|(id, _)| id).collect()
        })
        .collect()
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

    #[test]
    fn nothing_shared_nothing_related() {
        let arts = vec![art(0, &[0], &[]), art(1, &[1], &[])];
        let r = compute(&arts, 2, 0, 0);
        assert!(r[0].is_empty() && r[1].is_empty());
    }
}
