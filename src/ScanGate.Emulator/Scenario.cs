using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace ScanGate.Emulator;

/// <summary>A scenario: the subscription the emulator pretends to be. Loaded from YAML (snake_case keys).</summary>
public sealed class Scenario
{
    public IList<ScenarioUser> Users { get; set; } = [];
    public ScenarioSubscription Subscription { get; set; } = new();
    public ScenarioTimings Timings { get; set; } = new();
    public ScenarioLimits Limits { get; set; } = new();
    public IList<ScenarioOptionProfile> OptionProfiles { get; set; } = [];
    public IList<ScenarioScanner> Scanners { get; set; } = [];
    public IList<ScenarioNetwork> Networks { get; set; } = [];
    public IList<ScenarioHost> Hosts { get; set; } = [];
    public IList<ScenarioConnector> Connectors { get; set; } = [];
    public IList<FaultRule> Faults { get; set; } = [];
    public ScenarioKnowledgeBase KnowledgeBase { get; set; } = new();

    internal static readonly string[] TrackingMethods = ["IP", "DNS", "NETBIOS", "INSTANCE_ID", "QAGENT"];

    public static Scenario Parse(string yaml, string source)
    {
        var deserializer = new DeserializerBuilder()
            .WithNamingConvention(UnderscoredNamingConvention.Instance)
            .Build();
        Scenario? scenario;
        try
        {
            scenario = deserializer.Deserialize<Scenario>(yaml);
        }
        catch (YamlException ex)
        {
            // Unknown keys are refused (no IgnoreUnmatchedProperties): a misspelt fault must not silently do nothing.
            throw new ScenarioException($"{source}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        scenario ??= new Scenario();
        scenario.Validate(source);
        return scenario;
    }

    public static Scenario Load(EmulatorOptions options)
    {
        if (options.ScenarioYaml is not null)
        {
            return Parse(options.ScenarioYaml, "scenario");
        }

        if (options.ScenarioPath is not null)
        {
            if (!File.Exists(options.ScenarioPath))
            {
                throw new ScenarioException($"scenario: file not found: {options.ScenarioPath}");
            }

            return Parse(File.ReadAllText(options.ScenarioPath), options.ScenarioPath);
        }

        return Parse(DefaultScenario.Yaml, "built-in default scenario");
    }

    /// <summary>Places every timeline point on the clock and gives each host address its host record ID.</summary>
    internal void Resolve(DateTimeOffset start)
    {
        // Initial addresses keep the IDs they always had (1,000,000 + index); later addresses follow.
        var nextRecord = 1_000_000L + Hosts.Count;
        for (var i = 0; i < Hosts.Count; i++)
        {
            var host = Hosts[i];
            host.Identities.Clear();
            host.Identities.Add(new HostIdentity(DateTimeOffset.MinValue, host.Ip, host.Dns, host.Netbios, 1_000_000L + i));
            foreach (var change in host.IpChanges.OrderBy(c => ScenarioTime.Resolve(c.At, start, "at")))
            {
                host.Identities.Add(new HostIdentity(ScenarioTime.Resolve(change.At, start, "at"), change.Ip, change.Dns ?? host.Dns,
                    change.Netbios ?? host.Netbios, nextRecord++));
            }
        }
    }

    private void Validate(string source)
    {
        if (Users.Count == 0)
        {
            throw new ScenarioException($"{source}: users: at least one user is required");
        }

        foreach (var user in Users)
        {
            if (string.IsNullOrEmpty(user.Username) || user.Password is null)
            {
                throw new ScenarioException($"{source}: users: every user needs a username and a password");
            }

            _ = AccountStates.Parse(user.State, $"{source}: users[{user.Username}].state");
        }

        foreach (var range in Subscription.Ips)
        {
            if (!IpRange.TryParse(range, out _))
            {
                throw new ScenarioException($"{source}: subscription.ips: invalid IP, range or CIDR '{range}'");
            }
        }

        foreach (var host in Hosts)
        {
            if (!IpRange.TryParseAddress(host.Ip, out _))
            {
                throw new ScenarioException($"{source}: hosts: invalid ip '{host.Ip}'");
            }

            if (!TrackingMethods.Contains(host.TrackingMethod, StringComparer.Ordinal))
            {
                throw new ScenarioException($"{source}: hosts[{host.Ip}].tracking_method: invalid value '{host.TrackingMethod}' (expected one of {string.Join(", ", TrackingMethods)})");
            }

            foreach (var change in host.IpChanges)
            {
                if (!IpRange.TryParseAddress(change.Ip, out _))
                {
                    throw new ScenarioException($"{source}: hosts[{host.Ip}].ip_changes: invalid ip '{change.Ip}'");
                }

                _ = ScenarioTime.Resolve(change.At, DateTimeOffset.UnixEpoch, $"{source}: hosts[{host.Ip}].ip_changes[{change.Ip}].at");
            }

            foreach (var detection in host.Detections)
            {
                if (detection.Scans.Any(n => n < 1))
                {
                    throw new ScenarioException($"{source}: hosts[{host.Ip}].detections[{detection.Qid}].scans: scan numbers start at 1");
                }
            }
        }

        foreach (var entry in KnowledgeBase.Entries)
        {
            entry.Validate(source);
        }

        if (KnowledgeBase.Entries.GroupBy(e => e.Qid).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw new ScenarioException($"{source}: knowledge_base.entries: qid {duplicate.Key} is listed twice");
        }

        foreach (var fault in Faults)
        {
            fault.Validate(source);
        }

        Limits.Default.Validate($"{source}: limits.default");
        foreach (var (path, spec) in Limits.Paths)
        {
            spec.Validate($"{source}: limits.paths[{path}]");
        }

        foreach (var connector in Connectors)
        {
            if (!ConnectorStates.IsValidOutcome(connector.RunOutcome))
            {
                throw new ScenarioException($"{source}: connectors[{connector.Name}].run_outcome: invalid value '{connector.RunOutcome}' (FINISHED_SUCCESS, FINISHED_ERRORS, INCOMPLETE)");
            }
        }

        if (KnowledgeBase.Size < 0 || KnowledgeBase.Size > 200_000)
        {
            throw new ScenarioException($"{source}: knowledge_base.size: {KnowledgeBase.Size} is out of range 0..200000");
        }
    }
}

public sealed class ScenarioException(string message, Exception? inner = null) : Exception(message, inner);

public sealed class ScenarioUser
{
    public string Username { get; set; } = "";
    public string? Password { get; set; }

    /// <summary>active | expired (2001) | inactive (2002) | registration_pending (2003) | license (2012).</summary>
    public string State { get; set; } = "active";

    public IList<string> Modules { get; set; } = ["VM", "PC", "CA", "CS"];
    public string Role { get; set; } = "Manager";
    public string Name { get; set; } = "Demo User";
}

public sealed class ScenarioSubscription
{
    public string Company { get; set; } = "ScanGate Demo Corp";
    public IList<string> Ips { get; set; } = [];
    public bool Evaluation { get; set; }
    public bool KeepAliveComments { get; set; } = true;
    public bool RequireRequestedWith { get; set; } = true;

    /// <summary>Content type of JSON fetches: the real API sends application/json or text/html; charset=UTF-8.</summary>
    public string FetchContentType { get; set; } = "application/json";

    public string WebVersion { get; set; } = "10.35.0.0-1";
    public string ScannerVersion { get; set; } = "13.6.32-1";
    public string VulnsigsVersion { get; set; } = "2.6.212-3";
    public bool PciEnabled { get; set; } = true;
    public bool NetworksEnabled { get; set; } = true;
}

public sealed class ScenarioTimings
{
    public double Submitted { get; set; }
    public double Queued { get; set; } = 10;
    public double Running { get; set; } = 60;
    public double Loading { get; set; } = 5;
    public double Processing { get; set; } = 5;
    public double ConnectorQueued { get; set; } = 5;
    public double ConnectorRunning { get; set; } = 20;
    public double ConnectorProcessing { get; set; } = 5;
}

public sealed class ScenarioLimits
{
    public LimitSpec Default { get; set; } = new();

    /// <summary>Per API path (e.g. <c>/api/2.0/fo/scan/</c>); overrides <see cref="Default"/>.</summary>
    public IDictionary<string, LimitSpec> Paths { get; set; } = new Dictionary<string, LimitSpec>(StringComparer.OrdinalIgnoreCase);
}

public sealed class LimitSpec
{
    /// <summary>Calls allowed per window (<c>X-RateLimit-Limit</c>).</summary>
    public int Limit { get; set; } = 300;

    /// <summary>Rolling window in seconds of the virtual clock (<c>X-RateLimit-Window-Sec</c>).</summary>
    public int Window { get; set; } = 3600;

    /// <summary>Calls allowed at once (<c>X-Concurrency-Limit-Limit</c>).</summary>
    public int Concurrency { get; set; } = 2;

    internal void Validate(string field)
    {
        if (Limit < 1 || Window < 1 || Concurrency < 1)
        {
            throw new ScenarioException($"{field}: limit, window and concurrency must be at least 1 (got limit {Limit}, window {Window}, concurrency {Concurrency})");
        }
    }
}

public sealed class ScenarioOptionProfile
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public bool Default { get; set; }
    public bool Pci { get; set; }

    /// <summary>Authenticated scans: hosts get <c>LAST_VM_AUTH_SCANNED_DATE</c> in the host detection list.</summary>
    public bool Authenticated { get; set; }
}

public sealed class ScenarioScanner
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public long NetworkId { get; set; }
    public string Status { get; set; } = "Online";
    public string Type { get; set; } = "Virtual";
    public ScenarioEc2Info? Ec2 { get; set; }
}

