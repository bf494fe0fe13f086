//! From XML elements to IIS facts: which sections declare extension points, what their collection keys are,
//! and what each `<add>` becomes.

use super::effective::{Op, OpKind};
use super::managed_type;
use super::xml::{self, Element};
use crate::model::WinEnv;
use crate::model::{Component, ComponentKind, ConfigFact, ConfigFactKind, Position};
use std::collections::BTreeMap;

/// A collection that holds extension points, keyed the way IIS keys it.
struct Spec {
    /// Section path below `<configuration>` (or `<location>`).
    section: &'static str,
    /// Name of the add element.
    add: &'static str,
    /// Attributes that together form the collection key.
    key: &'static [&'static str],
}

const SPECS: &[Spec] = &[
    Spec { section: "system.webServer/globalModules", add: "add", key: &["name"] },
    Spec { section: "system.webServer/modules", add: "add", key: &["name"] },
    Spec { section: "system.webServer/isapiFilters", add: "filter", key: &["name"] },
    Spec { section: "system.webServer/handlers", add: "add", key: &["name"] },
    Spec { section: "system.webServer/security/isapiCgiRestriction", add: "add", key: &["path"] },
    Spec { section: "system.webServer/fastCgi", add: "application", key: &["fullPath", "arguments"] },
    Spec { section: "system.webServer/webdav/globalSettings/propertyStores", add: "add", key: &["name"] },
    Spec { section: "system.webServer/webdav/globalSettings/lockStores", add: "add", key: &["name"] },
    Spec { section: "system.webServer/httpCompression", add: "scheme", key: &["name"] },
    Spec { section: "system.web/httpModules", add: "add", key: &["name"] },
];

/// Attributes of collection elements and sections that are reported as settings.
const SETTINGS: &[(&str, &[&str])] = &[
    ("system.webServer/security/isapiCgiRestriction", &["notListedIsapisAllowed", "notListedCgisAllowed"]),
    ("system.webServer/handlers", &["accessPolicy"]),
    ("system.webServer/modules", &["runAllManagedModulesForAllRequests"]),
    ("system.webServer/httpLogging", &["dontLog", "selectiveLogging"]),
    ("system.applicationHost/configHistory", &["enabled", "path", "maxHistories", "period"]),
    ("system.applicationHost/sites/siteDefaults/traceFailedRequestsLogging", &["enabled", "directory"]),
    ("system.applicationHost/sites/siteDefaults/logFile", &["enabled", "directory", "logTargetW3C", "logFormat"]),
    ("configurationRedirection", &["enabled", "path", "userName"]),
];

/// A site's application folder, to find its web.config files.
#[derive(Clone, Debug)]
pub struct VirtualDir {
    /// Site name.
    pub site: String,
    /// Virtual path (`/`, `/owa`).
    pub virtual_path: String,
    /// `physicalPath` as written.
    pub physical_path: String,
    /// Where it is declared.
    pub source: Position,
}

/// Everything read from one configuration file.
#[derive(Default)]
pub struct FileFacts {
    /// Declared components (ids not yet assigned).
    pub components: Vec<Component>,
    /// Collection key of each component (lower case).
    pub keys: Vec<String>,
    /// Collection operations.
    pub ops: Vec<Op>,
    /// Settings worth reporting.
    pub facts: Vec<ConfigFact>,
    /// Site folders.
    pub vdirs: Vec<VirtualDir>,
    /// XML problems (line, message).
    pub problems: Vec<xml::XmlProblem>,
}

