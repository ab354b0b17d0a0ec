using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace ScanGate.Policy;

/// <summary>What a policy file sets; null = not set (a flag or the default decides).</summary>
public sealed record PolicyDocument
{
    public RuleSet FailOn { get; init; } = RuleSet.Empty;

    public RuleSet WarnOn { get; init; } = RuleSet.Empty;

    public bool? IncludePotential { get; init; }

    public QidList? ExcludeQids { get; init; }

    public CveList? ExcludeCves { get; init; }

    public IReadOnlyList<PolicyExceptionEntry> Exceptions { get; init; } = [];
}

/// <summary>
/// Reads policy and exceptions files: YAML (JSON is accepted, it is YAML). Strict: an unknown key, a wrong type or an
/// invalid entry is a <see cref="PolicyConfigurationException"/> naming the file, the line and the value.
/// </summary>
public static class PolicyFile
{
    private const long MaxFileBytes = 4 * 1024 * 1024;
    private static readonly string[] TopKeys = ["fail_on", "warn_on", "include_potential", "exclude", "exceptions"];
    private static readonly string[] RuleKeys = ["severity", "severity_counts", "qids", "cves", "cvss2", "cvss3", "pci"];
    private static readonly string[] ExcludeKeys = ["qids", "cves"];
    private static readonly string[] ExceptionKeys = ["id", "qid", "cve", "hosts", "reason", "expires"];

    public static PolicyDocument Load(string path) => Parse(ReadFile(path, "policy file"), Path.GetFileName(path));

    public static IReadOnlyList<PolicyExceptionEntry> LoadExceptions(string path) =>
        ParseExceptions(ReadFile(path, "exceptions file"), Path.GetFileName(path));

    public static PolicyDocument Parse(string text, string origin)
    {
        var root = LoadRoot(text, origin);
        if (root is null)
        {
            throw new PolicyConfigurationException($"{origin}: the policy file is empty.");
        }

        var map = Mapping(root, origin, "the policy");
        CheckKeys(map, TopKeys, origin, string.Empty);
        var document = new PolicyDocument();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            document = key switch
            {
                "fail_on" => document with { FailOn = ParseRules(value, origin, "fail_on") },
                "warn_on" => document with { WarnOn = ParseRules(value, origin, "warn_on") },
                "include_potential" => document with { IncludePotential = Bool(value, origin, "include_potential") },
                "exclude" => ParseExclude(document, value, origin),
                "exceptions" => document with { Exceptions = ParseExceptionList(value, origin, "exceptions") },
                _ => document,
            };
        }