public sealed class ScenarioEc2Info
{
    public string InstanceId { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string Region { get; set; } = "us-east-1";
    public string VpcId { get; set; } = "vpc-0demo";
    public string AmiId { get; set; } = "ami-0demo";
}

public sealed class ScenarioNetwork
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
}

public sealed class ScenarioHost
{
    public string Ip { get; set; } = "";
    public string? Dns { get; set; }
    public string? Netbios { get; set; }
    public string? Os { get; set; }
    public bool Alive { get; set; } = true;
    public IList<ScenarioDetection> Detections { get; set; } = [];

    /// <summary>Extra detections drawn deterministically from the KnowledgeBase (e.g. 100,000 for load tests).</summary>
    public GeneratedDetections? Generate { get; set; }

    /// <summary>A Cloud Agent is installed: the host detection list shows <c>QG_HOSTID</c>.</summary>
    public bool Agent { get; set; }

    /// <summary>Host detection <c>TRACKING_METHOD</c>: IP (default), DNS, NETBIOS, INSTANCE_ID, QAGENT.</summary>
    public string TrackingMethod { get; set; } = "IP";

    /// <summary>The same host (role, detections) answering on a new IP from a point on the virtual clock.</summary>
    public IList<ScenarioIpChange> IpChanges { get; set; } = [];