/// Reads one configuration file. `base` is the configuration path of the file itself
/// (`MACHINE/WEBROOT/APPHOST`, a site path for a web.config); `order` places it in merge order.
pub fn read(text: &str, base: &str, order: usize, source: &Position, env: &WinEnv) -> FileFacts {
    let mut out = FileFacts::default();
    let mut location: Option<String> = None;
    let mut site: Option<String> = None;
    let mut app_path = String::from("/");
    let problems = xml::walk(text, &mut |e: &Element| {
        if e.names.first().map(String::as_str) != Some("configuration") {
            return;
        }
        let at = Position { line: Some(e.line), ..source.clone() };
        let (rest, scope) = if e.names.get(1).map(String::as_str) == Some("location") {
            if e.names.len() == 2 {
                location = Some(e.attr("path").unwrap_or("").to_string());
                return;
            }
            (&e.names[2..], join_scope(base, location.as_deref().unwrap_or("")))
        } else {
            (&e.names[1..], base.to_string())
        };
        let section = rest.join("/");
        let (parent, name) = match rest.split_last() {
            Some((last, parent)) => (parent.join("/"), last.as_str()),
            None => return,
        };

        // Sites and their folders.
        match section.as_str() {
            "system.applicationHost/sites/site" => {
                site = e.attr("name").map(str::to_string);
                out.facts.push(fact(ConfigFactKind::Site, &scope, e, at.clone(), &["name", "id", "serverAutoStart"]));
            }
            "system.applicationHost/sites/site/application" => {
                app_path = e.attr("path").unwrap_or("/").to_string();
            }
            "system.applicationHost/sites/site/application/virtualDirectory" => {
                if let (Some(s), Some(p)) = (&site, e.attr("physicalPath")) {
                    let v = e.attr("path").unwrap_or("/");
                    let joined = format!("{}/{}", app_path.trim_end_matches('/'), v.trim_start_matches('/'));
                    let virtual_path = match joined.trim_end_matches('/') {
                        "" => "/".to_string(),
                        p => p.to_string(),
                    };
                    let mut f = fact(ConfigFactKind::VirtualDirectory, &scope, e, at.clone(), &["physicalPath"]);
                    f.values.insert("site".into(), s.clone());
                    f.values.insert("path".into(), virtual_path.clone());
                    out.facts.push(f);
                    out.vdirs.push(VirtualDir {
                        site: s.clone(),
                        virtual_path,
                        physical_path: p.to_string(),
                        source: at.clone(),
                    });
                }
            }
            "system.applicationHost/sites/site/traceFailedRequestsLogging" => {
                let scope = join_scope(base, site.as_deref().unwrap_or(""));
                out.facts.push(fact(
                    ConfigFactKind::FrebLogging,
                    &scope,
                    e,
                    at.clone(),
                    &["enabled", "directory", "maxLogFiles"],
                ));
            }
            "system.webServer/tracing/traceFailedRequests/add" => {
                out.facts.push(fact(ConfigFactKind::FrebRule, &scope, e, at.clone(), &["path", "customActionExe"]));
            }
            "moduleProviders/add" => {
                out.facts.push(fact(ConfigFactKind::ModuleProvider, &scope, e, at.clone(), &["name", "type"]));
            }
            _ => {}
        }
        if let Some((_, attrs)) = SETTINGS.iter().find(|(s, _)| *s == section)
            && attrs.iter().any(|a| e.attr(a).is_some())
        {
            let mut f = fact(ConfigFactKind::Setting, &scope, e, at.clone(), attrs);
            f.values.insert("section".into(), section.clone());
            out.facts.push(f);
        }

        // Collections of extension points.
        let Some(spec) = SPECS.iter().find(|s| s.section == parent) else { return };
        let key = || spec.key.iter().map(|k| e.attr(k).unwrap_or("")).collect::<Vec<_>>().join("|").to_lowercase();
        let kind = if name == spec.add {
            match component(spec, e, &scope, at.clone(), env) {
                Some(c) => {
                    out.keys.push(key());
                    out.components.push(c);
                    OpKind::Add(out.components.len() - 1)
                }
                None => return,
            }
        } else if name == "remove" {
            OpKind::Remove(key())
        } else if name == "clear" {
            OpKind::Clear
        } else {
            return;
        };
        out.ops.push(Op { collection: spec.section, scope, kind, source: at, order: (order, e.line) });
    });
    out.problems = problems;
    out
}

/// `MACHINE/WEBROOT/APPHOST` + `Default Web Site/owa/` → `MACHINE/WEBROOT/APPHOST/Default Web Site/owa`.
pub fn join_scope(base: &str, location: &str) -> String {
    let loc = location.trim().trim_matches('/');
    if loc.is_empty() || loc == "." { base.to_string() } else { format!("{base}/{loc}") }
}

