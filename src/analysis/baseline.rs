//! The known-good baseline: what a default IIS 10 / .NET 4 install declares, and third-party components that
//! are legitimate but not default. This file is the one reviewed table the rules compare against; sources are
//! the IIS 10 `applicationHost.config` schema defaults, default installs (including the Exchange 2016/2019
//! configurations in the test corpus) and vendor documentation.
//!
//! Paths are written with environment variables, as IIS writes them, and expanded with the host's own values
//! before comparison.

/// Version of this baseline, shown in every report: bumped with each change of the tables below.
pub const VERSION: &str = "iis10-2026.12.1";

/// Built-in native modules: `globalModules` name → image.
pub const NATIVE_MODULES: &[(&str, &str)] = &[
    ("HttpLoggingModule", r"%windir%\System32\inetsrv\loghttp.dll"),
    ("UriCacheModule", r"%windir%\System32\inetsrv\cachuri.dll"),
    ("FileCacheModule", r"%windir%\System32\inetsrv\cachfile.dll"),
    ("TokenCacheModule", r"%windir%\System32\inetsrv\cachtokn.dll"),
    ("HttpCacheModule", r"%windir%\System32\inetsrv\cachhttp.dll"),
    ("StaticCompressionModule", r"%windir%\System32\inetsrv\compstat.dll"),
    ("DynamicCompressionModule", r"%windir%\System32\inetsrv\compdyn.dll"),
    ("DefaultDocumentModule", r"%windir%\System32\inetsrv\defdoc.dll"),
    ("DirectoryListingModule", r"%windir%\System32\inetsrv\dirlist.dll"),
    ("ProtocolSupportModule", r"%windir%\System32\inetsrv\protsup.dll"),
    ("HttpRedirectionModule", r"%windir%\System32\inetsrv\redirect.dll"),
    ("ServerSideIncludeModule", r"%windir%\System32\inetsrv\iis_ssi.dll"),
    ("StaticFileModule", r"%windir%\System32\inetsrv\static.dll"),
    ("AnonymousAuthenticationModule", r"%windir%\System32\inetsrv\authanon.dll"),
    ("CertificateMappingAuthenticationModule", r"%windir%\System32\inetsrv\authcert.dll"),
    ("UrlAuthorizationModule", r"%windir%\System32\inetsrv\urlauthz.dll"),
    ("BasicAuthenticationModule", r"%windir%\System32\inetsrv\authbas.dll"),
    ("WindowsAuthenticationModule", r"%windir%\System32\inetsrv\authsspi.dll"),
    ("DigestAuthenticationModule", r"%windir%\System32\inetsrv\authmd5.dll"),
    ("IISCertificateMappingAuthenticationModule", r"%windir%\System32\inetsrv\authmap.dll"),
    ("IpRestrictionModule", r"%windir%\System32\inetsrv\iprestr.dll"),
    ("DynamicIpRestrictionModule", r"%windir%\System32\inetsrv\diprestr.dll"),
    ("RequestFilteringModule", r"%windir%\System32\inetsrv\modrqflt.dll"),
    ("CustomLoggingModule", r"%windir%\System32\inetsrv\logcust.dll"),
    ("CustomErrorModule", r"%windir%\System32\inetsrv\custerr.dll"),
    ("TracingModule", r"%windir%\System32\inetsrv\iisetw.dll"),
    ("FailedRequestsTracingModule", r"%windir%\System32\inetsrv\iisfreb.dll"),
    ("RequestMonitorModule", r"%windir%\System32\inetsrv\iisreqs.dll"),
    ("IsapiModule", r"%windir%\System32\inetsrv\isapi.dll"),
    ("IsapiFilterModule", r"%windir%\System32\inetsrv\filter.dll"),
    ("CgiModule", r"%windir%\System32\inetsrv\cgi.dll"),
    ("FastCgiModule", r"%windir%\System32\inetsrv\iisfcgi.dll"),
    ("WebDAVModule", r"%windir%\System32\inetsrv\webdav.dll"),
    ("ConfigurationValidationModule", r"%windir%\System32\inetsrv\validcfg.dll"),
    ("ApplicationInitializationModule", r"%windir%\System32\inetsrv\warmup.dll"),
    ("WebSocketModule", r"%windir%\System32\inetsrv\iiswsock.dll"),
    ("ManagedEngineV4.0_32bit", r"%windir%\Microsoft.NET\Framework\v4.0.30319\webengine4.dll"),
    ("ManagedEngineV4.0_64bit", r"%windir%\Microsoft.NET\Framework64\v4.0.30319\webengine4.dll"),
    ("ManagedEngine", r"%windir%\Microsoft.NET\Framework\v2.0.50727\webengine.dll"),
    ("ManagedEngine64", r"%windir%\Microsoft.NET\Framework64\v2.0.50727\webengine.dll"),
];

