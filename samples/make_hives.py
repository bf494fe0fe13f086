#!/usr/bin/python3
"""Builds the SYSTEM and SOFTWARE hives of the sample IIS server (samples/hives/), with deliberate key times.

Run with Debian's /usr/bin/python3, which has python3-hivex:
    apt-get install python3-hivex openssl
    /usr/bin/python3 samples/make_hives.py

How: an empty hive (base block, one hive bin, a root key and its security cell) is written here from the
format specification, because hivex can open and extend a hive but not create one. Keys and values are added
with hivex. hivex stamps keys with the current time, so every key's last-write time is then set on purpose by
patching its nk cell (the FILETIME at cell offset 8); the base block's time and checksum are fixed too, so the
output is reproducible.

SOFTWARE is left dirty on purpose, as Windows leaves it on a running server: the attacker's root certificate
(a look-alike of Microsoft's) lives only in SOFTWARE.LOG1, a new-format transaction log (one HvLE entry with
Marvin32 hashes) that inetsift must replay to see it.
"""
import hashlib
import os
import struct
import subprocess
import sys

import hivex

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hives")

REG_SZ, REG_EXPAND_SZ, REG_BINARY, REG_DWORD, REG_MULTI_SZ = 1, 2, 3, 4, 7


def filetime(iso):
    """'2023-03-01T09:00:00' (UTC) -> FILETIME."""
    import calendar
    import time
    secs = calendar.timegm(time.strptime(iso, "%Y-%m-%dT%H:%M:%S"))
    return secs * 10_000_000 + 116444736000000000


BASE_TIME = filetime("2023-03-01T09:00:00")      # server installed
ATTACK = "2023-11-14T22:"                          # the intrusion, minutes given per key


def cell(payload):
    size = (4 + len(payload) + 7) & ~7
    return struct.pack("<i", -size) + payload + b"\0" * (size - 4 - len(payload))


def checksum(base):
    c = 0
    for (w,) in struct.iter_unpack("<I", bytes(base[:508])):
        c ^= w
    return {0: 1, 0xFFFFFFFF: 0xFFFFFFFE}.get(c, c)


def empty_hive(path, root_name):
    """A valid hive holding only its root key."""
    name = root_name.encode("ascii")
    nk_off = 0x20
    nk = (b"nk" + struct.pack("<H", 0x2C) + struct.pack("<Q", BASE_TIME) + struct.pack("<I", 0)
          + struct.pack("<I", 0xFFFFFFFF) + struct.pack("<II", 0, 0) + struct.pack("<II", 0xFFFFFFFF, 0xFFFFFFFF)
          + struct.pack("<II", 0, 0xFFFFFFFF))
    tail = lambda sk_off: (struct.pack("<I", sk_off) + struct.pack("<I", 0xFFFFFFFF)  # security, class name
                           + struct.pack("<IIIII", 0, 0, 0, 0, 0)  # largest names/data, workvar
                           + struct.pack("<HH", len(name), 0) + name)
    sk_off = nk_off + len(cell(nk + tail(0)))
    nk += tail(sk_off)
    # Self-relative security descriptor with a NULL DACL (SE_SELF_RELATIVE | SE_DACL_PRESENT).
    sd = struct.pack("<BBHIIII", 1, 0, 0x8004, 0, 0, 0, 0)
    sk = b"sk" + b"\0\0" + struct.pack("<IIII", sk_off, sk_off, 1, len(sd)) + sd
    cells = cell(nk) + cell(sk)
    free = 4096 - 0x20 - len(cells)
    hbin = b"hbin" + struct.pack("<II", 0, 4096) + b"\0" * 8 + struct.pack("<Q", BASE_TIME) + b"\0" * 4
    hbin += cells + struct.pack("<i", free) + b"\0" * (free - 4)
    base = bytearray(4096)
    base[0:4] = b"regf"
    struct.pack_into("<IIQIIIIIII", base, 4, 1, 1, BASE_TIME, 1, 5, 0, 1, nk_off, 4096, 1)
    fname = root_name.encode("utf-16-le")[:62]
    base[48:48 + len(fname)] = fname
    struct.pack_into("<I", base, 508, checksum(base))
    with open(path, "wb") as f:
        f.write(bytes(base) + hbin)


def sz(s):
    return s.encode("utf-16-le") + b"\0\0"


