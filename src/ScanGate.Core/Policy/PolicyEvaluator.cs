using System.Globalization;
using ScanGate.Results;

namespace ScanGate.Policy;

/// <summary>
/// Judges detection rows one at a time against an <see cref="EffectivePolicy"/> (original-plugin.md §6 minus its
/// faults) and keeps only counters, so a result of any size is judged in constant memory (plus the distinct matched
/// QIDs/CVEs). Call <see cref="Evaluate"/> for every detection, then <see cref="Complete"/>.
/// </summary>
public sealed class PolicyEvaluator
{
    private const int WorstFindingCount = 5;

    private readonly EffectivePolicy _policy;
    private readonly RuleAccumulator _fail;
    private readonly RuleAccumulator _warn;
    private readonly PolicyExceptionEntry[] _activeQidExceptions;
    private readonly PolicyExceptionEntry[] _activeCveExceptions;
    private readonly Dictionary<string, int> _exceptionMatches = new(StringComparer.Ordinal);
    private readonly DateOnly _today;
    private readonly List<(WorstFinding Finding, bool Failing)> _worst = [];
    private readonly List<string> _extraWarnings = [];
    private readonly bool _cvss2Judged;
    private readonly bool _cvss3Judged;

    public PolicyEvaluator(EffectivePolicy policy, DateOnly today)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _today = today;
        _fail = new RuleAccumulator(policy.FailOn, "fail_on");
        _warn = new RuleAccumulator(policy.WarnOn, "warn_on");
        var active = policy.Exceptions.Where(e => e.IsActiveOn(today)).ToArray();
        _activeQidExceptions = [.. active.Where(e => e.Qid is not null)];
        _activeCveExceptions = [.. active.Where(e => e.Cve is not null)];
        _cvss2Judged = policy.FailOn.Cvss2 is not null || policy.WarnOn.Cvss2 is not null;
        _cvss3Judged = policy.FailOn.Cvss3 is not null || policy.WarnOn.Cvss3 is not null;
    }

    public EvaluationCounts Counts { get; } = new();

    /// <summary>Adds a warning shown with the summary (e.g. hosts the scan could not reach).</summary>
    public void AddWarning(string warning) => _extraWarnings.Add(warning);

    /// <summary>Judges one row. Throws <see cref="DetectionValueException"/> when a counted row cannot be judged.</summary>
    public FindingEvaluation Evaluate(Detection detection)
    {
        ArgumentNullException.ThrowIfNull(detection);
        Counts.Rows++;
        var type = Classify(detection);
        if (type == FindingType.InformationGathered)
        {
            Counts.InformationGathered++;
            return new FindingEvaluation { Detection = detection, Type = type };
        }

        var severity = ParseSeverity(detection);
        var cvss2Ok = CvssScore.TryParse(detection.CvssBase, out var cvss2, out var cvss2Vector);
        var cvss3Ok = CvssScore.TryParse(detection.Cvss3Base, out var cvss3, out var cvss3Vector);
        var finding = new FindingEvaluation
        {
            Detection = detection,
            Type = type,
            Severity = severity,
            Cves = SplitCves(detection.CveId),
            Cvss2 = cvss2,
            Cvss2Vector = cvss2Vector,
            Cvss3 = cvss3,
            Cvss3Vector = cvss3Vector,
            Cvss2Malformed = !cvss2Ok,
            Cvss3Malformed = !cvss3Ok,
            Pci = string.Equals(detection.PciVuln?.Trim(), "yes", StringComparison.OrdinalIgnoreCase),
        };

        ApplyExclusions(finding);
        if (finding.ExcludedBy is not null)
        {
            Counts.Excluded++;
            return finding;
        }

        finding.ExceptedBy = FindException(finding);
        if (finding.ExceptedBy is not null)
        {
            Counts.Excepted++;
            CollectionsMarshalIncrement(finding.ExceptedBy.Id);
            return finding;
        }

        (type == FindingType.Confirmed ? Counts.Confirmed : Counts.Potential)[severity]++;
        if (type == FindingType.Potential && !_policy.IncludePotential)
        {
            return finding;
        }

        if ((finding.Cvss2Malformed && _cvss2Judged) || (finding.Cvss3Malformed && _cvss3Judged))
        {
            var (field, value) = finding.Cvss2Malformed && _cvss2Judged ? ("cvss_base", detection.CvssBase) : ("cvss3_base", detection.Cvss3Base);
            throw new DetectionValueException(
                string.Create(CultureInfo.InvariantCulture, $"QID {detection.Qid} on host {detection.Ip ?? "?"}: {field} \"{value}\" is not a CVSS score, so the CVSS rule cannot judge it."));
        }

        finding.Evaluated = true;
        Counts.Evaluated++;
        finding.Matched = _fail.Apply(finding);
        finding.Warned = _warn.Apply(finding);
        TrackWorst(finding);
        return finding;
    }

    /// <summary>The verdict and every criterion's result for the rows seen so far.</summary>
    public EvaluationSummary Complete()
    {
        var criteria = _fail.Results();
        var warnCriteria = _warn.Results();
        var failureReasons = criteria.Where(c => !c.Passed).Select(c => c.Reason!).ToList();
        var warningReasons = warnCriteria.Where(c => !c.Passed).Select(c => c.Reason!).ToList();
        var verdict = failureReasons.Count > 0 ? Verdict.Fail : warningReasons.Count > 0 ? Verdict.Warn : Verdict.Pass;

        var warnings = new List<string>();
        if (!_policy.HasCriteria)
        {
            warnings.Add("No criteria configured: the gate judges nothing.");
        }

        var exceptions = new List<ExceptionStatus>();
        foreach (var entry in _policy.Exceptions)
        {
            var active = entry.IsActiveOn(_today);
            if (!active)
            {
                warnings.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Exception {entry.Id} ({Describe(entry)}) expired on {entry.Expires:yyyy-MM-dd} and no longer applies."));
            }

            exceptions.Add(new ExceptionStatus(entry, active ? "active" : "expired", _exceptionMatches.GetValueOrDefault(entry.Id)));
        }

        warnings.AddRange(_extraWarnings);
        return new EvaluationSummary
        {
            Verdict = verdict,
            Criteria = criteria,
            WarnCriteria = warnCriteria,
            Counts = Counts,
            FailureReasons = failureReasons,
            WarningReasons = warningReasons,
            Warnings = warnings,
            Exceptions = exceptions,
            WorstFindings = [.. _worst.Select(w => w.Finding)],
            PotentialChecked = _policy.IncludePotential,
            CriteriaConfigured = _policy.HasCriteria,
        };
    }

    internal static string Describe(PolicyExceptionEntry entry) =>
        entry.Qid is { } qid ? string.Create(CultureInfo.InvariantCulture, $"QID {qid}") : entry.Cve!;

    private static FindingType Classify(Detection detection)
    {
        var type = detection.Type?.Trim();
        if (string.Equals(type, "Vuln", StringComparison.OrdinalIgnoreCase))
        {
            return FindingType.Confirmed;
        }

        if (string.Equals(type, "Practice", StringComparison.OrdinalIgnoreCase))
        {
            return FindingType.Potential;
        }

        if (string.Equals(type, "Ig", StringComparison.OrdinalIgnoreCase))
        {
            return FindingType.InformationGathered;
        }

        throw new DetectionValueException(
            string.Create(CultureInfo.InvariantCulture, $"QID {detection.Qid} on host {detection.Ip ?? "?"}: type \"{detection.Type}\" is not Vuln, Practice or Ig."));
    }

    private static int ParseSeverity(Detection detection)
    {
        var text = detection.Severity?.Trim();
        if (text is { Length: 1 } && text[0] is >= '1' and <= '5')
        {
            return text[0] - '0';
        }

        throw new DetectionValueException(
            string.Create(CultureInfo.InvariantCulture, $"QID {detection.Qid} on host {detection.Ip ?? "?"}: severity \"{detection.Severity}\" is not 1 to 5."));
    }

    internal static IReadOnlyList<string> SplitCves(string? cveId)
    {
        if (string.IsNullOrWhiteSpace(cveId))
        {
            return [];
        }

        if (!cveId.Contains(',', StringComparison.Ordinal))
        {
            return [cveId.Trim()];
        }

        var list = new List<string>(4);
        foreach (var part in cveId.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            list.Add(part);
        }

        return list;
    }

    private void ApplyExclusions(FindingEvaluation finding)
    {
        if (_policy.ExcludeQids is { } qids && qids.Contains(finding.Detection.Qid))
        {
            finding.ExcludedBy = "qid";
            finding.ExcludedValue = finding.Detection.Qid.ToString(CultureInfo.InvariantCulture);
            return;
        }

        // Plugin rule kept: dropped only when every CVE of the row is excluded; rows without CVEs stay.
        if (_policy.ExcludeCves is { } cves && finding.Cves.Count > 0 && finding.Cves.All(cves.Contains))
        {
            finding.ExcludedBy = "cve";
            finding.ExcludedValue = string.Join(',', finding.Cves.Select(c => c.ToUpperInvariant()));
        }
    }

    private PolicyExceptionEntry? FindException(FindingEvaluation finding)
    {
        var d = finding.Detection;
        foreach (var entry in _activeQidExceptions)
        {
            if (entry.Qid == d.Qid && entry.AppliesToHost(d.Ip, d.Dns, d.Netbios))
            {
                return entry;
            }
        }

        if (finding.Cves.Count == 0 || _activeCveExceptions.Length == 0)
        {
            return null;
        }

        // Like CVE exclusions: a row is excepted only when every one of its CVEs is covered.
        PolicyExceptionEntry? first = null;
        foreach (var cve in finding.Cves)
        {
            var covering = Array.Find(_activeCveExceptions,
                e => string.Equals(e.Cve, cve, StringComparison.OrdinalIgnoreCase) && e.AppliesToHost(d.Ip, d.Dns, d.Netbios));
            if (covering is null)
            {
                return null;
            }

            first ??= covering;
        }

        return first;
    }

    private void CollectionsMarshalIncrement(string id) =>
        _exceptionMatches[id] = _exceptionMatches.GetValueOrDefault(id) + 1;

    private void TrackWorst(FindingEvaluation finding)
    {
        var failing = finding.Matched != CriterionSet.None;

        // Most rows are not among the worst: decide that before allocating anything for the row.
        if (_worst.Count == WorstFindingCount)
        {
            var last = _worst[^1];
            var c = last.Failing.CompareTo(failing);
            if (c == 0)
            {
                c = last.Finding.Severity.CompareTo(finding.Severity);
            }

            if (c == 0)
            {
                c = (last.Finding.Cvss3 ?? -1).CompareTo(finding.Cvss3 ?? -1);
            }

            if (c > 0 || (c == 0 && last.Finding.Qid < finding.Detection.Qid))
            {
                return;
            }
        }

        var candidate = new WorstFinding(finding.Detection.Ip, finding.Detection.Qid, finding.Detection.Title, finding.Severity, finding.Type,
            finding.Cvss3, [.. CriteriaKeys.Names(finding.Matched)]);
        if (_worst.Count == WorstFindingCount && Compare((candidate, failing), _worst[^1]) >= 0)
        {
            return;
        }

        var index = _worst.FindIndex(w => Compare((candidate, failing), w) < 0);
        _worst.Insert(index < 0 ? _worst.Count : index, (candidate, failing));
        if (_worst.Count > WorstFindingCount)
        {
            _worst.RemoveAt(_worst.Count - 1);
        }
    }

    // Failing rows first, then severity, CVSS v3, then QID and host so the list does not depend on row order.
    private static int Compare((WorstFinding Finding, bool Failing) a, (WorstFinding Finding, bool Failing) b)
    {
        var c = b.Failing.CompareTo(a.Failing);
        if (c == 0)
        {
            c = b.Finding.Severity.CompareTo(a.Finding.Severity);
        }

        if (c == 0)
        {
            c = (b.Finding.Cvss3 ?? -1).CompareTo(a.Finding.Cvss3 ?? -1);
        }

        if (c == 0)
        {
            c = a.Finding.Qid.CompareTo(b.Finding.Qid);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Finding.Host, b.Finding.Host);
    }
}