    /// <summary>The host's addresses over time, oldest first (resolved against the clock at start).</summary>
    internal List<HostIdentity> Identities { get; } = [];

    /// <summary>The identity (IP, names, host record) the host has at <paramref name="at"/>.</summary>
    internal HostIdentity IdentityAt(DateTimeOffset at)
    {
        var current = Identities[0];
        foreach (var identity in Identities)
        {
            if (identity.From <= at)
            {
                current = identity;
            }
        }

        return current;
    }
}

/// <summary>From <see cref="At"/> on, the host answers on <see cref="Ip"/> (its old IP no longer answers).</summary>
public sealed class ScenarioIpChange
{
    /// <summary>When: an offset from the emulator's start (<c>+2h</c>, <c>+90m</c>, <c>-1d</c>) or a UTC time (<c>2026-11-28T12:00:00Z</c>).</summary>
    public string At { get; set; } = "";
    public string Ip { get; set; } = "";
    public string? Dns { get; set; }
    public string? Netbios { get; set; }
}

/// <summary>One address of a host over time. Qualys tracks by IP: each address is its own host record (ID).</summary>
internal sealed record HostIdentity(DateTimeOffset From, string Ip, string? Dns, string? Netbios, long RecordId);

public sealed class ScenarioDetection
{
    public long Qid { get; set; }
    public string? Port { get; set; }
    public string Protocol { get; set; } = "tcp";
    public bool Ssl { get; set; }
    public string? Results { get; set; }

