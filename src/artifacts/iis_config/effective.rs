//! The effective set of each collection per configuration path, the way IIS merges them: a scope inherits its
//! parent's entries, then applies its own `<add>`, `<remove>` and `<clear/>` in order. What was removed is kept
//! and said, because an attacker's module removed at one site is still loaded everywhere else.

use crate::model::{Component, ComponentState, Position, Removal, RemovalOp};
use std::collections::BTreeMap;

/// What one collection element does.
#[derive(Clone, Debug)]
pub enum OpKind {
    /// `<add>`: the component at this index of the declaration list.
    Add(usize),
    /// `<remove>` with the collection key (lower case).
    Remove(String),
    /// `<clear/>`.
    Clear,
}

/// One collection operation, in merge order.
#[derive(Clone, Debug)]
pub struct Op {
    /// Collection, e.g. `system.webServer/globalModules`.
    pub collection: &'static str,
    /// Configuration path it applies at.
    pub scope: String,
    /// What it does.
    pub kind: OpKind,
    /// Where it is written.
    pub source: Position,
    /// Merge order within a scope: (file order, line).
    pub order: (usize, usize),
}

/// Per (collection, scope): the effective component indices, in order.
pub type EffectiveSets = BTreeMap<(String, String), Vec<usize>>;

/// The parent configuration path (`MACHINE/WEBROOT/APPHOST/Site/app` → `.../Site`).
pub fn parent_scope(scope: &str) -> Option<&str> {
    scope.rsplit_once('/').map(|(p, _)| p)
}

/// Applies `ops` to the declarations: sets each component's state, `removed_by` and `removed_below`.
/// `keys[i]` is the collection key of `components[i]`. Returns, per (collection, scope), the effective
/// component indices in order.
pub fn apply(components: &mut [Component], keys: &[String], ops: &[Op]) -> EffectiveSets {
    let mut by_collection: BTreeMap<&str, Vec<&Op>> = BTreeMap::new();
    for op in ops {
        by_collection.entry(op.collection).or_default().push(op);
    }
    let mut result = BTreeMap::new();
    for (collection, ops) in by_collection {
        // Each scope's own operations, in merge order; scopes parents first.
        let mut per_scope: BTreeMap<String, (String, Vec<&Op>)> = BTreeMap::new();
        for op in &ops {
            per_scope.entry(op.scope.to_lowercase()).or_insert_with(|| (op.scope.clone(), Vec::new())).1.push(op);
        }
        let mut scopes: Vec<(String, String, Vec<&Op>)> =
            per_scope.into_iter().map(|(key, (display, here))| (key, display, here)).collect();
        scopes.sort_by(|a, b| a.0.matches('/').count().cmp(&b.0.matches('/').count()).then(a.0.cmp(&b.0)));
        let mut effective: BTreeMap<String, Set> = BTreeMap::new();
        for (key, display, mut here) in scopes {
            let mut set = inherited(&effective, &key);
            here.sort_by_key(|o| o.order);
            for op in here {
                match &op.kind {
                    OpKind::Add(i) => {
                        if !set.add(&keys[*i], *i) {
                            components[*i].state = ComponentState::Duplicate;
                        }
                    }
                    OpKind::Remove(k) => {
                        if let Some(i) = set.remove(k) {
                            record(&mut components[i], &display, RemovalOp::Remove, &op.source);
                        }
                    }
                    OpKind::Clear => {
                        for i in set.clear() {
                            record(&mut components[i], &display, RemovalOp::Clear, &op.source);
                        }
                    }
                }
            }
            result.insert((collection.to_string(), display.clone()), set.indices());
            effective.insert(key, set);
        }
    }
    result
}

/// A collection's entries at one scope, in order, with a key index: adding, finding and removing are
/// logarithmic, so a file with tens of thousands of entries merges in linear-logarithmic time.
#[derive(Clone, Default)]
struct Set {
    /// Component indices in order; a removed entry leaves a hole.
    slots: Vec<Option<usize>>,
    /// Collection key → its slot.
    by_key: BTreeMap<String, usize>,
}

impl Set {
    /// Adds an entry; false when its key is already there (a duplicate).
    fn add(&mut self, key: &str, component: usize) -> bool {
        if self.by_key.contains_key(key) {
            return false;
        }
        self.by_key.insert(key.to_string(), self.slots.len());
        self.slots.push(Some(component));
        true
    }

    /// Removes the entry with this key, returning its component.
    fn remove(&mut self, key: &str) -> Option<usize> {
        let slot = self.by_key.remove(key)?;
        self.slots[slot].take()
    }

    /// Removes every entry, returning their components in order.
    fn clear(&mut self) -> Vec<usize> {
        self.by_key.clear();
        self.slots.drain(..).flatten().collect()
    }

    /// The components in order.
    fn indices(&self) -> Vec<usize> {
        self.slots.iter().flatten().copied().collect()
    }
}

/// The effective set of the nearest ancestor scope that has one.
fn inherited(effective: &BTreeMap<String, Set>, scope: &str) -> Set {
    let mut cur = parent_scope(scope);
    while let Some(p) = cur {
        if let Some(set) = effective.get(p) {
            return set.clone();
        }
        cur = parent_scope(p);
    }
    Set::default()
}

fn record(c: &mut Component, scope: &str, op: RemovalOp, source: &Position) {
    let removal = Removal { scope: scope.to_string(), op, source: source.clone() };
    if c.scope.eq_ignore_ascii_case(scope) {
        c.state = ComponentState::Removed;
        c.removed_by = Some(removal);
    } else {
        c.removed_below.push(removal);
    }
}
