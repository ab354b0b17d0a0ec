using System.Globalization;

namespace ScanGate.Emulator;

/// <summary>One KnowledgeBase vulnerability (QID). CVSS vectors always agree with their scores.</summary>
internal sealed record KbEntry(
    long Qid,
    string VulnType,
    int Severity,
    string Title,
    string Category,
    DateTimeOffset Published,
    string[] Cves,
    double? CvssBase,
    double? CvssTemporal,
    string? CvssVector,
    double? Cvss3Base,
    double? Cvss3Temporal,
    string? Cvss3Vector,
    bool Pci,
    bool Patchable,
    string Threat,
    string Impact,
    string Solution,
    string? VendorReference,
    string? Exploitability,
    string? AssociatedMalware)
{
    /// <summary>The fetch JSON <c>type</c>: Vuln, Practice or Ig.</summary>
    public string FetchType(string? overrideType) => (overrideType ?? DefaultDetectionType) switch
    {
        "Potential" => "Practice",
        "Info" => "Ig",
        _ => "Vuln",
    };

    /// <summary>The host detection TYPE: Confirmed, Potential or Info.</summary>
    public string DefaultDetectionType => VulnType switch
    {
        "Potential Vulnerability" => "Potential",
        "Information Gathered" => "Info",
        _ => "Confirmed",
    };

    public static readonly string[] VulnTypes =
        ["Vulnerability", "Potential Vulnerability", "Vulnerability or Potential Vulnerability", "Information Gathered"];

    public bool IsIg => VulnType == "Information Gathered";

    /// <summary>SOFTWARE_LIST: product and vendor as the KB names them (lower case).</summary>
    public IReadOnlyList<(string Product, string Vendor)> Software { get; init; } = [];

    /// <summary>BUGTRAQ_LIST IDs (SecurityFocus BIDs).</summary>
    public IReadOnlyList<long> Bugtraq { get; init; } = [];

    /// <summary>THREAT_INTELLIGENCE tag IDs (see <see cref="ThreatIntelligence"/>), ascending.</summary>
    public IReadOnlyList<int> ThreatIntel { get; init; } = [];

    /// <summary>DISCOVERY/AUTH_TYPE_LIST; empty = no authenticated detection.</summary>
    public IReadOnlyList<string> AuthTypes { get; init; } = [];

    /// <summary>DISCOVERY/REMOTE: detectable without authentication.</summary>
    public bool Remote { get; init; } = true;

    public DateTimeOffset LastServiceModification { get; init; } = Published.AddDays(3);

    /// <summary>A scenario modification that becomes the LAST_SERVICE_MODIFICATION_DATETIME once its time has come.</summary>
    public DateTimeOffset? LaterModification { get; init; }

    /// <summary>Scenario entries exist only from their PUBLISHED_DATETIME on; built-in and synthetic ones always.</summary>
    public bool OnTimeline { get; init; }

    public bool IsPublishedAt(DateTimeOffset at) => !OnTimeline || Published <= at;

    public DateTimeOffset ServiceModifiedAt(DateTimeOffset now) =>
        LaterModification is { } later && later <= now ? later : LastServiceModification;
}

/// <summary>
/// Qualys threat-intelligence tags. IDs 2, 8 and 15 are recorded (demisto KB fixture); the others follow the
/// Qualys RTI list as the emulator models it.
/// </summary>
internal static class ThreatIntelligence
{
    private static readonly string[] ById =
    [
        "", "Zero_Day", "Exploit_Public", "Active_Attacks", "High_Lateral_Movement", "Easy_Exploit", "High_Data_Loss",
        "Denial_of_Service", "No_Patch", "Malware", "Exploit_Kit", "Wormable", "Predicted_High_Risk", "Privilege_Escalation",
        "Unauthenticated_Exploitation", "Remote_Code_Execution", "Ransomware", "Solorigate_Sunburst", "Cisa_Known_Exploited_Vulns",
    ];

    public static IEnumerable<string> Names => ById.Skip(1);

