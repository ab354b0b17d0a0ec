namespace ScanGate.Emulator;

/// <summary>
/// The built-in scenario behind <c>scangate demo</c>. Targets are in 192.0.2.0/24 (RFC 5737 documentation range);
/// nothing is ever sent to them.
/// </summary>
internal static class DefaultScenario
{
    public const string Yaml = """
        users:
          - username: demo
            password: demo
            name: Demo User
            modules: [VM, PC, CA, CS]
        subscription:
          company: ScanGate Demo Corp
          ips: [192.0.2.0/24]
          keep_alive_comments: true
        timings:
          submitted: 2
          queued: 10
          running: 60
          loading: 5
          processing: 5
          connector_queued: 5
          connector_running: 20
          connector_processing: 5
        limits:
          default: { limit: 300, window: 3600, concurrency: 2 }
        option_profiles:
          - { id: 90001, title: Initial Options, default: true }
          - { id: 90002, title: Full Audit, authenticated: true }
          - { id: 90003, title: Payment Card Industry (PCI) Options, pci: true }
        networks:
          - { id: 1001, name: DMZ }
        scanners:
          - { id: 501, name: demo-appliance, network_id: 1001, status: Online }
          - id: 502
            name: demo-ec2-scanner
            status: Online
            type: Virtual
            ec2: { instance_id: i-0a1b2c3d4e5f60718, account_id: "123456789012", region: us-east-1 }
        hosts:
          - ip: 192.0.2.10
            dns: web01.demo.example
            netbios: WEB01
            os: Ubuntu 22.04
            agent: true
            detections:
              - { qid: 376157, port: "8080", results: "Vulnerable log4j-core-2.14.1.jar found in /opt/app/lib" }
              - { qid: 42430, port: "443", ssl: true, results: "Heartbeat response leaked 16384 bytes of memory" }
              - { qid: 38628, port: "443", ssl: true, results: "TLSv1.0 is supported" }
              - { qid: 38726, port: "22", results: "SSH-2.0-OpenSSH_7.4 detected on port 22 over TCP." }
              - { qid: 38173, port: "443", ssl: true, results: "Certificate #0 CN=web01.demo.example unable to get local issuer certificate" }
              - { qid: 11827, port: "8080", results: "X-Content-Type-Options: header missing", scans: [1, 3] }
              - { qid: 38739, port: "22", results: "diffie-hellman-group1-sha1" }
              - { qid: 86000, port: "8080", results: "Server Version\tServer Banner\nJetty 9.4\tJetty(9.4.43)" }
              - { qid: 6, results: "web01.demo.example" }
              - { qid: 45038, results: "Scan duration: 58 seconds" }
              - { qid: 82023, results: "Port\tService\n22\tssh\n443\thttps\n8080\thttp" }
          - ip: 192.0.2.11
            dns: clean01.demo.example
            os: Debian 12
            detections:
              - { qid: 6, results: "clean01.demo.example" }
              - { qid: 82023, results: "Port\tService\n22\tssh" }
          - ip: 192.0.2.20
            dns: ip-172-31-66-126.ec2.internal
            os: Amazon Linux 2023
            detections:
              - { qid: 42430, port: "443", ssl: true, results: "Heartbeat response leaked memory" }
              - { qid: 38628, port: "443", ssl: true, results: "TLSv1.0 is supported" }
          - ip: 192.0.2.22
            dns: ip-172-31-70-12.ec2.internal
            os: Amazon Linux 2023
            detections:
              - { qid: 38739, port: "22", results: "diffie-hellman-group1-sha1" }
          - ip: 192.0.2.99
            alive: false
        connectors:
          - id: 7001
            name: demo-aws
            account_id: "123456789012"
            state: FINISHED_SUCCESS
            regions: [us-east-1, eu-west-1]
            instances:
              - { instance_id: i-0123456789abcdef0, state: RUNNING, region: us-east-1, ip: 192.0.2.20, public_ip: 198.51.100.20 }
              - { instance_id: i-0fedcba9876543210, state: STOPPED, region: us-east-1, ip: 192.0.2.21 }
              - { instance_id: i-0aaaabbbbccccdddd, state: RUNNING, region: eu-west-1, ip: 192.0.2.22, known: false }
        knowledge_base:
          seed: 20211210
          size: 5000
        """;
}
