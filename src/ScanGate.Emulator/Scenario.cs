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
        }

        foreach (var fault in Faults)
        {
            fault.Validate(source);
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
    public int Limit { get; set; } = 300;
    public int Window { get; set; } = 3600;
    public int Concurrency { get; set; } = 2;
}

public sealed class ScenarioOptionProfile
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public bool Default { get; set; }
    public bool Pci { get; set; }
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
}

public sealed class ScenarioDetection
{
    public long Qid { get; set; }
    public string? Port { get; set; }
    public string Protocol { get; set; } = "tcp";
    public bool Ssl { get; set; }
    public string? Results { get; set; }

    /// <summary>Confirmed | Potential (only for KB entries that may be either); null = the KB type.</summary>
    public string? Type { get; set; }

    /// <summary>1-based numbers of this host's scans that find it; empty = every scan (drives New/Active/Fixed/Re-Opened).</summary>
    public IList<int> Scans { get; set; } = [];
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
}

internal static class AccountStates
{
    public static readonly string[] All = ["active", "expired", "inactive", "registration_pending", "license"];

    public static string Parse(string value, string field) =>
        All.Contains(value, StringComparer.Ordinal)
            ? value
            : throw new ScenarioException($"{field}: invalid value '{value}' (expected one of {string.Join(", ", All)})");
}