    public static string Name(int id) => ById[id];

    public static int? IdOf(string name)
    {
        var i = Array.IndexOf(ById, name);
        return i > 0 ? i : null;
    }

    public static int[] Ids(params string[] names) => [.. names.Select(n => IdOf(n)!.Value).Order()];
}

/// <summary>
/// A deterministic synthetic KnowledgeBase: a few well-known public vulnerabilities described by their public facts,
/// plus <c>size</c> seeded synthetic QIDs. Synthetic CVE IDs use 7-digit numbers starting with 99 so they do not
/// name real CVEs.
/// </summary>
internal sealed class KnowledgeBase
{
    private static readonly string[] Categories =
    [
        "Web server", "General remote services", "Windows", "Local", "Database", "CGI", "Debian", "Ubuntu", "RedHat",
        "SUSE", "Cisco", "Security Policy", "TCP/IP", "Firewall", "Mail services", "DNS and BIND", "Web Application",
        "Amazon Linux", "SMB / NETBIOS", "SNMP", "File Transfer Protocol", "Office Application",
    ];

    private static readonly string[] Products =
    [
        "openssl", "nginx", "apache2", "openssh", "bind9", "postgresql", "mysql", "php", "curl", "samba", "glibc",
        "sudo", "linux kernel", "libxml2", "python3", "tomcat", "jackson-databind", "spring-framework", "node.js", "git",
    ];

    private static readonly string[] Flaws =
    [
        "Buffer Overflow", "Denial of Service", "Remote Code Execution", "Information Disclosure", "Privilege Escalation",
        "Cross-Site Scripting", "SQL Injection", "Use-After-Free", "Authentication Bypass", "Path Traversal",
        "Integer Overflow", "Out-of-Bounds Read", "Server-Side Request Forgery", "Improper Certificate Validation",
    ];

    private readonly Dictionary<long, KbEntry> _byQid = [];

    public KnowledgeBase(int seed, int size, IEnumerable<ScenarioKbEntry>? scenarioEntries = null, DateTimeOffset start = default)
    {
        foreach (var entry in WellKnown())
        {
            _byQid[entry.Qid] = entry;
        }

        var random = new Random(seed);
        var qid = 100_000L;
        for (var i = 0; i < size; i++)
        {
            qid += 1 + random.Next(60);
            while (_byQid.ContainsKey(qid))
            {
                qid++;
            }

            _byQid[qid] = Synthetic(qid, random, seed);
        }

        foreach (var scenarioEntry in scenarioEntries ?? [])
        {
            _byQid[scenarioEntry.Qid] = FromScenario(scenarioEntry, start);
        }

        Sorted = [.. _byQid.Values.OrderBy(e => e.Qid)];
        // Generated detections draw only from QIDs that always exist, so a scenario timeline never leaks into them.
        Vulnerabilities = [.. Sorted.Where(e => !e.IsIg && !e.OnTimeline)];
    }

    private static KbEntry FromScenario(ScenarioKbEntry e, DateTimeOffset start)
    {
        var field = $"knowledge_base.entries[{e.Qid}]";
        var published = e.Published is null ? start.AddDays(-365) : ScenarioTime.Resolve(e.Published, start, field + ".published");
        var modified = e.LastModified is null ? (DateTimeOffset?)null : ScenarioTime.Resolve(e.LastModified, start, field + ".last_modified");
        double? v2 = e.CvssVector is null ? null : Cvss.V2Base(e.CvssVector);
        double? v3 = e.Cvss3Vector is null ? null : Cvss.V3Base(e.Cvss3Vector);
        var ig = e.VulnType == "Information Gathered";
        return new KbEntry(e.Qid, e.VulnType, e.Severity, e.Title, e.Category, published, [.. e.Cves],
            v2, v2 is { } b2 ? Math.Round(b2 * 0.86, 1) : null, e.CvssVector,
            v3, v3 is { } b3 ? Math.Round(b3 * 0.9, 1) : null, e.Cvss3Vector,
            Pci: e.Pci ?? (!ig && v3 >= 4.0), e.Patchable,
            e.Diagnosis ?? (ig ? "N/A" : $"{e.Title} (scenario QID)."),
            e.Consequence ?? (ig ? "N/A" : "Successful exploitation may affect the host."),
            e.Solution ?? (ig ? "N/A" : "Apply the vendor's update."), null, null, null)
        {
            Software = [.. e.Software.Select(x => (x.Product, x.Vendor))],
            Bugtraq = [.. e.Bugtraq],
            ThreatIntel = [.. e.ThreatIntel.Select(t => ThreatIntelligence.IdOf(t)!.Value).Distinct().Order()],
            AuthTypes = [.. e.AuthTypes],
            Remote = e.AuthTypes.Count == 0,
            LastServiceModification = published,
            LaterModification = modified,
            OnTimeline = true,
        };
    }