/// Public key tokens of Microsoft's strong-name keys: ECMA/.NET Framework, Microsoft, ASP.NET/OWIN/Exchange,
/// Office/SharePoint, SQL Server/Reporting Services, .NET Core and ASP.NET Core. A token in a `type` string is
/// only a claim; the managed rules compare it with the assembly's real key where the file is found.
pub const MICROSOFT_TOKENS: &[&str] = &[
    "b77a5c561934e089",
    "b03f5f7f11d50a3a",
    "31bf3856ad364e35",
    "71e9bce111e9429c",
    "89845dcd8080cc91",
    "cc7b13ffcd2ddd51",
    "7cec85d7bea7798e",
    "adb9793829ddae60",
];

/// Built-in managed modules: name → class (the assembly is `System.Web` when no token is given).
pub const MANAGED_MODULES: &[(&str, &str)] = &[
    ("OutputCache", "System.Web.Caching.OutputCacheModule"),
    ("Session", "System.Web.SessionState.SessionStateModule"),
    ("WindowsAuthentication", "System.Web.Security.WindowsAuthenticationModule"),
    ("FormsAuthentication", "System.Web.Security.FormsAuthenticationModule"),
    ("PassportAuthentication", "System.Web.Security.PassportAuthenticationModule"),
    ("DefaultAuthentication", "System.Web.Security.DefaultAuthenticationModule"),
    ("RoleManager", "System.Web.Security.RoleManagerModule"),
    ("UrlAuthorization", "System.Web.Security.UrlAuthorizationModule"),
    ("FileAuthorization", "System.Web.Security.FileAuthorizationModule"),
    ("AnonymousIdentification", "System.Web.Security.AnonymousIdentificationModule"),
    ("Profile", "System.Web.Profile.ProfileModule"),
    ("UrlMappingsModule", "System.Web.UrlMappingsModule"),
    ("UrlRoutingModule-4.0", "System.Web.Routing.UrlRoutingModule"),
    ("UrlRoutingModule", "System.Web.Routing.UrlRoutingModule"),
    ("ScriptModule-4.0", "System.Web.Handlers.ScriptModule"),
    ("ServiceModel-4.0", "System.ServiceModel.Activation.ServiceHttpModule"),
    ("ServiceModel", "System.ServiceModel.Activation.HttpModule"),
    ("ErrorHandlerModule", "System.Web.Mobile.ErrorHandlerModule"),
    ("ConfigurationValidationModule", "System.Web.ConfigurationValidationModule"),
];

/// Default ISAPI filters: name → image.
pub const ISAPI_FILTERS: &[(&str, &str)] = &[
    ("ASP.Net_4.0_32bit", r"%windir%\Microsoft.NET\Framework\v4.0.30319\aspnet_filter.dll"),
    ("ASP.Net_4.0_64bit", r"%windir%\Microsoft.NET\Framework64\v4.0.30319\aspnet_filter.dll"),
    ("ASP.Net_2.0.50727.0", r"%windir%\Microsoft.NET\Framework\v2.0.50727\aspnet_filter.dll"),
    ("ASP.Net_2.0.50727-64", r"%windir%\Microsoft.NET\Framework64\v2.0.50727\aspnet_filter.dll"),
    // The default alias for .NET 1.1 applications (IIS 7.5, IIS Express): the same filter, preCondition v1.1.
    ("ASP.Net_2.0_for_v1.1", r"%windir%\Microsoft.NET\Framework\v2.0.50727\aspnet_filter.dll"),
];

/// Binaries that default handlers, restrictions, compression schemes and WebDAV stores point at. `*` matches
/// one path component (the .NET version folder).
pub const DEFAULT_BINARIES: &[&str] = &[
    r"%windir%\Microsoft.NET\Framework\*\aspnet_isapi.dll",
    r"%windir%\Microsoft.NET\Framework64\*\aspnet_isapi.dll",
    r"%windir%\System32\inetsrv\asp.dll",
    r"%windir%\System32\inetsrv\gzip.dll",
    r"%windir%\System32\inetsrv\webdav_simple_prop.dll",
    r"%windir%\System32\inetsrv\webdav_simple_lock.dll",
];

