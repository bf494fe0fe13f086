//! Name similarity for look-alike detection (`HttpCacheModuleEx`, `authmd4.dll`, `stati.dll`).

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let w = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * w];
    for i in 0..=a.len() {
        d[i * w] = i;
    }
    for (j, cell) in d.iter_mut().enumerate().take(w) {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[(i - 1) * w + j] + 1).min(d[i * w + j - 1] + 1).min(d[(i - 1) * w + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[(i - 2) * w + j - 2] + 1);
            }
            d[i * w + j] = v;
        }
    }
    d[a.len() * w + b.len()]
}

/// True when `candidate` imitates `known` without being it: a small edit for names of some length, or
/// `known` with a short prefix/suffix glued on (`HttpCacheModuleEx`, `XUriCacheModule`).
pub fn looks_like(candidate: &str, known: &str, max_edits: usize) -> bool {
    let (c, k) = (candidate.to_lowercase(), known.to_lowercase());
    if c == k || k.chars().count() < 5 {
        return false;
    }
    if edit_distance(&c, &k) <= max_edits {
        return true;
    }
    let extra = c.chars().count().saturating_sub(k.chars().count());
    (1..=4).contains(&extra) && (c.starts_with(&k) || c.ends_with(&k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("authmd5", "authmd4"), 1);
        assert_eq!(edit_distance("static", "stati"), 1);
        assert_eq!(edit_distance("authbas", "autehbas"), 1);
        assert_eq!(edit_distance("ab", "ba"), 1);
        assert_eq!(edit_distance("HttpCacheModule", "httpcachemoduleex"), 2);
    }

    #[test]
    fn look_alikes() {
        assert!(looks_like("HttpCacheModuleEx", "HttpCacheModule", 2));
        assert!(looks_like("UriCacheModu1e", "UriCacheModule", 2));
        assert!(!looks_like("UriCacheModule", "UriCacheModule", 2));
        assert!(!looks_like("RewriteModule", "UriCacheModule", 2));
        assert!(!looks_like("iprestr", "diprestr", 0));
    }
}