    public IReadOnlyList<KbEntry> Sorted { get; }

    public IReadOnlyList<KbEntry> Vulnerabilities { get; }

    public KbEntry? Find(long qid) => _byQid.GetValueOrDefault(qid);

    private static KbEntry Synthetic(long qid, Random random, int seed)
    {
        var roll = random.NextDouble();
        var vulnType = roll switch
        {
            < 0.15 => "Information Gathered",
            < 0.35 => "Potential Vulnerability",
            < 0.40 => "Vulnerability or Potential Vulnerability",
            _ => "Vulnerability",
        };
        var category = Categories[random.Next(Categories.Length)];
        var product = Products[random.Next(Products.Length)];
        var published = new DateTimeOffset(2015, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(random.Next(0, 11 * 365 * 24 * 60));
        if (vulnType == "Information Gathered")
        {
            var igSeverity = random.NextDouble() < 0.7 ? 1 : random.Next(2, 4);
            return WithExtras(new KbEntry(qid, vulnType, igSeverity, $"{Cap(product)} Detected Version and Configuration ({qid})", category,
                published, [], null, null, null, null, null, null, Pci: false, Patchable: false,
                $"The scanner collected information about {product}.", "N/A", "N/A", null, null, null), product, null, seed);
        }

        var (v3, v3Vector) = Cvss.RandomV3(random);
        var (v2, v2Vector) = Cvss.RandomV2(random);
        var severity = v3 switch { >= 9.0 => 5, >= 7.0 => 4, >= 4.0 => 3, >= 2.0 => 2, _ => 1 };
        if (random.NextDouble() < 0.1)
        {
            severity = Math.Clamp(severity + (random.Next(2) == 0 ? -1 : 1), 1, 5);
        }

        var cveCount = random.NextDouble() < 0.25 ? 0 : 1 + (random.NextDouble() < 0.3 ? random.Next(1, 6) : 0);
        var cves = new string[cveCount];
        for (var i = 0; i < cveCount; i++)
        {
            cves[i] = string.Create(CultureInfo.InvariantCulture, $"CVE-{published.Year}-99{random.Next(10000, 99999)}");
        }

        var flaw = Flaws[random.Next(Flaws.Length)];
        var title = category switch
        {
            "Debian" => $"Debian Security Update for {product} (DSA-{random.Next(4000, 6000)}-1)",
            "Ubuntu" => $"Ubuntu Security Notification for {Cap(product)} Vulnerabilities (USN-{random.Next(4000, 7000)}-1)",
            "RedHat" => $"Red Hat Update for {product} (RHSA-{published.Year}:{random.Next(1000, 9999)})",
            "Amazon Linux" => $"Amazon Linux Security Advisory for {product}: ALAS-{published.Year}-{random.Next(1000, 2999)}",
            _ => $"{Cap(product)} {flaw} Vulnerability",
        };
        var temporal = Math.Round(v3 * (0.86 + (random.NextDouble() * 0.1)), 1);
        var exploit = random.NextDouble() < 0.2 ? "Exploit available (synthetic reference)" : null;
        return WithExtras(new KbEntry(qid, vulnType, severity, title, category, published, cves,
            v2, Math.Round(v2 * 0.86, 1), v2Vector, v3, temporal, v3Vector,
            // PCI: CVSS >= 4.0 fails, except denial-of-service-only issues; SQLi and XSS always fail (PCI DSS ASV rules).
            Pci: (v3 >= 4.0 && !v3Vector.Contains("/C:N/I:N/", StringComparison.Ordinal)) || flaw is "SQL Injection" or "Cross-Site Scripting",
            Patchable: random.NextDouble() < 0.8,
            $"A {flaw.ToLowerInvariant()} issue affects {product}. <P>This is a synthetic KnowledgeBase entry.",
            $"Successful exploitation may affect the confidentiality, integrity or availability of the host.",
            $"Update {product} to the latest version provided by the vendor.",
            random.NextDouble() < 0.5 ? $"ADV-{qid}" : null, exploit, null), product, flaw, seed);
    }

    /// <summary>
    /// Software, Bugtraq, threat intelligence and discovery of a synthetic entry, derived from its own values and a
    /// per-QID random source: the main sequence (and so every QID, score and title) is unchanged by these fields.
    /// </summary>
    private static KbEntry WithExtras(KbEntry e, string product, string? flaw, int seed)
    {
        var random = new Random(unchecked((int)(e.Qid * 2_654_435_761L) ^ seed));
        var bugtraq = e.Published.Year < 2020 && !e.IsIg && random.NextDouble() < 0.4
            ? new long[] { random.Next(10_000, 110_000) }
            : [];
        var intel = new List<string>();
        if (!e.IsIg)
        {
            if (e.Exploitability is not null)
            {
                intel.Add("Exploit_Public");
            }

            if (!e.Patchable)
            {
                intel.Add("No_Patch");
            }

            if (e.Cvss3Vector is { } v3 && v3.Contains("/PR:N/", StringComparison.Ordinal))
            {
                intel.Add("Unauthenticated_Exploitation");
                if (v3.Contains("/AC:L/PR:N/UI:N/", StringComparison.Ordinal))
                {
                    intel.Add("Easy_Exploit");
                }
            }

            intel.AddRange(flaw switch
            {
                "Remote Code Execution" => ["Remote_Code_Execution"],
                "Denial of Service" => ["Denial_of_Service"],
                "Privilege Escalation" => ["Privilege_Escalation"],
                "Information Disclosure" => ["High_Data_Loss"],
                _ => [],
            });
            if (random.NextDouble() < 0.05)
            {
                intel.Add("Active_Attacks");
            }
        }

        var (remote, authTypes) = e.Category switch
        {
            "Local" or "Debian" or "Ubuntu" or "RedHat" or "SUSE" or "Amazon Linux" => (false, new[] { "Unix" }),
            "Windows" or "Office Application" => (false, ["Windows"]),
            "Database" => (true, random.Next(2) == 0 ? ["Oracle"] : ["MS_SQL"]),
            _ => random.NextDouble() < 0.3 ? (true, random.Next(2) == 0 ? ["Unix"] : ["Windows"]) : (true, []),
        };
        return e with
        {
            Software = [(product.Replace(' ', '_'), VendorOf(product))],
            Bugtraq = bugtraq,
            ThreatIntel = ThreatIntelligence.Ids([.. intel]),
            AuthTypes = authTypes,
            Remote = remote,
        };
    }

    private static string VendorOf(string product) => product switch
    {
        "apache2" or "tomcat" => "apache",
        "openssh" => "openbsd",
        "bind9" => "isc",
        "mysql" => "oracle",
        "curl" => "haxx",
        "glibc" => "gnu",
        "sudo" => "sudo_project",
        "linux kernel" => "linux",
        "libxml2" => "xmlsoft",
        "python3" => "python",
        "jackson-databind" => "fasterxml",
        "spring-framework" => "vmware",
        "node.js" => "nodejs",
        "nginx" => "f5",
        _ => product,
    };

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static IEnumerable<KbEntry> WellKnown()
    {
        static DateTimeOffset D(int y, int m, int d) => new(y, m, d, 0, 0, 0, TimeSpan.Zero);

        // Public facts (NVD): Log4Shell, CVE-2021-44228.
        yield return new KbEntry(376157, "Vulnerability", 5,
            "Apache Log4j Remote Code Execution (RCE) Vulnerability (Log4Shell)", "Local", D(2021, 12, 10),
            ["CVE-2021-44228"], 9.3, 8.1, "AV:N/AC:M/Au:N/C:C/I:C/A:C", 10.0, 9.5, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
            Pci: true, Patchable: true,
            "Apache Log4j2 2.0-beta9 through 2.15.0 (excluding 2.12.2, 2.12.3 and 2.3.1) JNDI features do not protect against attacker-controlled LDAP and other JNDI endpoints. An attacker who can control log messages can execute arbitrary code loaded from LDAP servers when message lookup substitution is enabled.",
            "Successful exploitation allows a remote, unauthenticated attacker to execute arbitrary code.",
            "Upgrade Apache Log4j to 2.17.1 (Java 8), 2.12.4 (Java 7) or 2.3.2 (Java 6) or later. <A HREF=\"https://logging.apache.org/log4j/2.x/security.html\" TARGET=\"_blank\">Apache Log4j security</A>",
            "apache-log4j", "Exploit available (public, e.g. Metasploit module)", null)
        {
            Software = [("log4j", "apache")],
            ThreatIntel = ThreatIntelligence.Ids("Exploit_Public", "Active_Attacks", "Easy_Exploit", "Unauthenticated_Exploitation", "Remote_Code_Execution", "Cisa_Known_Exploited_Vulns"),
            AuthTypes = ["Unix", "Windows"],
        };

        // Public facts (NVD): Heartbleed, CVE-2014-0160.
        yield return new KbEntry(42430, "Vulnerability", 4,
            "OpenSSL Memory Leak Vulnerability (Heartbleed Bug)", "General remote services", D(2014, 4, 8),
            ["CVE-2014-0160"], 5.0, 3.9, "AV:N/AC:L/Au:N/C:P/I:N/A:N", 7.5, 7.0, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
            Pci: true, Patchable: true,
            "The TLS and DTLS implementations in OpenSSL 1.0.1 before 1.0.1g do not properly handle Heartbeat Extension packets, which allows remote attackers to obtain sensitive information from process memory.",
            "An attacker can read up to 64 KB of server memory per request, including private keys.",
            "Upgrade to OpenSSL 1.0.1g or later, or recompile with -DOPENSSL_NO_HEARTBEATS.",
            "OpenSSL Security Advisory 20140407", "Exploit available (public)", null)
        {
            Software = [("openssl", "openssl")],
            Bugtraq = [66690],
            ThreatIntel = ThreatIntelligence.Ids("Exploit_Public", "Easy_Exploit", "High_Data_Loss", "Unauthenticated_Exploitation"),
            AuthTypes = ["Unix"],
        };

        // Public facts (NVD): OpenSSH user enumeration, CVE-2018-15473.
        yield return new KbEntry(38726, "Potential Vulnerability", 3,
            "OpenSSH Username Enumeration Vulnerability", "General remote services", D(2018, 8, 17),
            ["CVE-2018-15473"], 5.0, 4.1, "AV:N/AC:L/Au:N/C:P/I:N/A:N", 5.3, 4.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N",
            Pci: true, Patchable: true,
            "OpenSSH through 7.7 is prone to a user enumeration vulnerability due to not delaying bailout for an invalid authenticating user. The version was detected from the banner.",
            "A remote attacker can test whether a user name exists on the host.",
            "Upgrade OpenSSH to 7.8 or later.", null, null, null)
        {
            Software = [("openssh", "openbsd")],
            Bugtraq = [105140],
            ThreatIntel = ThreatIntelligence.Ids("Exploit_Public", "Unauthenticated_Exploitation"),
        };

        yield return new KbEntry(38628, "Vulnerability", 3,
            "SSL/TLS Server supports TLSv1.0", "General remote services", D(2018, 6, 1),
            [], null, null, null, null, null, null, Pci: true, Patchable: false,
            "The server accepts connections using TLSv1.0, which is deprecated (RFC 8996).",
            "An attacker may downgrade and attack connections that use weak protocol features.",
            "Disable TLSv1.0 and enable TLSv1.2 or later.", null, null, null)
        {
            ThreatIntel = ThreatIntelligence.Ids("No_Patch"),
        };

        yield return new KbEntry(38173, "Potential Vulnerability", 2,
            "SSL Certificate - Signature Verification Failed Vulnerability", "General remote services", D(2011, 5, 25),
            [], 9.4, 7.0, "AV:N/AC:L/Au:N/C:C/I:C/A:N", null, null, null, Pci: true, Patchable: false,
            "The certificate chain presented by the server could not be verified.",
            "Clients cannot authenticate the server; man-in-the-middle attacks become possible.",
            "Install a certificate issued by a trusted certificate authority.", null, null, null);

        yield return new KbEntry(11827, "Potential Vulnerability", 2,
            "HTTP Security Header Not Detected", "CGI", D(2017, 4, 12),
            [], null, null, null, null, null, null, Pci: false, Patchable: false,
            "The web server does not send the X-Content-Type-Options or Strict-Transport-Security header.",
            "Browsers may apply weaker protections to the site's content.",
            "Configure the web server to send the missing security headers.", null, null, null);

        yield return new KbEntry(38739, "Vulnerability", 1,
            "Deprecated SSH Cryptographic Settings", "General remote services", D(2019, 3, 6),
            [], null, null, null, null, null, null, Pci: false, Patchable: false,
            "The SSH server supports deprecated key exchange or cipher algorithms.",
            "Weak algorithms reduce the cost of attacks on the session.",
            "Disable deprecated algorithms in the SSH server configuration.", null, null, null)
        {
            Software = [("openssh", "openbsd")],
            AuthTypes = ["Unix"],
        };

        yield return new KbEntry(86000, "Information Gathered", 1, "Web Server Version", "Web server", D(2003, 4, 2),
            [], null, null, null, null, null, null, false, false, "N/A", "N/A", "N/A", null, null, null);
        yield return new KbEntry(6, "Information Gathered", 1, "DNS Host Name", "Information gathering", D(1999, 1, 1),
            [], null, null, null, null, null, null, false, false, "N/A", "N/A", "N/A", null, null, null);
        yield return new KbEntry(45038, "Information Gathered", 1, "Host Scan Time - Scanner", "Information gathering", D(2012, 7, 24),
            [], null, null, null, null, null, null, false, false, "N/A", "N/A", "N/A", null, null, null);
        yield return new KbEntry(82023, "Information Gathered", 1, "Open TCP Services List", "TCP/IP", D(2000, 1, 1),
            [], null, null, null, null, null, null, false, false, "N/A", "N/A", "N/A", null, null, null);
    }
}

/// <summary>CVSS v2 and v3.1 base-score formulas (FIRST specifications), so synthetic scores match their vectors.</summary>
internal static partial class Cvss
{
    public static bool IsV3Vector(string vector) => V3Pattern().IsMatch(vector);

