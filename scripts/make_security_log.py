#!/usr/bin/env python3
"""Write the events of a large server Security log as JSON for examples/mkevtx (benchmarks, docs/benchmarks.md).

    python3 scripts/make_security_log.py OUT.json RECORDS

A realistic mix for an IIS server with process and object auditing on: network logons and logoffs (4624, 4634),
special privileges (4672), process starts (4688), file access by a backup agent (4663), inbound connections
accepted by HTTP.sys (5156, process System), NTLM validations (4776). Four process starts hide among them at 1/5,
2/5, 3/5 and 4/5 of the log: w3wp.exe starting cmd.exe (a web shell), which a scan must find.
"""
import json, sys, datetime
n = int(sys.argv[2])
S = "S-1-5-21-3623811015-3361044348-30300820-1013"
def ev(i, eid, data, task):
    t = datetime.datetime.fromtimestamp(1700000000 + i // 3, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{i % 1000:03d}Z"
    return {"record_id": i + 1, "time": t, "provider": "Microsoft-Windows-Security-Auditing",
            "guid": "{54849625-5478-4994-A5BA-3E3B0328C30D}", "channel": "Security", "event_id": eid,
            "task": task, "keywords": 0, "computer": "WEB01.contoso.local", "data": data}
mix = []
def logon(i):
    return ev(i, 4624, [["SubjectUserSid", "S-1-5-18"], ["SubjectUserName", "WEB01$"], ["SubjectDomainName", "CONTOSO"],
        ["SubjectLogonId", {"u64": 999}], ["TargetUserSid", S], ["TargetUserName", "svc_app%d" % (i % 7)],
        ["TargetDomainName", "CONTOSO"], ["TargetLogonId", {"u64": 0x3e7 + i}], ["LogonType", {"u32": 3}],
        ["LogonProcessName", "Kerberos"], ["AuthenticationPackageName", "Kerberos"], ["WorkstationName", "-"],
        ["LogonGuid", "{00000000-0000-0000-0000-000000000000}"], ["TransmittedServices", "-"], ["LmPackageName", "-"],
        ["KeyLength", {"u32": 0}], ["ProcessId", {"u64": 0}], ["ProcessName", "-"], ["IpAddress", "10.0.%d.%d" % (i % 250, i % 200)],
        ["IpPort", "%d" % (40000 + i % 20000)]], 12544)
def logoff(i):
    return ev(i, 4634, [["TargetUserSid", S], ["TargetUserName", "svc_app%d" % (i % 7)], ["TargetDomainName", "CONTOSO"],
        ["TargetLogonId", {"u64": 0x3e7 + i}], ["LogonType", {"u32": 3}]], 12545)
def special(i):
    return ev(i, 4672, [["SubjectUserSid", "S-1-5-18"], ["SubjectUserName", "SYSTEM"], ["SubjectDomainName", "NT AUTHORITY"],
        ["SubjectLogonId", {"u64": 999}], ["PrivilegeList", "SeAssignPrimaryTokenPrivilege\r\n\t\t\tSeTcbPrivilege\r\n\t\t\tSeSecurityPrivilege"]], 12548)
def proc(i, hidden=False):
    image, cmd, parent = [(r"C:\Windows\System32\svchost.exe", "svchost.exe -k netsvcs -p", r"C:\Windows\System32\services.exe"),
                          (r"C:\Windows\System32\conhost.exe", r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1", r"C:\Windows\System32\cmd.exe"),
                          (r"C:\Program Files\Agent\agent.exe", r'"C:\Program Files\Agent\agent.exe" --poll', r"C:\Windows\System32\services.exe")][i % 3]
    if hidden:
        image, cmd, parent = r"C:\Windows\System32\cmd.exe", "cmd.exe /c whoami", r"C:\Windows\System32\inetsrv\w3wp.exe"
    return ev(i, 4688, [["SubjectUserSid", "S-1-5-18"], ["SubjectUserName", "WEB01$"], ["SubjectDomainName", "CONTOSO"],
        ["SubjectLogonId", {"u64": 999}], ["NewProcessId", {"u64": 4000 + i % 9000}], ["NewProcessName", image],
        ["TokenElevationType", "%%1936"], ["ProcessId", {"u64": 600}], ["CommandLine", cmd], ["TargetUserSid", "S-1-0-0"],
        ["TargetUserName", "-"], ["TargetDomainName", "-"], ["TargetLogonId", {"u64": 0}], ["ParentProcessName", parent],
        ["MandatoryLabel", "S-1-16-16384"]], 13312)
def objaccess(i):
    return ev(i, 4663, [["SubjectUserSid", S], ["SubjectUserName", "svc_app1"], ["SubjectDomainName", "CONTOSO"],
        ["SubjectLogonId", {"u64": 0x3e7 + i}], ["ObjectServer", "Security"], ["ObjectType", "File"],
        ["ObjectName", r"C:\inetpub\wwwroot\App_Data\cache\item%d.dat" % (i % 5000)], ["HandleId", {"u64": 0x1a4 + i % 100}],
        ["AccessList", "%%4416"], ["AccessMask", {"u32": 1}], ["ProcessId", {"u64": 4404}],
        ["ProcessName", r"C:\Program Files\Backup\bkagent.exe"], ["ResourceAttributes", "S:AI"]], 12800)
def wfp(i):
    return ev(i, 5156, [["ProcessID", {"u64": 4}], ["Application", "System"],
        ["Direction", "%%14592"], ["SourceAddress", "10.0.%d.%d" % (i % 250, i % 200)], ["SourcePort", "%d" % (40000 + i % 20000)],
        ["DestAddress", "10.0.0.5"], ["DestPort", "443"], ["Protocol", {"u32": 6}], ["FilterRTID", {"u64": 68223}],
        ["LayerName", "%%14610"], ["LayerRTID", {"u64": 44}], ["RemoteUserID", "S-1-0-0"], ["RemoteMachineID", "S-1-0-0"]], 12810)
def ntlm(i):
    return ev(i, 4776, [["PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0"], ["TargetUserName", "svc_app%d" % (i % 7)],
        ["Workstation", "WKS%03d" % (i % 300)], ["Status", {"u32": 0}]], 14336)
kinds = [logon, logon, logoff, logoff, special, proc, objaccess, objaccess, wfp, wfp, wfp, ntlm]
out = open(sys.argv[1], "w")
out.write("[")
hidden_at = {n // 5, 2 * n // 5, 3 * n // 5, 4 * n // 5}
for i in range(n):
    if i: out.write(",")
    e = proc(i, True) if i in hidden_at else kinds[i % len(kinds)](i)
    out.write(json.dumps(e))
out.write("]")