def value(name, t, data):
    if t in (REG_SZ, REG_EXPAND_SZ):
        data = sz(data)
    elif t == REG_DWORD:
        data = struct.pack("<I", data & 0xFFFFFFFF)
    elif t == REG_MULTI_SZ:
        data = b"".join(sz(s) for s in data) + b"\0\0"
    return {"key": name, "t": t, "value": data}


def build(path, root_name, keys):
    """keys: [(path, key time 'YYYY-mm-ddTHH:MM:SS' or None, [values])] in creation order."""
    empty_hive(path, root_name)
    h = hivex.Hivex(path, write=True)
    for kpath, _, values in keys:
        node = h.root()
        for part in kpath.split("\\"):
            child = h.node_get_child(node, part)
            node = child if child is not None else h.node_add_child(node, part)
        if values:
            h.node_set_values(node, [value(*v) for v in values])
    h.commit(path)
    set_times(path, {k: t for k, t, _ in keys})


def set_times(path, times):
    """Sets every key's last-write time: the given one, else the install time."""
    h = hivex.Hivex(path)
    offsets = {}

    def walk(node, prefix):
        offsets[prefix] = node
        for c in h.node_children(node):
            walk(c, (prefix + "\\" if prefix else "") + h.node_name(c))

    walk(h.root(), "")
    del h
    with open(path, "r+b") as f:
        for kpath, node in offsets.items():
            t = times.get(kpath)
            f.seek(node + 4)
            assert f.read(2) == b"nk"
            f.seek(node + 8)
            f.write(struct.pack("<Q", filetime(t) if t else BASE_TIME))
        f.seek(0)
        base = bytearray(f.read(4096))
        struct.pack_into("<IIQ", base, 4, 1, 1, BASE_TIME)
        struct.pack_into("<I", base, 508, checksum(base))
        f.seek(0)
        f.write(base)
        f.seek(4096 + 20)
        f.write(struct.pack("<Q", BASE_TIME))


def marvin32(data, seed=0x82EF4D887A4E55C5):
    lo, hi = seed & 0xFFFFFFFF, seed >> 32
    M = 0xFFFFFFFF
    rotl = lambda x, n: ((x << n) | (x >> (32 - n))) & M

    def mix(lo, hi):
        hi ^= lo
        lo = (rotl(lo, 20) + hi) & M
        hi = rotl(hi, 9) ^ lo
        lo = (rotl(lo, 27) + hi) & M
        hi = rotl(hi, 19)
        return lo, hi

    n = len(data) // 4 * 4
    for (w,) in struct.iter_unpack("<I", data[:n]):
        lo, hi = mix((lo + w) & M, hi)
    rest = data[n:]
    final = 0x80 << (8 * len(rest))
    for i, b in enumerate(rest):
        final |= b << (8 * i)
    lo, hi = mix((lo + final) & M, hi)
    lo, hi = mix(lo, hi)
    return (hi << 32) | lo


def make_dirty(clean_path, after_path, primary_out, log_out):
    """Primary = the clean hive marked dirty; LOG1 = one new-format entry holding every 4 KiB page that
    differs in the hive that includes the attacker's change."""
    before = open(clean_path, "rb").read()
    after = open(after_path, "rb").read()
    seq = 5
    bins = struct.unpack_from("<I", after, 40)[0]
    pages = []
    for off in range(0, bins, 4096):
        a = after[4096 + off:4096 + off + 4096]
        if before[4096 + off:4096 + off + 4096] != a:
            pages.append((off, a))
    refs = b"".join(struct.pack("<II", off, len(p)) for off, p in pages)
    body = refs + b"".join(p for _, p in pages)
    size = (40 + len(body) + 511) // 512 * 512
    body += b"\0" * (size - 40 - len(body))
    head = b"HvLE" + struct.pack("<IIIII", size, 0, seq, bins, len(pages))
    hash1 = marvin32(body)
    head += struct.pack("<Q", hash1)
    hash2 = marvin32(head)
    entry = head + struct.pack("<Q", hash2) + body
    # The primary: the clean hive, its write begun (primary sequence ahead of secondary), never finished.
    primary = bytearray(before)
    struct.pack_into("<II", primary, 4, seq + 1, seq)
    struct.pack_into("<I", primary, 508, checksum(primary))
    log_base = bytearray(primary[:512])
    struct.pack_into("<II", log_base, 4, seq + 1, seq + 1)
    struct.pack_into("<I", log_base, 28, 6)
    struct.pack_into("<I", log_base, 508, checksum(log_base))
    open(primary_out, "wb").write(bytes(primary))
    open(log_out, "wb").write(bytes(log_base) + entry)


