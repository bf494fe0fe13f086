//! .NET type references as IIS and ASP.NET write them in `type=` attributes.

use crate::model::ManagedType;

/// Splits `Ns.Class, Assembly, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31bf3856ad364e35`.
/// A bare class name (`System.Web.Caching.OutputCacheModule`) has no assembly: ASP.NET looks it up in the
/// assemblies it already references.
pub fn parse(raw: &str) -> ManagedType {
    let mut parts = raw.split(',').map(str::trim);
    let mut t = ManagedType { class: parts.next().unwrap_or("").to_string(), ..ManagedType::default() };
    for p in parts {
        match p.split_once('=') {
            Some((k, v)) => {
                let v = v.trim().to_string();
                match k.trim().to_ascii_lowercase().as_str() {
                    "version" => t.version = Some(v),
                    "culture" => t.culture = Some(v),
                    "publickeytoken" => t.public_key_token = Some(v.to_ascii_lowercase()),
                    _ => {}
                }
            }
            None if t.assembly.is_none() && !p.is_empty() => t.assembly = Some(p.to_string()),
            None => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_a_strong_name() {
        let t = parse(
            "System.Web.Handlers.ScriptModule, System.Web.Extensions, Version=4.0.0.0, Culture=neutral, PublicKeyToken=31BF3856AD364E35",
        );
        assert_eq!(t.class, "System.Web.Handlers.ScriptModule");
        assert_eq!(t.assembly.as_deref(), Some("System.Web.Extensions"));
        assert_eq!(t.version.as_deref(), Some("4.0.0.0"));
        assert_eq!(t.public_key_token.as_deref(), Some("31bf3856ad364e35"));
    }

    #[test]
    fn bare_class_has_no_assembly() {
        let t = parse("System.Web.Caching.OutputCacheModule");
        assert_eq!(t.class, "System.Web.Caching.OutputCacheModule");
        assert_eq!(t.assembly, None);
        assert_eq!(t.public_key_token, None);
    }
}