    /// <summary>Confirmed | Potential (only for KB entries that may be either); null = the KB type.</summary>
    public string? Type { get; set; }

    /// <summary>1-based numbers of this host's scans that find it; empty = every scan (drives New/Active/Fixed/Re-Opened).
    /// The count follows the host across IP changes.</summary>
    public IList<int> Scans { get; set; } = [];

    /// <summary>Ignored by a user: <c>IS_IGNORED 1</c>, listed only with <c>include_ignored=1</c>.</summary>
    public bool Ignored { get; set; }

    /// <summary>Disabled QID: <c>IS_DISABLED 1</c>, listed only with <c>include_disabled=1</c>.</summary>
    public bool Disabled { get; set; }
}

public sealed class GeneratedDetections
{
    public int Count { get; set; }
    public int Seed { get; set; } = 1;
}

public sealed class ScenarioConnector
{
    public long Id { get; set; }
    public string Name { get; set; } = "";
    public string AccountId { get; set; } = "";
    public string State { get; set; } = "FINISHED_SUCCESS";
    public bool Disabled { get; set; }

    /// <summary>How a run ends: FINISHED_SUCCESS, FINISHED_ERRORS or INCOMPLETE.</summary>
    public string RunOutcome { get; set; } = "FINISHED_SUCCESS";

    public string? LastError { get; set; }
    public IList<string> Regions { get; set; } = ["us-east-1"];
    public IList<ScenarioInstance> Instances { get; set; } = [];
}

public sealed class ScenarioInstance
{
    public string InstanceId { get; set; } = "";
    public string State { get; set; } = "RUNNING";
    public string Region { get; set; } = "us-east-1";

    /// <summary>The scanned IP: should be a scenario host so the scan has findings.</summary>
    public string Ip { get; set; } = "";
    public string? PublicIp { get; set; }
    public string InstanceType { get; set; } = "t3.medium";

    /// <summary>False: the subscription only learns of it when its connector finishes a run.</summary>
    public bool Known { get; set; } = true;
}

public sealed class ScenarioKnowledgeBase
{
    public int Seed { get; set; } = 20211210;
    public int Size { get; set; } = 5000;

    /// <summary>QIDs of this scenario (new ones, or replacing a built-in or synthetic QID), on the virtual clock.</summary>
    public IList<ScenarioKbEntry> Entries { get; set; } = [];
}

/// <summary>
/// A scenario QID. Before <see cref="Published"/> it is not in the KnowledgeBase and no scan launched earlier finds
/// it; <see cref="LastModified"/> becomes its <c>LAST_SERVICE_MODIFICATION_DATETIME</c> once that time has come.
/// </summary>
public sealed class ScenarioKbEntry
{
    public long Qid { get; set; }
    public string Title { get; set; } = "";
    public int Severity { get; set; } = 3;

    /// <summary>Vulnerability | Potential Vulnerability | Vulnerability or Potential Vulnerability | Information Gathered.</summary>
    public string VulnType { get; set; } = "Vulnerability";

    public string Category { get; set; } = "General remote services";