def cert_blob(der):
    """A certificate store blob: SHA-1 property (3) then the certificate (32)."""
    sha1 = hashlib.sha1(der).digest()
    prop = lambda pid, data: struct.pack("<III", pid, 1, len(data)) + data
    return prop(3, sha1) + prop(32, der), sha1.hex().upper()


SYSTEM_KEYS = [
    ("Select", None, [("Current", REG_DWORD, 1), ("Default", REG_DWORD, 1), ("LastKnownGood", REG_DWORD, 1)]),
    ("ControlSet001\\Control\\ComputerName\\ComputerName", "2023-03-01T09:12:00", [("ComputerName", REG_SZ, "WEB01")]),
    ("ControlSet001\\Control\\TimeZoneInformation", "2023-03-01T09:13:00", [
        ("TimeZoneKeyName", REG_SZ, "W. Europe Standard Time"), ("StandardName", REG_SZ, "@tzres.dll,-321"),
        ("Bias", REG_DWORD, -60), ("ActiveTimeBias", REG_DWORD, -60)]),
    ("ControlSet001\\Services\\W3SVC", "2023-03-01T09:40:00", [
        ("DisplayName", REG_SZ, "World Wide Web Publishing Service"),
        ("ImagePath", REG_EXPAND_SZ, "%windir%\\system32\\svchost.exe -k iissvcs"),
        ("ObjectName", REG_SZ, "LocalSystem"), ("Start", REG_DWORD, 2), ("Type", REG_DWORD, 0x20)]),
    ("ControlSet001\\Services\\W3SVC\\Parameters", ATTACK + "05:00", [
        ("ServiceDll", REG_EXPAND_SZ, "%windir%\\system32\\inetsrv\\iisw3adm.dll")]),
    ("ControlSet001\\Services\\W3SVC\\Parameters\\Filters\\SessionFilter", ATTACK + "05:00", [
        ("FilterPath", REG_SZ, "C:\\Windows\\Temp\\sfilter.dll"), ("FilterDescription", REG_SZ, "session filter")]),
    ("ControlSet001\\Services\\WAS", "2023-03-01T09:40:00", [
        ("DisplayName", REG_SZ, "Windows Process Activation Service"),
        ("ImagePath", REG_EXPAND_SZ, "%windir%\\system32\\svchost.exe -k iissvcs"),
        ("ObjectName", REG_SZ, "LocalSystem"), ("Start", REG_DWORD, 3), ("Type", REG_DWORD, 0x20)]),
    ("ControlSet001\\Services\\WAS\\Parameters", "2023-03-01T09:40:00", [
        ("ServiceDll", REG_EXPAND_SZ, "%windir%\\system32\\inetsrv\\iisw3adm.dll")]),
    ("ControlSet001\\Services\\AppHostSvc", "2023-03-01T09:40:00", [
        ("DisplayName", REG_SZ, "Application Host Helper Service"),
        ("ImagePath", REG_EXPAND_SZ, "%windir%\\system32\\svchost.exe -k apphost"),
        ("ObjectName", REG_SZ, "localSystem"), ("Start", REG_DWORD, 2), ("Type", REG_DWORD, 0x20)]),
    ("ControlSet001\\Services\\AppHostSvc\\Parameters", "2023-03-01T09:40:00", [
        ("ServiceDll", REG_EXPAND_SZ, "%windir%\\system32\\inetsrv\\apphostsvc.dll")]),
    ("ControlSet001\\Services\\HTTP", "2023-03-01T09:05:00", [
        ("ImagePath", REG_EXPAND_SZ, "system32\\drivers\\HTTP.sys"), ("Start", REG_DWORD, 3), ("Type", REG_DWORD, 1)]),
]