fn fact(kind: ConfigFactKind, scope: &str, e: &Element, source: Position, attrs: &[&str]) -> ConfigFact {
    let values: BTreeMap<String, String> =
        attrs.iter().filter_map(|a| e.attr(a).map(|v| (a.to_string(), v.to_string()))).collect();
    ConfigFact { kind, scope: scope.to_string(), values, source }
}

/// The component an add element declares, or `None` for handlers that run no ISAPI/CGI/FastCGI binary.
fn component(spec: &Spec, e: &Element, scope: &str, source: Position, env: &WinEnv) -> Option<Component> {
    let attr = |k: &str| e.attr(k).map(str::to_string);
    let mut attributes = BTreeMap::new();
    let mut keep = |names: &[&str]| {
        for n in names {
            if let Some(v) = e.attr(n) {
                attributes.insert(n.to_string(), v.to_string());
            }
        }
    };
    let (kind, name, image, managed) = match spec.section {
        "system.webServer/globalModules" => {
            keep(&["preCondition", "lockItem"]);
            (ComponentKind::GlobalModule, attr("name")?, attr("image"), None)
        }
        "system.webServer/modules" | "system.web/httpModules" => {
            keep(&["preCondition", "lockItem"]);
            match attr("type").filter(|t| !t.trim().is_empty()) {
                Some(t) => {
                    (ComponentKind::ManagedModule, attr("name")?, Some(t.clone()), Some(managed_type::parse(&t)))
                }
                None => (ComponentKind::Module, attr("name")?, None, None),
            }
        }
        "system.webServer/isapiFilters" => {
            keep(&["enabled", "enableCache", "preCondition"]);
            (ComponentKind::IsapiFilter, attr("name")?, attr("path"), None)
        }
        "system.webServer/handlers" => {
            let modules = attr("modules").unwrap_or_default().to_ascii_lowercase();
            let kind = modules.split(',').map(str::trim).find_map(|m| match m {
                "isapimodule" => Some(ComponentKind::IsapiExtension),
                "cgimodule" => Some(ComponentKind::Cgi),
                "fastcgimodule" => Some(ComponentKind::Fastcgi),
                _ => None,
            })?;
            keep(&["path", "verb", "modules", "resourceType", "requireAccess", "preCondition"]);
            (kind, attr("name")?, attr("scriptProcessor"), None)
        }
        "system.webServer/security/isapiCgiRestriction" => {
            keep(&["allowed", "groupId", "description"]);
            let p = attr("path")?;
            (ComponentKind::CgiRestriction, p.clone(), Some(p), None)
        }
        "system.webServer/fastCgi" => {
            keep(&["arguments", "monitorChangesTo", "maxInstances"]);
            let p = attr("fullPath")?;
            (ComponentKind::Fastcgi, p.clone(), Some(p), None)
        }
        "system.webServer/httpCompression" => {
            keep(&["doStaticCompression", "doDynamicCompression"]);
            (ComponentKind::OtherDll, attr("name")?, attr("dll"), None)
        }
        _ => {
            // WebDAV property and lock stores.
            keep(&["enabled"]);
            let store =
                if spec.section.ends_with("lockStores") { "webdav_lock_store" } else { "webdav_property_store" };
            attributes.insert("store".into(), store.into());
            (ComponentKind::OtherDll, attr("name")?, attr("image"), None)
        }
    };
    let path = match (&managed, &image) {
        (None, Some(raw)) => env.resolve_binary(raw),
        _ => None,
    };
    let mut c = Component::new(kind, name, image, scope.to_string(), source);
    c.path = path;
    c.managed_type = managed;
    c.attributes = attributes;
    Some(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifacts::iis_config::effective;
    use crate::evidence::WinPath;
    use crate::model::ComponentState;

    fn read_str(text: &str) -> (Vec<Component>, effective::EffectiveSets) {
        let src = Position::at("E1", WinPath::parse("applicationHost.config"), None);
        let mut f = read(text, "MACHINE/WEBROOT/APPHOST", 0, &src, &WinEnv::default());
        let eff = effective::apply(&mut f.components, &f.keys, &f.ops);
        (f.components, eff)
    }

    #[test]
    fn remove_and_clear_at_the_same_scope_and_below() {
        let (c, eff) = read_str(
            r#"<configuration>
<system.webServer><globalModules>
  <add name="A" image="%windir%\a.dll" />
  <add name="B" image="%windir%\b.dll" />
  <remove name="a" />
</globalModules></system.webServer>
<location path="Site/app/"><system.webServer><globalModules><clear /><add name="C" image="c.dll" /></globalModules></system.webServer></location>
</configuration>"#,
        );
        assert_eq!(c[0].state, ComponentState::Removed);
        assert_eq!(
            c[0].removed_by.as_ref().map(|r| (r.op, r.source.line)),
            Some((crate::model::RemovalOp::Remove, Some(5)))
        );
        assert_eq!(c[1].state, ComponentState::Effective);
        assert_eq!(c[1].removed_below[0].scope, "MACHINE/WEBROOT/APPHOST/Site/app");
        assert_eq!(c[1].removed_below[0].op, crate::model::RemovalOp::Clear);
        assert_eq!(c[2].scope, "MACHINE/WEBROOT/APPHOST/Site/app");
        assert_eq!(c[2].path, None, "a relative image does not resolve");
        let g = "system.webServer/globalModules".to_string();
        assert_eq!(eff[&(g.clone(), "MACHINE/WEBROOT/APPHOST".into())], vec![1]);
        assert_eq!(eff[&(g, "MACHINE/WEBROOT/APPHOST/Site/app".into())], vec![2]);
    }

    #[test]
    fn a_second_add_of_the_same_key_is_a_duplicate() {
        let (c, _) = read_str(
            r#"<configuration><location path="S"><system.webServer><isapiFilters>
<filter name="F" path="C:\f.dll" /></isapiFilters></system.webServer></location>
<system.webServer><isapiFilters><filter name="f" path="C:\g.dll" /></isapiFilters></system.webServer>
<location path="S"><system.webServer><isapiFilters><filter name="F" path="C:\h.dll" /></isapiFilters></system.webServer></location>
</configuration>"#,
        );
        // Root first (g.dll), then S inherits it: both S entries re-add the same key.
        let states: Vec<(&str, ComponentState)> =
            c.iter().map(|c| (c.image.as_deref().unwrap_or(""), c.state)).collect();
        assert_eq!(
            states,
            vec![
                (r"C:\f.dll", ComponentState::Duplicate),
                (r"C:\g.dll", ComponentState::Effective),
                (r"C:\h.dll", ComponentState::Duplicate)
            ]
        );
    }

    #[test]
    fn handlers_become_components_only_when_they_run_binaries() {
        let (c, _) = read_str(
            r#"<configuration><system.webServer><handlers accessPolicy="Read, Script">
<add name="php" path="*.php" verb="*" modules="FastCgiModule" scriptProcessor="C:\php\php-cgi.exe|-d x=1" />
<add name="StaticFile" path="*" verb="*" modules="StaticFileModule,DefaultDocumentModule" />
<add name="x" path="*.x" verb="*" modules="IsapiModule" scriptProcessor="%windir%\system32\inetsrv\x.dll" />
</handlers>
<fastCgi><application fullPath="C:\php\php-cgi.exe" arguments="-d x=1" /></fastCgi>
<security><isapiCgiRestriction notListedIsapisAllowed="true"><add path="C:\cgi\a.exe" allowed="false" /></isapiCgiRestriction></security>
</system.webServer></configuration>"#,
        );
        let kinds: Vec<(ComponentKind, &str, Option<&str>)> =
            c.iter().map(|c| (c.kind, c.name.as_str(), c.path.as_ref().map(|p| p.as_str()))).collect();
        assert_eq!(
            kinds,
            vec![
                (ComponentKind::Fastcgi, "php", Some(r"C:\php\php-cgi.exe")),
                (ComponentKind::IsapiExtension, "x", Some(r"C:\Windows\system32\inetsrv\x.dll")),
                (ComponentKind::Fastcgi, r"C:\php\php-cgi.exe", Some(r"C:\php\php-cgi.exe")),
                (ComponentKind::CgiRestriction, r"C:\cgi\a.exe", Some(r"C:\cgi\a.exe")),
            ]
        );
        assert_eq!(c[3].attributes.get("allowed").map(String::as_str), Some("false"));
    }
}