        return document;
    }

    /// <summary>An exceptions file: a list of entries, or a mapping with a single <c>exceptions</c> key.</summary>
    public static IReadOnlyList<PolicyExceptionEntry> ParseExceptions(string text, string origin)
    {
        var root = LoadRoot(text, origin);
        if (root is null)
        {
            return [];
        }

        if (root is YamlMappingNode map)
        {
            CheckKeys(map, ["exceptions"], origin, string.Empty);
            root = map.Children.Values.FirstOrDefault() ?? new YamlSequenceNode();
        }

        return ParseExceptionList(root, origin, "exceptions");
    }

    private static string ReadFile(string path, string what)
    {
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new PolicyConfigurationException($"The {what} \"{path}\" does not exist.");
            }

            if (info.Length > MaxFileBytes)
            {
                throw new PolicyConfigurationException($"The {what} \"{path}\" is larger than 4 MB.");
            }

            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new PolicyConfigurationException($"The {what} \"{path}\" cannot be read: {e.Message}", e);
        }
    }

    private static YamlNode? LoadRoot(string text, string origin)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            throw new PolicyConfigurationException(
                string.Create(CultureInfo.InvariantCulture, $"{origin} line {e.Start.Line}: not valid YAML/JSON: {e.InnerException?.Message ?? e.Message}"), e);
        }

        if (stream.Documents.Count > 1)
        {
            throw new PolicyConfigurationException($"{origin}: holds {stream.Documents.Count} YAML documents; give one.");
        }

        if (stream.Documents.Count == 0)
        {
            return null;
        }

        var root = stream.Documents[0].RootNode;
        return root is YamlScalarNode { Value: null or "" } ? null : root;
    }

    private static RuleSet ParseRules(YamlNode node, string origin, string path)
    {
        var map = Mapping(node, origin, path);
        CheckKeys(map, RuleKeys, origin, path + ".");
        var rules = new RuleSet();
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            var field = At(origin, value, $"{path}.{key}");
            rules = key switch
            {
                "severity" => rules with { Severity = RuleSet.ParseSeverity(Scalar(value, origin, $"{path}.{key}"), field) },
                "severity_counts" => rules with { SeverityCounts = ParseSeverityCounts(value, origin, $"{path}.{key}") },
                "qids" => rules with { Qids = QidList.FromEntries(Entries(value, origin, $"{path}.{key}"), field) },
                "cves" => rules with { Cves = CveList.FromEntries(Entries(value, origin, $"{path}.{key}"), field) },
                "cvss2" => rules with { Cvss2 = CvssScore.ParseThreshold(Scalar(value, origin, $"{path}.{key}"), field) },
                "cvss3" => rules with { Cvss3 = CvssScore.ParseThreshold(Scalar(value, origin, $"{path}.{key}"), field) },
                "pci" => rules with { Pci = Bool(value, origin, $"{path}.{key}") },
                _ => rules,
            };
        }

        return rules;
    }

    private static Dictionary<int, int> ParseSeverityCounts(YamlNode node, string origin, string path)
    {
        var map = Mapping(node, origin, path);
        var counts = new Dictionary<int, int>();
        foreach (var (keyNode, value) in map.Children)
        {
            var keyText = ((YamlScalarNode)keyNode).Value;
            var level = RuleSet.ParseSeverity(keyText, At(origin, keyNode, $"{path} key"));
            var countText = Scalar(value, origin, $"{path}.{level}");
            if (!int.TryParse(countText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count < 1)
            {
                throw new PolicyConfigurationException($"{At(origin, value, $"{path}.{level}")}: \"{countText}\" is not a count (expected a whole number of at least 1).");
            }

            counts[level] = count;
        }

        if (counts.Count == 0)
        {
            throw new PolicyConfigurationException($"{At(origin, node, path)}: is empty; give e.g. {{5: 1, 4: 3}} or leave it out.");
        }

        return counts;
    }

    private static PolicyDocument ParseExclude(PolicyDocument document, YamlNode node, string origin)
    {
        var map = Mapping(node, origin, "exclude");
        CheckKeys(map, ExcludeKeys, origin, "exclude.");
        foreach (var (keyNode, value) in map.Children)
        {
            var key = ((YamlScalarNode)keyNode).Value!;
            var field = At(origin, value, "exclude." + key);
            document = string.Equals(key, "qids", StringComparison.Ordinal)
                ? document with { ExcludeQids = QidList.FromEntries(Entries(value, origin, "exclude.qids"), field) }
                : document with { ExcludeCves = CveList.FromEntries(Entries(value, origin, "exclude.cves"), field) };
        }

        return document;
    }

    private static List<PolicyExceptionEntry> ParseExceptionList(YamlNode node, string origin, string path)
    {
        if (node is not YamlSequenceNode sequence)
        {
            throw new PolicyConfigurationException($"{At(origin, node, path)}: must be a list of entries (- qid: ..., reason: ..., expires: YYYY-MM-DD).");
        }

        var entries = new List<PolicyExceptionEntry>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var index = 0;
        foreach (var item in sequence.Children)
        {
            index++;
            var entryPath = string.Create(CultureInfo.InvariantCulture, $"{path}[{index}]");
            var entry = ParseExceptionEntry(item, origin, entryPath, index);
            if (!ids.Add(entry.Id))
            {
                throw new PolicyConfigurationException($"{At(origin, item, entryPath)}: id \"{entry.Id}\" is used twice.");
            }

            entries.Add(entry);
        }

        return entries;
    }

    private static PolicyExceptionEntry ParseExceptionEntry(YamlNode node, string origin, string path, int index)
    {
        var map = Mapping(node, origin, path);
        CheckKeys(map, ExceptionKeys, origin, path + ".");
        string? Get(string key) => map.Children.TryGetValue(new YamlScalarNode(key), out var v) ? Scalar(v, origin, $"{path}.{key}") : null;
        var where = At(origin, node, path);

        var qidText = Get("qid");
        var cveText = Get("cve");
        if ((qidText is null) == (cveText is null))
        {
            throw new PolicyConfigurationException($"{where}: give exactly one of qid or cve.");
        }

        long? qid = null;
        if (qidText is not null)
        {
            if (!long.TryParse(qidText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var q) || q < 1)
            {
                throw new PolicyConfigurationException($"{where}: qid \"{qidText}\" is not a QID (a positive whole number).");
            }

            qid = q;
        }

        var cve = cveText is null ? null : CveList.Normalize(cveText.Trim(), $"{where}: cve");
        var reason = Get("reason");
        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new PolicyConfigurationException($"{where}: reason is required (say why the finding is accepted).");
        }

        var expiresText = Get("expires");
        if (expiresText is null)
        {
            throw new PolicyConfigurationException($"{where}: expires is required (a date YYYY-MM-DD after which the exception stops applying).");
        }

        if (!DateOnly.TryParseExact(expiresText.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var expires))
        {
            throw new PolicyConfigurationException($"{where}: expires \"{expiresText}\" is not a date YYYY-MM-DD.");
        }

        var hosts = map.Children.TryGetValue(new YamlScalarNode("hosts"), out var hostsNode)
            ? Entries(hostsNode, origin, path + ".hosts").Select(h => h.Trim()).Where(h => h.Length > 0).ToList()
            : [];
        if (hostsNode is not null && hosts.Count == 0)
        {
            throw new PolicyConfigurationException($"{where}: hosts is empty; list hosts or leave it out to apply everywhere.");
        }

        var id = Get("id")?.Trim();
        return new PolicyExceptionEntry
        {
            Id = string.IsNullOrEmpty(id) ? string.Create(CultureInfo.InvariantCulture, $"EXC-{index}") : id,
            Qid = qid,
            Cve = cve,
            Hosts = hosts,
            Reason = reason.Trim(),
            Expires = expires,
            Origin = string.Create(CultureInfo.InvariantCulture, $"{origin} line {node.Start.Line}"),
        };
    }

    private static YamlMappingNode Mapping(YamlNode node, string origin, string path) =>
        node as YamlMappingNode ?? throw new PolicyConfigurationException($"{At(origin, node, path)}: must be a mapping of keys to values.");

    private static string Scalar(YamlNode node, string origin, string path) =>
        node is YamlScalarNode { Value: { } value }
            ? value
            : throw new PolicyConfigurationException($"{At(origin, node, path)}: must be a single value.");

    /// <summary>A list written as "a, b" or as a YAML sequence of values.</summary>
    private static IEnumerable<string> Entries(YamlNode node, string origin, string path) => node switch
    {
        YamlScalarNode scalar => (scalar.Value ?? string.Empty).Split(','),
        YamlSequenceNode sequence => sequence.Children.Select((item, i) => Scalar(item, origin, string.Create(CultureInfo.InvariantCulture, $"{path}[{i + 1}]"))).ToList(),
        _ => throw new PolicyConfigurationException($"{At(origin, node, path)}: must be a list (\"a, b\" or a YAML sequence)."),
    };

    private static bool Bool(YamlNode node, string origin, string path)
    {
        var text = Scalar(node, origin, path).Trim();
        if (string.Equals(text, "true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(text, "false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new PolicyConfigurationException($"{At(origin, node, path)}: \"{text}\" is not true or false.");
    }

    private static void CheckKeys(YamlMappingNode map, string[] allowed, string origin, string prefix)
    {
        foreach (var keyNode in map.Children.Keys)
        {
            var key = (keyNode as YamlScalarNode)?.Value;
            if (key is null || !allowed.Contains(key, StringComparer.Ordinal))
            {
                throw new PolicyConfigurationException(
                    $"{origin} line {keyNode.Start.Line}: unknown key \"{prefix}{key}\" (allowed: {string.Join(", ", allowed.Select(a => prefix + a))}).");
            }
        }
    }

    private static string At(string origin, YamlNode node, string path) =>
        string.Create(CultureInfo.InvariantCulture, $"{origin} line {node.Start.Line}: {path}");
}
