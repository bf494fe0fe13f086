//! What a binary is: PE facts, its Authenticode verdict, and the binary as examined in the evidence.

use super::{Timestamp, WinPath};
use serde::Serialize;
use std::collections::BTreeMap;

named_enum! {
    /// What the exports (and the CLR header) say a binary is.
    pub enum PeKind {
        /// Exports `RegisterModule`: an IIS 7+ native module.
        NativeModule = "native_module",
        /// Exports `GetFilterVersion` and `HttpFilterProc`.
        IsapiFilter = "isapi_filter",
        /// Exports `GetExtensionVersion` and `HttpExtensionProc`.
        IsapiExtension = "isapi_extension",
        /// Has a CLR header: a .NET assembly (managed module candidate).
        ManagedAssembly = "managed_assembly",
        /// None of the above.
        Other = "other",
    }
}

/// One section.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    /// Name (`.text`), lossy.
    pub name: String,
    /// Virtual size.
    pub virtual_size: u32,
    /// Size on disk.
    pub raw_size: u32,
    /// Shannon entropy of the raw bytes, 0–8 bits per byte (above ~7.2: packed or encrypted).
    pub entropy: f64,
}

/// What the .NET metadata of a managed assembly says.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ManagedAssembly {
    /// Assembly name.
    pub name: Option<String>,
    /// Assembly version.
    pub version: Option<String>,
    /// Public key token computed from its public key (lower-case hex); `null` when not strong-named.
    pub public_key_token: Option<String>,
    /// Types it defines (full names).
    pub types: Vec<String>,
    /// Types implementing `IHttpModule`, `IHttpHandler` or `IHttpAsyncHandler` (`Class : Interface`).
    pub handlers: Vec<String>,
    /// Assemblies it references (`Name, Version=..., PublicKeyToken=...`).
    pub references: Vec<String>,
    /// Framework members it calls that an implant needs, in words.
    pub notable: Vec<String>,
}

/// Facts about one PE file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PeFacts {
    /// `x64`, `x86`, `arm64`, ... or the raw value.
    pub machine: String,
    /// PE32+ (64-bit image).
    pub pe32_plus: bool,
    /// Whether the image is a DLL.
    pub dll: bool,
    /// Header `TimeDateStamp` (seconds since 1970; often zeroed or forged).
    pub timestamp: u32,
    /// `SizeOfImage`.
    pub image_size: u32,
    /// The export directory's DLL name.
    pub export_name: Option<String>,
    /// Exported names, sorted.
    pub exports: Vec<String>,
    /// Imported DLLs, lower case, sorted.
    pub imported_dlls: Vec<String>,
    /// Imports worth a look in an IIS component (process creation, injection, networking, crypto), sorted.
    pub imports_of_interest: Vec<String>,
    /// VERSIONINFO strings (CompanyName, FileDescription, FileVersion, ProductName, OriginalFilename,
    /// InternalName, LegalCopyright) of the first language.
    pub version: BTreeMap<String, String>,
    /// MD5 of the file.
    pub md5: String,
    /// SHA-1 of the file.
    pub sha1: String,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Import hash (pefile's algorithm: ordinals of ws2_32, wsock32 and oleaut32 named, others `ordN`).
    pub imphash: Option<String>,
    /// .NET: the metadata's runtime version (`v4.0.30319`), when there is a CLR header.
    pub clr_runtime: Option<String>,
    /// Sections.
    pub sections: Vec<Section>,
    /// .NET: what its metadata says, when it is a readable managed assembly.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub managed: Option<ManagedAssembly>,
    /// What the exports say the binary is.
    pub kind: PeKind,
    /// Every IIS entry point role found (several is itself suspicious).
    pub roles: Vec<PeKind>,
    /// Parts that could not be read (a damaged resource or import table); the rest stands.
    pub problems: Vec<String>,
}

named_enum! {
    /// What a file's signature status is.
    pub enum Status {
        /// Intact, chains to a trusted root, code-signing EKU, valid at the time used.
        Valid = "valid",
        /// Not embedded-signed, but a catalog that verifies lists its hash.
        CatalogSigned = "catalog_signed",
        /// Intact, but the leaf was not valid at the time used.
        Expired = "expired",
        /// Intact and trusted, but the leaf may not sign code.
        WrongEku = "wrong_eku",
        /// Intact, but the chain ends at a root no trust set holds.
        UntrustedRoot = "untrusted_root",
        /// Intact, signed by a certificate that signed itself.
        SelfSigned = "self_signed",
        /// The signature over the signed content does not verify.
        BadSignature = "bad_signature",
        /// The file's hash is not the one signed: the file changed after signing.
        BadDigest = "bad_digest",
        /// A signature is there but cannot be read.
        Malformed = "malformed",
        /// No signature, and no catalog vouches for it.
        Unsigned = "unsigned",
    }
}

