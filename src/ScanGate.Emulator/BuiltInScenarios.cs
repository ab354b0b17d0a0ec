namespace ScanGate.Emulator;

/// <summary>Scenarios that ship with the emulator, as YAML for <see cref="EmulatorOptions.ScenarioYaml"/>.</summary>
public static class BuiltInScenarios
{
    /// <summary>The demo subscription (user demo / demo) that <c>scangate demo</c> and <c>scangate emulator</c> use.</summary>
    public static string Demo => DefaultScenario.Yaml;

    /// <summary>
    /// The baseline timeline of docs/emulator.md: host 192.0.2.30 has a finding that comes, goes and comes back over
    /// its first three scans, QID 990001 is published 90 minutes after the start and QID 990002 changed then; host
    /// 192.0.2.40 (role payments-api/prod) moves to 192.0.2.41 four hours after the start.
    /// </summary>
    public const string Baseline = """
        users:
          - { username: demo, password: demo }
        subscription:
          company: ScanGate Demo Corp
          ips: [192.0.2.0/24]
        option_profiles:
          - { id: 90001, title: Initial Options, default: true }
        knowledge_base:
          entries:
            - qid: 990001
              title: Example Web Framework Remote Code Execution Vulnerability
              severity: 5
              category: Web Application
              published: +90m              # after scan 2 (+1h), before scan 3 (+2h)
              last_modified: +95m
              cves: [CVE-2026-9900001]
              cvss3_vector: CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
              software: [{ product: example_web_framework, vendor: example }]
              threat_intel: [Exploit_Public, Remote_Code_Execution]
            - qid: 990002
              title: Example TLS Library Weak Cipher Negotiation
              severity: 3
              published: -400d             # long known...
              last_modified: +90m          # ...but its detection changed between scan 2 and scan 3
              cvss3_vector: CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N
        hosts:
          - ip: 192.0.2.30
            dns: history01.example.test
            netbios: HISTORY01
            os: Ubuntu 22.04
            detections:
              - { qid: 376157, port: "8080", results: "log4j-core-2.14.1.jar" }              # every scan: New, Active, Active
              - { qid: 11827, port: "8080", results: "header missing", scans: [1, 3] }     # New, Fixed, Re-Opened
              - { qid: 990001, port: "8443", results: "framework 4.2.0" }                  # from the first scan after +90m
              - { qid: 990002, port: "443", ssl: true, scans: [3] }                        # found once its detection changed
              - { qid: 38739, port: "22", results: "diffie-hellman-group1-sha1" }
          - ip: 192.0.2.40
            dns: payments-1.example.test
            os: Amazon Linux 2023
            agent: true
            detections:
              - { qid: 42430, port: "443", ssl: true, results: "Heartbeat response leaked memory" }
              - { qid: 38628, port: "443", ssl: true, results: "TLSv1.0 is supported" }
            ip_changes:
              - { at: +4h, ip: 192.0.2.41, dns: payments-2.example.test }                 # same role, new instance
        """;
}