    public static bool IsV2Vector(string vector) => V2Pattern().IsMatch(vector);

    [System.Text.RegularExpressions.GeneratedRegex(@"^CVSS:3\.[01]/AV:[NALP]/AC:[LH]/PR:[NLH]/UI:[NR]/S:[UC]/C:[HLN]/I:[HLN]/A:[HLN]$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex V3Pattern();

    [System.Text.RegularExpressions.GeneratedRegex(@"^AV:[LAN]/AC:[HML]/Au:[MSN]/C:[NPC]/I:[NPC]/A:[NPC]$", System.Text.RegularExpressions.RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial System.Text.RegularExpressions.Regex V2Pattern();

    public static (double Score, string Vector) RandomV3(Random random)
    {
        string[] av = ["N", "N", "N", "A", "L", "P"], ac = ["L", "L", "H"], pr = ["N", "N", "L", "H"], ui = ["N", "N", "R"],
            s = ["U", "U", "U", "C"], cia = ["H", "L", "L", "N", "N"];
        var vector = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["AV"] = Pick(random, av), ["AC"] = Pick(random, ac), ["PR"] = Pick(random, pr), ["UI"] = Pick(random, ui),
            ["S"] = Pick(random, s), ["C"] = Pick(random, cia), ["I"] = Pick(random, cia), ["A"] = Pick(random, cia),
        };
        if (vector["C"] == "N" && vector["I"] == "N" && vector["A"] == "N")
        {
            vector["C"] = "L";
        }

        var text = $"CVSS:3.1/AV:{vector["AV"]}/AC:{vector["AC"]}/PR:{vector["PR"]}/UI:{vector["UI"]}/S:{vector["S"]}/C:{vector["C"]}/I:{vector["I"]}/A:{vector["A"]}";
        return (V3Base(text), text);
    }

    public static double V3Base(string vector)
    {
        var m = vector.Split('/').Skip(1).Select(p => p.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var changed = m["S"] == "C";
        var av = m["AV"] switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, _ => 0.2 };
        var ac = m["AC"] == "L" ? 0.77 : 0.44;
        var pr = m["PR"] switch { "N" => 0.85, "L" => changed ? 0.68 : 0.62, _ => changed ? 0.5 : 0.27 };
        var ui = m["UI"] == "N" ? 0.85 : 0.62;
        static double Cia(string v) => v switch { "H" => 0.56, "L" => 0.22, _ => 0 };
        var iss = 1 - ((1 - Cia(m["C"])) * (1 - Cia(m["I"])) * (1 - Cia(m["A"])));
        var impact = changed ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        var exploitability = 8.22 * av * ac * pr * ui;
        if (impact <= 0)
        {
            return 0;
        }

        return RoundUp(Math.Min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
    }

    public static (double Score, string Vector) RandomV2(Random random)
    {
        string[] av = ["N", "N", "A", "L"], ac = ["L", "M", "H"], au = ["N", "N", "S", "M"], cia = ["C", "P", "P", "N"];
        var vector = $"AV:{Pick(random, av)}/AC:{Pick(random, ac)}/Au:{Pick(random, au)}/C:{Pick(random, cia)}/I:{Pick(random, cia)}/A:{Pick(random, cia)}";
        if (vector.EndsWith("C:N/I:N/A:N", StringComparison.Ordinal))
        {
            vector = vector.Replace("C:N/I:N/A:N", "C:P/I:N/A:N", StringComparison.Ordinal);
        }

        return (V2Base(vector), vector);
    }

    public static double V2Base(string vector)
    {
        var m = vector.Split('/').Select(p => p.Split(':')).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
        var av = m["AV"] switch { "L" => 0.395, "A" => 0.646, _ => 1.0 };
        var ac = m["AC"] switch { "H" => 0.35, "M" => 0.61, _ => 0.71 };
        var au = m["Au"] switch { "M" => 0.45, "S" => 0.56, _ => 0.704 };
        static double Cia(string v) => v switch { "C" => 0.660, "P" => 0.275, _ => 0 };
        var impact = 10.41 * (1 - ((1 - Cia(m["C"])) * (1 - Cia(m["I"])) * (1 - Cia(m["A"]))));
        var exploitability = 20 * av * ac * au;
        var f = impact == 0 ? 0 : 1.176;
        return Math.Round(((0.6 * impact) + (0.4 * exploitability) - 1.5) * f, 1, MidpointRounding.AwayFromZero);
    }

    private static double RoundUp(double value)
    {
        var i = (long)Math.Round(value * 100000);
        return i % 10000 == 0 ? i / 100000.0 : (Math.Floor(i / 10000.0) + 1) / 10.0;
    }

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}