/// Default handlers that run a binary without naming one (the requested `.dll`/`.exe` itself).
pub const DEFAULT_HANDLERS: &[&str] = &["ISAPI-dll", "CGI-exe"];

/// A legitimate component that is not part of a default install.
pub struct ThirdParty {
    /// Product, as reported.
    pub product: &'static str,
    /// Component name (global module, filter), or `*` for restriction/handler entries matched on the image.
    pub name: &'static str,
    /// The image's file name.
    pub file: &'static str,
}

/// Known third-party components, matched on name and image file name. They are reported as non-default and
/// informational, never as malicious on the name alone; the location and signature rules still apply.
pub const THIRD_PARTY: &[ThirdParty] = &[
    ThirdParty { product: "IIS URL Rewrite", name: "RewriteModule", file: "rewrite.dll" },
    ThirdParty {
        product: "IIS Application Request Routing",
        name: "ApplicationRequestRouting",
        file: "requestRouter.dll",
    },
    ThirdParty { product: "ASP.NET Core Module", name: "AspNetCoreModule", file: "aspnetcore.dll" },
    ThirdParty { product: "ASP.NET Core Module V2", name: "AspNetCoreModuleV2", file: "aspnetcorev2.dll" },
    ThirdParty { product: "IIS HttpPlatformHandler", name: "httpPlatformHandler", file: "httpPlatformHandler.dll" },
    ThirdParty { product: "IIS Advanced Logging", name: "AdvancedLoggingModule", file: "AdvancedLogging.dll" },
    ThirdParty { product: "IIS Advanced Logging", name: "AdvancedLoggingModule", file: "AdvancedLoggingModule.dll" },
    ThirdParty { product: "IIS Advanced Logging", name: "ClientLoggingHandler", file: "ClientLoggingHandler.dll" },
    // IIS 7.5's Application Warm-Up, the forerunner of Application Initialization: the same warmup.dll.
    ThirdParty { product: "IIS Application Warm-Up", name: "AppWarmupModule", file: "warmup.dll" },
    ThirdParty { product: "IIS Express", name: "WebMatrixSupportModule", file: "webmatrixsup.dll" },
    ThirdParty { product: "iisnode", name: "iisnode", file: "iisnode.dll" },
    ThirdParty { product: "Windows RPC over HTTP Proxy", name: "PasswordExpiryModule", file: "RpcProxy.dll" },
    ThirdParty { product: "Windows RPC over HTTP Proxy", name: "*", file: "RpcProxy.dll" },
    ThirdParty { product: "Windows RPC over HTTP Proxy", name: "*", file: "RpcProxyShim.dll" },
    ThirdParty { product: "Windows Remote Management (IIS extension)", name: "WSMan", file: "wsmsvc.dll" },
    ThirdParty { product: "Microsoft Exchange", name: "kerbauth", file: "kerbauth.dll" },
    ThirdParty { product: "Microsoft Exchange", name: "exppw", file: "exppw.dll" },
    ThirdParty { product: "Microsoft Exchange", name: "cafe_exppw", file: "exppw.dll" },
    ThirdParty {
        product: "Microsoft Exchange",
        name: "Exchange OWA Cookie Authentication ISAPI Filter",
        file: "owaauth.dll",
    },
    ThirdParty { product: "Microsoft Exchange", name: "Exchange ActiveSync ISAPI Filter", file: "AirFilter.dll" },
    ThirdParty { product: "Microsoft Exchange", name: "*", file: "owaauth.dll" },
    ThirdParty { product: "Microsoft SharePoint", name: "SPNativeRequestModule", file: "spnativerequestmodule.dll" },
    ThirdParty { product: "IIS Compression", name: "*", file: "iiszlib.dll" },
    ThirdParty { product: "IIS Compression", name: "*", file: "iisbrotli.dll" },
];

/// Folders where IIS components are expected to live.
pub const EXPECTED_DIRS: &[&str] = &[
    r"%windir%\System32\inetsrv",
    r"%windir%\SysWOW64\inetsrv",
    r"%windir%\Microsoft.NET\Framework",
    r"%windir%\Microsoft.NET\Framework64",
    r"%ProgramFiles%",
    r"%ProgramFiles(x86)%",
];

pub use crate::model::USER_WRITABLE;

/// Folders only administrators (and the system) may write to on a default install: content served from them
/// cannot be planted by a web application's own account.
pub const ADMIN_ONLY_DIRS: &[&str] =
    &[r"%windir%\System32", r"%windir%\SysWOW64", r"%windir%\Microsoft.NET", r"%ProgramFiles%", r"%ProgramFiles(x86)%"];
