using System.Globalization;

namespace ScanGate.Policy;

/// <summary>Counters of one rule set over the judged rows.</summary>
internal sealed class RuleAccumulator
{
    private const int ListedInReason = 20;

    private readonly RuleSet _rules;
    private readonly long[] _bySeverity = new long[6];
    private readonly HashSet<long> _qids = [];
    private readonly HashSet<string> _cves = new(StringComparer.Ordinal);
    private long _severityFound;
    private long _cvss2Found;
    private long _cvss3Found;
    private long _pciFound;

    public RuleAccumulator(RuleSet rules, string name)
    {
        _rules = rules;
        Name = name;
    }

    public string Name { get; }

    public CriterionSet Apply(FindingEvaluation finding)
    {
        var matched = CriterionSet.None;
        _bySeverity[finding.Severity]++;
        if (_rules.Severity is { } severity && finding.Severity >= severity)
        {
            _severityFound++;
            matched |= CriterionSet.Severity;
        }

        if (_rules.SeverityCounts is { } counts && counts.ContainsKey(finding.Severity))
        {
            matched |= CriterionSet.SeverityCounts;
        }

        if (_rules.Qids is { } qids && qids.Contains(finding.Detection.Qid))
        {
            _qids.Add(finding.Detection.Qid);
            matched |= CriterionSet.Qids;
        }

        if (_rules.Cves is { } cves)
        {
            foreach (var cve in finding.Cves)
            {
                if (cves.Contains(cve))
                {
                    _cves.Add(cve.ToUpperInvariant());
                    matched |= CriterionSet.Cves;
                }
            }
        }

        if (_rules.Cvss2 is { } cvss2 && finding.Cvss2 >= cvss2)
        {
            _cvss2Found++;
            matched |= CriterionSet.Cvss2;
        }

        if (_rules.Cvss3 is { } cvss3 && finding.Cvss3 >= cvss3)
        {
            _cvss3Found++;
            matched |= CriterionSet.Cvss3;
        }

        if (_rules.Pci && finding.Pci)
        {
            _pciFound++;
            matched |= CriterionSet.Pci;
        }

        return matched;
    }

    public IReadOnlyList<CriterionResult> Results()
    {
        var results = new List<CriterionResult>();
        var r = _rules;
        var inv = CultureInfo.InvariantCulture;
        if (r.Severity is { } severity)
        {
            results.Add(Make("severity", severity, _severityFound, _severityFound == 0,
                string.Create(inv, $"severity: {_severityFound} finding(s) with severity >= {severity}")));
        }

        if (r.SeverityCounts is { Count: > 0 } counts)
        {
            var configured = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var found = new SortedDictionary<string, long>(StringComparer.Ordinal);
            var tripped = new List<string>();
            foreach (var (level, limit) in counts.OrderByDescending(p => p.Key))
            {
                var key = level.ToString(inv);
                configured[key] = limit;
                found[key] = _bySeverity[level];
                if (_bySeverity[level] >= limit)
                {
                    tripped.Add(string.Create(inv, $"severity {level} found {_bySeverity[level]} time(s) (limit {limit})"));
                }
            }

            results.Add(Make("severity_counts", configured, found, tripped.Count == 0, "severity_counts: " + string.Join("; ", tripped)));
        }

        if (r.Qids is { } qids)
        {
            var found = _qids.Order().ToList();
            results.Add(Make("qids", qids.Text, found, found.Count == 0,
                $"qids: found QID(s) {ListSome(found.Select(q => q.ToString(inv)).ToList())} (configured {qids.Text})"));
        }

        if (r.Cves is { } cves)
        {
            var found = _cves.Order(StringComparer.Ordinal).ToList();
            results.Add(Make("cves", cves.Text, found, found.Count == 0, $"cves: found {ListSome(found)} (configured {cves.Text})"));
        }

        if (r.Cvss2 is { } cvss2)
        {
            results.Add(Make("cvss2", cvss2, _cvss2Found, _cvss2Found == 0,
                string.Create(inv, $"cvss2: {_cvss2Found} finding(s) with CVSS v2 base score >= {cvss2:0.0#}")));
        }

        if (r.Cvss3 is { } cvss3)
        {
            results.Add(Make("cvss3", cvss3, _cvss3Found, _cvss3Found == 0,
                string.Create(inv, $"cvss3: {_cvss3Found} finding(s) with CVSS v3 base score >= {cvss3:0.0#}")));
        }

        if (r.Pci)
        {
            results.Add(Make("pci", true, _pciFound, _pciFound == 0, string.Create(inv, $"pci: {_pciFound} PCI finding(s)")));
        }

        return results;
    }

    /// <summary>Rows judged per severity (1..5), for the plugin's <c>severities</c> object.</summary>
    public long SeverityCount(int severity) => _bySeverity[severity];

    private static CriterionResult Make(string key, object configured, object found, bool passed, string reason) =>
        new(key, configured, found, passed, passed ? null : reason);

    private static string ListSome(List<string> items) =>
        items.Count <= ListedInReason
            ? string.Join(", ", items)
            : string.Join(", ", items.Take(ListedInReason)) + string.Create(CultureInfo.InvariantCulture, $" and {items.Count - ListedInReason} more");
}