/// One embedded signature.
#[derive(Clone, Debug, Serialize)]
pub struct SignatureReport {
    /// 0 for the primary signature, then nested ones in order.
    pub index: usize,
    /// This signature's verdict.
    pub status: Status,
    /// Why.
    pub reason: String,
    /// File digest algorithm (`sha256`, `sha1`, `md5`).
    pub digest_algorithm: Option<String>,
    /// Leaf subject.
    pub subject: Option<String>,
    /// Leaf issuer.
    pub issuer: Option<String>,
    /// Leaf serial number (hex).
    pub serial: Option<String>,
    /// Publisher: the leaf's organisation, else its common name.
    pub publisher: Option<String>,
    /// SpcSpOpusInfo program name.
    pub program_name: Option<String>,
    /// The verified chain, leaf first (subjects), when one was built.
    pub chain: Vec<String>,
    /// The root the chain ends at.
    pub root: Option<String>,
    /// Which trust set anchors it.
    pub trusted_by: Option<TrustAnchor>,
    /// Countersignature (timestamp) time, UTC.
    pub signed_at: Option<Timestamp>,
    /// Countersignature status, when there is one.
    pub countersignature: Option<String>,
    /// Which time the certificates were judged at: `countersignature` or `scan time`.
    pub time_used: TimeUsed,
}

/// The verdict on one file.
#[derive(Clone, Debug, Serialize)]
pub struct Verdict {
    /// The file's status (the primary signature's, unless a nested one does better; tampering always wins).
    pub status: Status,
    /// Publisher of the deciding signature.
    pub publisher: Option<String>,
    /// Its root.
    pub root: Option<String>,
    /// Which trust set anchors it.
    pub trusted_by: Option<TrustAnchor>,
    /// Its countersignature time.
    pub signed_at: Option<Timestamp>,
    /// The time its certificates were judged at.
    pub time_used: Option<TimeUsed>,
    /// Plain reason.
    pub reason: String,
    /// Authenticode SHA-1 of the file (what catalogs list).
    pub authenticode_sha1: Option<String>,
    /// Authenticode SHA-256 of the file.
    pub authenticode_sha256: Option<String>,
    /// Every embedded signature.
    pub signatures: Vec<SignatureReport>,
}

/// One binary examined.
#[derive(Clone, Debug, Serialize)]
pub struct Binary {
    /// Evidence id.
    pub evidence: String,
    /// Path inside the evidence, as the evidence spells it.
    pub path: WinPath,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the file.
    pub sha256: String,
    /// Whether it lies in `System32\inetsrv` (or `SysWOW64\inetsrv`).
    pub in_inetsrv: bool,
    /// Components that reference it.
    pub components: Vec<String>,
    /// PE facts, or why there are none.
    pub pe: Option<PeFacts>,
    /// Why the file is not a readable PE.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The signature verdict (embedded signatures, then catalogs).
    pub signature: Option<Verdict>,
    /// The catalog that lists it, when one does.
    pub catalog: Option<String>,
}

named_enum! {
    /// The set of roots that anchors a signature's chain.
    pub enum TrustAnchor {
        /// Microsoft's Trusted Root Program, shipped with inetsift.
        MicrosoftRootProgram = "microsoft_root_program",
        /// The evidence host's own `ROOT`/`AuthRoot` stores (from its SOFTWARE hive).
        HostRootStore = "host_root_store",
        /// Roots the analyst gave with `--trust`.
        User = "user",
    }
}

named_enum! {
    /// The time a signature's certificates were judged at.
    pub enum TimeUsed {
        /// The countersigned (timestamp) time.
        Countersignature = "countersignature",
        /// The time of the scan: no trustworthy countersignature.
        ScanTime = "scan time",
        /// The `ctlThisUpdate` of the catalog that lists the file.
        CatalogUpdate = "catalog ctlThisUpdate",
    }
}

/// The verdict on one file, as `verify --json` writes it: the file's identity, then the verdict's fields
/// (`status`, `publisher`, `root`, `trusted_by`, `signed_at`, `time_used`, `reason`, `signatures`...).
#[derive(Clone, Debug, Serialize)]
pub struct FileVerdict {
    /// The path given.
    pub file: String,
    /// SHA-256 of the file (empty when it could not be read).
    pub sha256: String,
    /// What the exports say the file is; `null` when it is not a PE.
    pub pe_kind: Option<PeKind>,
    /// The catalog that lists the file, when one does.
    pub catalog: Option<String>,
    /// The verdict.
    #[serde(flatten)]
    pub verdict: Verdict,
}
