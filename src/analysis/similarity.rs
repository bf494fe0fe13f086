//! Name similarity for look-alike detection (`HttpCacheModuleEx`, `authmd4.dll`, `stati.dll`).

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), case-insensitive.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    osa(&a, &b)
}

/// Longest names compared on the stack (built-in names are under 45 characters).
const SHORT: usize = 64;

/// The distance of two character sequences as they are, over three rolling rows (on the stack for short names:
/// rules compare every component's name with every built-in one, without an allocation per pair).
fn osa(a: &[char], b: &[char]) -> usize {
    let w = b.len() + 1;
    let mut stack = [0usize; 3 * (SHORT + 1)];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if w <= SHORT + 1 {
        &mut stack[..3 * w]
    } else {
        heap.resize(3 * w, 0);
        &mut heap
    };
    let at = |i: usize, j: usize| (i % 3) * w + j;
    for j in 0..w {
        rows[at(0, j)] = j;
    }
    for i in 1..=a.len() {
        rows[at(i, 0)] = i;
        for j in 1..w {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (rows[at(i - 1, j)] + 1).min(rows[at(i, j - 1)] + 1).min(rows[at(i - 1, j - 1)] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(rows[at(i - 2, j - 2)] + 1);
            }
            rows[at(i, j)] = v;
        }
    }
    rows[at(a.len(), b.len())]
}

/// True when `candidate` imitates `known` without being it: a small edit for names of some length, or
/// `known` with a short prefix/suffix glued on (`HttpCacheModuleEx`, `XUriCacheModule`).
pub fn looks_like(candidate: &str, known: &str, max_edits: usize) -> bool {
    looks_like_lower(&candidate.to_lowercase(), &known.to_lowercase(), max_edits)
}

/// [`looks_like`] on names already in lower case (callers comparing one name with many lower it once).
pub fn looks_like_lower(c: &str, k: &str, max_edits: usize) -> bool {
    let (cn, kn) = (c.chars().count(), k.chars().count());
    if c == k || kn < 5 {
        return false;
    }
    // The distance is at least the difference in length: only names of about the same length are compared
    // (which also bounds the work on a hostile 100,000-character name).
    if cn.abs_diff(kn) <= max_edits {
        let mut ca = ['\0'; SHORT];
        let mut ka = ['\0'; SHORT];
        let near = if cn <= SHORT && kn <= SHORT {
            c.chars().zip(ca.iter_mut()).for_each(|(ch, slot)| *slot = ch);
            k.chars().zip(ka.iter_mut()).for_each(|(ch, slot)| *slot = ch);
            osa(&ca[..cn], &ka[..kn])
        } else {
            osa(&c.chars().collect::<Vec<_>>(), &k.chars().collect::<Vec<_>>())
        };
        if near <= max_edits {
            return true;
        }
    }
    let extra = cn.saturating_sub(kn);
    (1..=4).contains(&extra) && (c.starts_with(k) || c.ends_with(k))
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
