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
        let mut scopes: Vec<(String, String)> = Vec::new();
        for op in &ops {
            let key = op.scope.to_lowercase();
            if !scopes.iter().any(|(k, _)| *k == key) {
                scopes.push((key, op.scope.clone()));
            }
        }
        scopes.sort_by(|a, b| a.0.matches('/').count().cmp(&b.0.matches('/').count()).then(a.0.cmp(&b.0)));
        let mut effective: BTreeMap<String, Vec<(String, usize)>> = BTreeMap::new();
        for (key, display) in &scopes {
            let mut set = inherited(&effective, key);
            let mut here: Vec<&&Op> = ops.iter().filter(|o| o.scope.to_lowercase() == *key).collect();
            here.sort_by_key(|o| o.order);
            for op in here {
                match &op.kind {
                    OpKind::Add(i) => {
                        if set.iter().any(|(k, _)| *k == keys[*i]) {
                            components[*i].state = ComponentState::Duplicate;
                        } else {
                            set.push((keys[*i].clone(), *i));
                        }
                    }
                    OpKind::Remove(k) => {
                        if let Some(pos) = set.iter().position(|(sk, _)| sk == k) {
                            let (_, i) = set.remove(pos);
                            record(&mut components[i], display, RemovalOp::Remove, &op.source);
                        }
                    }
                    OpKind::Clear => {
                        for (_, i) in set.drain(..) {
                            record(&mut components[i], display, RemovalOp::Clear, &op.source);
                        }
                    }
                }
            }
            result.insert((collection.to_string(), display.clone()), set.iter().map(|(_, i)| *i).collect());
            effective.insert(key.clone(), set);
        }
    }
    result
}

/// The effective set of the nearest ancestor scope that has one.
fn inherited(effective: &BTreeMap<String, Vec<(String, usize)>>, scope: &str) -> Vec<(String, usize)> {
    let mut cur = parent_scope(scope);
    while let Some(p) = cur {
        if let Some(set) = effective.get(p) {
            return set.clone();
        }
        cur = parent_scope(p);
    }
    Vec::new()
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
