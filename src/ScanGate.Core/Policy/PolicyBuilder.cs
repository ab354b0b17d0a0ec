using System.Globalization;

namespace ScanGate.Policy;

/// <summary>Criteria given on the command line; null = not given. Strings are validated here so errors name the flag.</summary>
public sealed record PolicyOverrides
{
    public string? PolicyFile { get; init; }

    public string? FailOnSeverity { get; init; }

    public string? FailOnQids { get; init; }

    public string? FailOnCves { get; init; }

    public string? FailOnCvss2 { get; init; }

    public string? FailOnCvss3 { get; init; }

    /// <summary>True sets the PCI rule; false/null leaves the file's value.</summary>
    public bool? FailOnPci { get; init; }

    public bool? IncludePotential { get; init; }

    public string? ExcludeQids { get; init; }

    public string? ExcludeCves { get; init; }

    public string? ExceptionsFile { get; init; }

    public string? WarnExitCode { get; init; }
}

/// <summary>Builds the <see cref="EffectivePolicy"/>: the policy file first, each given flag overriding its key.</summary>
public static class PolicyBuilder
{
    public static EffectivePolicy Build(PolicyOverrides overrides, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var document = overrides.PolicyFile is { } policyFile
            ? PolicyFile.Load(Path.GetFullPath(policyFile, workingDirectory))
            : new PolicyDocument();

        var failOn = document.FailOn;
        if (overrides.FailOnSeverity is { } severity)
        {
            failOn = failOn with { Severity = RuleSet.ParseSeverity(severity, "--fail-on-severity") };
        }

        if (overrides.FailOnQids is { } qids)
        {
            failOn = failOn with { Qids = QidList.Parse(qids, "--fail-on-qids") };
        }

        if (overrides.FailOnCves is { } cves)
        {
            failOn = failOn with { Cves = CveList.Parse(cves, "--fail-on-cves") };
        }

        if (overrides.FailOnCvss2 is { } cvss2)
        {
            failOn = failOn with { Cvss2 = CvssScore.ParseThreshold(cvss2, "--fail-on-cvss2") };
        }

        if (overrides.FailOnCvss3 is { } cvss3)
        {
            failOn = failOn with { Cvss3 = CvssScore.ParseThreshold(cvss3, "--fail-on-cvss3") };
        }

        if (overrides.FailOnPci == true)
        {
            failOn = failOn with { Pci = true };
        }

        var exceptions = document.Exceptions.ToList();
        string? exceptionsFile = null;
        if (overrides.ExceptionsFile is { } file)
        {
            exceptionsFile = file;
            foreach (var entry in PolicyFile.LoadExceptions(Path.GetFullPath(file, workingDirectory)))
            {
                if (exceptions.Exists(e => string.Equals(e.Id, entry.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new PolicyConfigurationException($"{entry.Origin}: exception id \"{entry.Id}\" is also used in the policy file.");
                }

                exceptions.Add(entry);
            }
        }

        int? warnExitCode = null;
        if (overrides.WarnExitCode is { } warnText)
        {
            if (!int.TryParse(warnText.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code > 255)
            {
                throw new PolicyConfigurationException($"--warn-exit-code: \"{warnText}\" is not an exit code (0 to 255).");
            }

            warnExitCode = code;
        }

        return new EffectivePolicy
        {
            FailOn = failOn,
            WarnOn = document.WarnOn,
            IncludePotential = overrides.IncludePotential ?? document.IncludePotential ?? false,
            ExcludeQids = overrides.ExcludeQids is { } eq ? QidList.Parse(eq, "--exclude-qids") : document.ExcludeQids,
            ExcludeCves = overrides.ExcludeCves is { } ec ? CveList.Parse(ec, "--exclude-cves") : document.ExcludeCves,
            Exceptions = exceptions,
            PolicyFile = overrides.PolicyFile,
            ExceptionsFile = exceptionsFile,
            WarnExitCode = warnExitCode,
        };
    }
}