    /// <summary>An offset from the emulator's start (<c>+90m</c>, <c>-400d</c>) or a UTC time; default: long before the start.</summary>
    public string? Published { get; set; }

    /// <summary>A later service modification (same forms as <see cref="Published"/>).</summary>
    public string? LastModified { get; set; }

    public IList<string> Cves { get; set; } = [];

    /// <summary>CVSS v2 vector (<c>AV:N/AC:L/Au:N/C:P/I:P/A:P</c>); the score is computed from it.</summary>
    public string? CvssVector { get; set; }

    /// <summary>CVSS v3.1 vector (<c>CVSS:3.1/AV:N/…</c>); the score is computed from it.</summary>
    public string? Cvss3Vector { get; set; }

    /// <summary>Null: PCI follows the v3 score (≥ 4.0).</summary>
    public bool? Pci { get; set; }

    public bool Patchable { get; set; } = true;
    public string? Diagnosis { get; set; }
    public string? Consequence { get; set; }
    public string? Solution { get; set; }
    public IList<ScenarioSoftware> Software { get; set; } = [];
    public IList<long> Bugtraq { get; set; } = [];

    /// <summary>Threat intelligence tags by name (<c>Exploit_Public</c>, <c>No_Patch</c>, <c>Remote_Code_Execution</c>, …).</summary>
    public IList<string> ThreatIntel { get; set; } = [];

    /// <summary>DISCOVERY/AUTH_TYPE_LIST (Unix, Windows, …); empty = remote-only check.</summary>
    public IList<string> AuthTypes { get; set; } = [];

    internal void Validate(string source)
    {
        var field = $"{source}: knowledge_base.entries[{Qid}]";
        if (Qid <= 0)
        {
            throw new ScenarioException($"{source}: knowledge_base.entries: qid must be a positive number (got {Qid})");
        }

        if (string.IsNullOrWhiteSpace(Title))
        {
            throw new ScenarioException($"{field}.title: required");
        }

        if (Severity is < 1 or > 5)
        {
            throw new ScenarioException($"{field}.severity: invalid value {Severity} (1 to 5)");
        }

        if (!KbEntry.VulnTypes.Contains(VulnType, StringComparer.Ordinal))
        {
            throw new ScenarioException($"{field}.vuln_type: invalid value '{VulnType}' (expected one of {string.Join(", ", KbEntry.VulnTypes)})");
        }

        if (Published is not null)
        {
            _ = ScenarioTime.Resolve(Published, DateTimeOffset.UnixEpoch, $"{field}.published");
        }

        if (LastModified is not null)
        {
            _ = ScenarioTime.Resolve(LastModified, DateTimeOffset.UnixEpoch, $"{field}.last_modified");
        }

        if (CvssVector is not null && !Cvss.IsV2Vector(CvssVector))
        {
            throw new ScenarioException($"{field}.cvss_vector: invalid CVSS v2 vector '{CvssVector}' (e.g. AV:N/AC:L/Au:N/C:P/I:P/A:P)");
        }

        if (Cvss3Vector is not null && !Cvss.IsV3Vector(Cvss3Vector))
        {
            throw new ScenarioException($"{field}.cvss3_vector: invalid CVSS v3.1 vector '{Cvss3Vector}' (e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H)");
        }

        if (ThreatIntel.FirstOrDefault(t => ThreatIntelligence.IdOf(t) is null) is { } unknown)
        {
            throw new ScenarioException($"{field}.threat_intel: unknown tag '{unknown}' (expected one of {string.Join(", ", ThreatIntelligence.Names)})");
        }
    }
}

public sealed class ScenarioSoftware
{
    public string Product { get; set; } = "";
    public string Vendor { get; set; } = "";
}

internal static class AccountStates
{
    public static readonly string[] All = ["active", "expired", "inactive", "registration_pending", "license"];

    public static string Parse(string value, string field) =>
        All.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new ScenarioException($"{field}: invalid value '{value}' (expected one of {string.Join(", ", All)})");
}
