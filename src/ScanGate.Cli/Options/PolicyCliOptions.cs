using System.CommandLine;
using ScanGate.Policy;

namespace ScanGate.Cli.Options;

/// <summary>
/// The criteria flags shared by <c>evaluate</c> and <c>scan</c>. <see cref="AddTo"/> adds them to a command;
/// <see cref="Build"/> turns a parse result (plus the optional policy file) into the effective policy, throwing
/// <see cref="PolicyConfigurationException"/> (exit 2) with a message naming the flag or file entry.
/// </summary>
public sealed class PolicyCliOptions
{
    public Option<string?> Policy { get; } = new("--policy")
    {
        Description = "Policy file (YAML or JSON): fail_on, warn_on, include_potential, exclude, exceptions. Flags override its keys.",
        HelpName = "FILE",
    };

    public Option<string?> FailOnSeverity { get; } = new("--fail-on-severity")
    {
        Description = "Fail when a judged finding has severity >= N (1-5).",
        HelpName = "N",
    };

    public Option<string?> FailOnQids { get; } = new("--fail-on-qids")
    {
        Description = "Fail on these QIDs: numbers and ranges, e.g. \"38170, 38173-38175\".",
        HelpName = "LIST",
    };

    public Option<string?> FailOnCves { get; } = new("--fail-on-cves")
    {
        Description = "Fail when a finding has one of these CVEs (any case), e.g. \"CVE-2021-44228\".",
        HelpName = "LIST",
    };

    public Option<string?> FailOnCvss2 { get; } = new("--fail-on-cvss2")
    {
        Description = "Fail when a finding's CVSS v2 base score >= SCORE (0 < SCORE <= 10).",
        HelpName = "SCORE",
    };

    public Option<string?> FailOnCvss3 { get; } = new("--fail-on-cvss3")
    {
        Description = "Fail when a finding's CVSS v3 base score >= SCORE (0 < SCORE <= 10).",
        HelpName = "SCORE",
    };

    public Option<bool> FailOnPci { get; } = new("--fail-on-pci")
    {
        Description = "Fail when a finding is a PCI vulnerability (pci_vuln yes).",
    };

    public Option<bool> IncludePotential { get; } = new("--include-potential")
    {
        Description = "Also judge potential (Practice) findings; confirmed (Vuln) ones are always judged, information gathered never.",
    };

    public Option<string?> ExcludeQids { get; } = new("--exclude-qids")
    {
        Description = "Drop findings with these QIDs (numbers and ranges) before judging.",
        HelpName = "LIST",
    };

    public Option<string?> ExcludeCves { get; } = new("--exclude-cves")
    {
        Description = "Drop findings all of whose CVEs are in this list before judging (findings without CVEs are kept).",
        HelpName = "LIST",
    };

    public Option<string?> Exceptions { get; } = new("--exceptions")
    {
        Description = "Exceptions file (YAML/JSON list: qid or cve, optional hosts, reason, expires YYYY-MM-DD). Expired entries stop applying.",
        HelpName = "FILE",
    };

    public Option<string?> WarnExitCode { get; } = new("--warn-exit-code")
    {
        Description = "Exit code for a warn verdict (default 0), e.g. to map warn to UNSTABLE in Jenkins.",
        HelpName = "N",
    };

    public IEnumerable<Option> All =>
    [
        Policy, FailOnSeverity, FailOnQids, FailOnCves, FailOnCvss2, FailOnCvss3, FailOnPci, IncludePotential, ExcludeQids,
        ExcludeCves, Exceptions, WarnExitCode,
    ];

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The flags as given (null = not given).</summary>
    public PolicyOverrides ReadOverrides(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return new PolicyOverrides
        {
            PolicyFile = parseResult.GetValue(Policy),
            FailOnSeverity = parseResult.GetValue(FailOnSeverity),
            FailOnQids = parseResult.GetValue(FailOnQids),
            FailOnCves = parseResult.GetValue(FailOnCves),
            FailOnCvss2 = parseResult.GetValue(FailOnCvss2),
            FailOnCvss3 = parseResult.GetValue(FailOnCvss3),
            FailOnPci = parseResult.GetResult(FailOnPci) is not { Implicit: false } ? null : parseResult.GetValue(FailOnPci),
            IncludePotential = parseResult.GetResult(IncludePotential) is not { Implicit: false } ? null : parseResult.GetValue(IncludePotential),
            ExcludeQids = parseResult.GetValue(ExcludeQids),
            ExcludeCves = parseResult.GetValue(ExcludeCves),
            ExceptionsFile = parseResult.GetValue(Exceptions),
            WarnExitCode = parseResult.GetValue(WarnExitCode),
        };
    }

    /// <summary>The effective policy; relative file paths resolve against <paramref name="workingDirectory"/>.</summary>
    public EffectivePolicy Build(ParseResult parseResult, string workingDirectory) =>
        PolicyBuilder.Build(ReadOverrides(parseResult), workingDirectory);
}