SOFTWARE_KEYS = [
    ("Microsoft\\Windows NT\\CurrentVersion", "2023-03-01T09:02:00", [
        ("ProductName", REG_SZ, "Windows Server 2019 Standard"), ("ReleaseId", REG_SZ, "1809"),
        ("CurrentBuild", REG_SZ, "17763"), ("UBR", REG_DWORD, 4974), ("EditionID", REG_SZ, "ServerStandard"),
        ("SystemRoot", REG_SZ, "C:\\Windows"), ("InstallDate", REG_DWORD, 1677661200)]),
    ("Microsoft\\Windows\\CurrentVersion", "2023-03-01T09:02:00", [("ProgramFilesDir", REG_SZ, "C:\\Program Files")]),
    ("Microsoft\\InetStp", "2023-03-01T09:41:00", [
        ("MajorVersion", REG_DWORD, 10), ("MinorVersion", REG_DWORD, 0),
        ("InstallPath", REG_SZ, "C:\\Windows\\system32\\inetsrv"),
        ("PathWWWRoot", REG_EXPAND_SZ, "%SystemDrive%\\inetpub\\wwwroot"),
        ("SetupString", REG_SZ, "IIS 10.0"), ("VersionString", REG_SZ, "Version 10.0")]),
    ("Microsoft\\InetStp\\Components", "2023-03-01T09:41:00", [
        (n, REG_DWORD, 1) for n in ["W3SVC", "StaticContent", "DefaultDocument", "HttpErrors", "HttpLogging",
                                     "RequestFiltering", "ISAPIExtensions", "ISAPIFilter", "ASPNET45",
                                     "NetFxExtensibility45", "ManagementConsole"]]),
    ("Microsoft\\IIS Extensions\\URL Rewrite", "2023-03-02T10:15:00", [
        ("Install", REG_DWORD, 1), ("Version", REG_SZ, "7.2.1993")]),
    ("Microsoft\\Windows\\CurrentVersion\\Uninstall\\{9BCA2118-F753-4A1E-BCF3-5A820729965C}", "2023-03-02T10:15:00", [
        ("DisplayName", REG_SZ, "IIS URL Rewrite Module 2"), ("DisplayVersion", REG_SZ, "7.2.1993"),
        ("Publisher", REG_SZ, "Microsoft Corporation"), ("InstallDate", REG_SZ, "20230302")]),
    ("Microsoft\\SystemCertificates\\ROOT\\Certificates", "2023-03-01T09:02:00", []),
]


def rogue_root():
    """The attacker's root certificate, a look-alike of Microsoft's, and the code-signing certificate it issued.
    Made once with openssl and kept in samples/src with their (test-only) keys: fresh keys would change every
    byte of the hives and of the signed module. Returns the root's DER."""
    src = os.path.join(HERE, "src")
    root_pem, root_key = os.path.join(src, "rogue-root.pem"), os.path.join(src, "rogue-root.key")
    leaf_pem, leaf_key = os.path.join(src, "rogue-leaf.pem"), os.path.join(src, "rogue-leaf.key")
    run = lambda *a: subprocess.run(list(a), check=True, capture_output=True)
    if not os.path.exists(root_pem):
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", root_key, "-out", root_pem,
            "-days", "3650", "-subj", "/CN=Microsoft Root Certificate Authority 2011/O=Microsoft Corporation/C=US",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    if not os.path.exists(leaf_pem):
        csr, ext = os.path.join(OUT, "leaf.csr"), os.path.join(OUT, "leaf.ext")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", leaf_key, "-out", csr,
            "-subj", "/CN=Microsoft Windows/O=Microsoft Corporation/C=US")
        with open(ext, "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=codeSigning\n")
        run("openssl", "x509", "-req", "-in", csr, "-CA", root_pem, "-CAkey", root_key, "-set_serial", "0x1337",
            "-days", "3650", "-out", leaf_pem, "-extfile", ext)
        os.remove(csr)
        os.remove(ext)
    return run("openssl", "x509", "-in", root_pem, "-outform", "DER").stdout


def main():
    os.makedirs(OUT, exist_ok=True)
    build(os.path.join(OUT, "SYSTEM"), "ROOT", SYSTEM_KEYS)
    clean = os.path.join(OUT, "SOFTWARE.clean")
    after = os.path.join(OUT, "SOFTWARE.after")
    build(clean, "ROOT", SOFTWARE_KEYS)
    blob, thumb = cert_blob(rogue_root())
    root_key = "Microsoft\\SystemCertificates\\ROOT\\Certificates\\" + thumb
    build(after, "ROOT", SOFTWARE_KEYS + [(root_key, ATTACK + "01:00", [("Blob", REG_BINARY, blob)])])
    make_dirty(clean, after, os.path.join(OUT, "SOFTWARE"), os.path.join(OUT, "SOFTWARE.LOG1"))
    open(os.path.join(OUT, "SOFTWARE.LOG2"), "wb").close()
    os.remove(clean)
    os.remove(after)
    print("rogue root thumbprint", thumb)


if __name__ == "__main__":
    sys.exit(main())
