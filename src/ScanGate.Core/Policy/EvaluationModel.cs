using ScanGate.Results;

namespace ScanGate.Policy;

/// <summary>The criteria of a rule set, as flags; names are the <c>criteria</c> keys of <c>scangate-result.json</c>.</summary>
[Flags]
public enum CriterionSet
{
#pragma warning disable MA0099 // None is the natural empty set of a flags enum.
    None = 0,
#pragma warning restore MA0099
    Severity = 1,
    SeverityCounts = 2,
    Qids = 4,
    Cves = 8,
    Cvss2 = 16,
    Cvss3 = 32,
    Pci = 64,
}

public static class CriteriaKeys
{
    private static readonly (CriterionSet Flag, string Key)[] Ordered =
    [
        (CriterionSet.Severity, "severity"), (CriterionSet.SeverityCounts, "severity_counts"), (CriterionSet.Qids, "qids"),
        (CriterionSet.Cves, "cves"), (CriterionSet.Cvss2, "cvss2"), (CriterionSet.Cvss3, "cvss3"), (CriterionSet.Pci, "pci"),
    ];

    public static IEnumerable<string> Names(CriterionSet flags)
    {
        foreach (var (flag, key) in Ordered)
        {
            if ((flags & flag) != CriterionSet.None)
            {
                yield return key;
            }
        }
    }
}

public enum Verdict
{
    Pass,
    Warn,
    Fail,
}

public enum FindingType
{
    InformationGathered,
    Confirmed,
    Potential,
}

/// <summary>What the policy made of one detection row.</summary>
public sealed class FindingEvaluation
{
    public required Detection Detection { get; init; }

    public FindingType Type { get; init; }

    /// <summary>1–5 for Vuln/Practice rows; 0 for IG rows (not judged).</summary>
    public int Severity { get; init; }

    /// <summary>The row's CVEs, trimmed, as sent.</summary>
    public IReadOnlyList<string> Cves { get; init; } = [];

    public double? Cvss2 { get; init; }

    public string? Cvss2Vector { get; init; }

    public double? Cvss3 { get; init; }

    public string? Cvss3Vector { get; init; }

    public bool Pci { get; init; }

    /// <summary>True when the criteria were applied to this row.</summary>
    public bool Evaluated { get; internal set; }

    public CriterionSet Matched { get; internal set; }

    public CriterionSet Warned { get; internal set; }

    /// <summary><c>qid</c> or <c>cve</c> when an exclusion dropped the row.</summary>
    public string? ExcludedBy { get; internal set; }

    public string? ExcludedValue { get; internal set; }

    public PolicyExceptionEntry? ExceptedBy { get; internal set; }

    internal bool Cvss2Malformed { get; init; }

    internal bool Cvss3Malformed { get; init; }
}

/// <summary>One criterion's outcome: what was configured, what was found, and whether it passed.</summary>
/// <param name="Key">The <c>criteria</c> key (<c>severity</c>, <c>qids</c>, ...).</param>
/// <param name="Configured">int, double, string, bool or a severity → count map (keys "1".."5").</param>
/// <param name="Found">int, a list of QIDs (long), a list of CVE ids, or a severity → count map.</param>
/// <param name="Passed">False when the criterion tripped.</param>
/// <param name="Reason">Why it tripped; null when it passed.</param>
public sealed record CriterionResult(string Key, object Configured, object Found, bool Passed, string? Reason);

public sealed record ExceptionStatus(PolicyExceptionEntry Entry, string Status, int Matched);

/// <summary>A row kept for the console summary's "worst findings".</summary>
public sealed record WorstFinding(string? Host, long Qid, string? Title, int Severity, FindingType Type, double? Cvss3, IReadOnlyList<string> Matched);

public sealed class EvaluationCounts
{
    /// <summary>Detection rows in the result, all types.</summary>
    public long Rows { get; internal set; }

    /// <summary>Index 1..5: confirmed rows by severity after exclusions/exceptions (index 0 unused).</summary>
    public long[] Confirmed { get; } = new long[6];

    public long[] Potential { get; } = new long[6];

    public long InformationGathered { get; internal set; }

    public long Evaluated { get; internal set; }

    public long Excluded { get; internal set; }

    public long Excepted { get; internal set; }
}

public sealed class EvaluationSummary
{
    public required Verdict Verdict { get; init; }

    public required IReadOnlyList<CriterionResult> Criteria { get; init; }

    public required IReadOnlyList<CriterionResult> WarnCriteria { get; init; }

    public required EvaluationCounts Counts { get; init; }

    public required IReadOnlyList<string> FailureReasons { get; init; }

    public required IReadOnlyList<string> WarningReasons { get; init; }

    public required IReadOnlyList<string> Warnings { get; init; }

    public required IReadOnlyList<ExceptionStatus> Exceptions { get; init; }

    public required IReadOnlyList<WorstFinding> WorstFindings { get; init; }

    public required bool PotentialChecked { get; init; }

    public required bool CriteriaConfigured { get; init; }
}
