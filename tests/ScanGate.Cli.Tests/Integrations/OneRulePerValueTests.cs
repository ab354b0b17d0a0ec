// Test code compares ASCII literals; == on string is ordinal already.
#pragma warning disable MA0006, MA0002

using ScanGate.Cli.Commands;
using ScanGate.Configuration;
using ScanGate.Infrastructure;
using ScanGate.Policy;

namespace ScanGate.Cli.Tests.Integrations;

/// <summary>
/// One rule per kind of value (issue 12): the same input through every entry point — <c>scangate init</c>'s prompt
/// check, a flag, a SCANGATE_* variable and a scangate.yml key as <see cref="ScanConfiguration"/> sees them, and for
/// criteria the policy file and the criteria flags of <see cref="PolicyBuilder"/> — is accepted by all or refused by
/// all, with the same message after the name of the field.
/// </summary>
public sealed class OneRulePerValueTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-one-rule-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("10.0.0.5")]
    [InlineData("10.0.0.0/24")]
    [InlineData("2001:db8::1, 10.0.0.1-10.0.0.9")]
    [InlineData("10.1")]
    [InlineData("bad-host")]
    [InlineData("10.0.0.9-10.0.0.1")]
    [InlineData("10.0.0.5/24")]
    [InlineData("10.0.0.0/4")]
    public void Targets_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input) => Agree("host", input);

    [Theory]
    [InlineData("38170")]
    [InlineData("38170, 38173-38175")]
    [InlineData("5-3")]
    [InlineData("0")]
    [InlineData("1-2-3")]
    [InlineData("CVE-2021-44228")]
    [InlineData("38170,")]
    public void QidLists_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input)
    {
        Agree("fail_on_qids", input);
        Agree("exclude_qids", input);
    }

    [Theory]
    [InlineData("CVE-2021-44228")]
    [InlineData("cve-2020-0001, CVE-2021-44228")]
    [InlineData("CVE-21-1")]
    [InlineData("38170")]
    [InlineData("CVE-2021-44228,CVE-12")]
    [InlineData("CVE-2021-123456789012345")]
    public void CveLists_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input)
    {
        Agree("fail_on_cves", input);
        Agree("exclude_cves", input);
    }

    [Theory]
    [InlineData("30s")]
    [InlineData("10s")]
    [InlineData("1H")]
    [InlineData("2")]
    [InlineData("60 * 2")]
    [InlineData("5s")]
    [InlineData("0")]
    [InlineData("1.5")]
    [InlineData("2x")]
    [InlineData("8*24*60")]
    public void PollIntervals_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input) => Agree("poll_interval", input);

    [Theory]
    [InlineData("60m")]
    [InlineData("1H")]
    [InlineData("60*2")]
    [InlineData("1h30m")]
    [InlineData("0s")]
    [InlineData("2x")]
    [InlineData("99999999*99999999")]
    public void Timeouts_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input) => Agree("timeout", input);

    [Theory]
    [InlineData("9.0")]
    [InlineData("10")]
    [InlineData("0.1")]
    [InlineData("0")]
    [InlineData("11")]
    [InlineData("-1")]
    [InlineData("abc")]
    public void CvssScores_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input)
    {
        Agree("fail_on_cvss2", input);
        Agree("fail_on_cvss3", input);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("5")]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("high")]
    public void Severities_EveryEntryPoint_AgreesOnAcceptanceAndMessage(string input) => Agree("fail_on_severity", input);

    [Fact]
    public void Init_RefusesWhatScanRefuses_FiveSecondPollAndCvssZero()
    {
        // The drift issue 12 names: init accepted both, and refused 1H, which scan accepts.
        InitCommand.Check("poll_interval", "5s").ShouldBe("poll_interval '5s': below the minimum of 10 s; polling faster only uses up the Qualys API rate limit.");
        InitCommand.Check("fail_on_cvss3", "0").ShouldBe("fail_on_cvss3: 0 is outside (0, 10]; a CVSS threshold must be greater than 0 and at most 10.");
        InitCommand.Check("timeout", "1H").ShouldBeNull();
    }

    /// <summary>The outcome at one entry point: null when accepted, else the message after the field's name.</summary>
    private sealed record Outcome(string EntryPoint, string? Problem);

    private void Agree(string key, string input)
    {
        var outcomes = new List<Outcome>
        {
            new("init", Problem(InitCommand.Check(key, input), key)),
            Scan("flag", key, input, ConfigurationLayers.FlagName(key)),
            Scan("environment", key, input, "SCANGATE_" + key.ToUpperInvariant()),
            Scan("scangate.yml", key, input, "scangate.yml: " + key),
        };

        if (key.StartsWith("fail_on_", StringComparison.Ordinal) || key.StartsWith("exclude_", StringComparison.Ordinal))
        {
            outcomes.Add(PolicyFileOutcome(key, input));
            outcomes.Add(PolicyFlagOutcome(key, input));
        }

        var summary = string.Join("\n", outcomes.Select(o => $"{o.EntryPoint}: {o.Problem ?? "accepted"}"));
        outcomes.Select(o => o.Problem).Distinct().Count().ShouldBe(1, $"'{input}' for {key}:\n{summary}");
    }

    private Outcome Scan(string entryPoint, string key, string input, string field)
    {
        var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { ["platform"] = ["US1"], ["username"] = ["alice"] };
        if (key != "host")
        {
            flags["host"] = ["192.0.2.10"];
        }

        // The other duration is set so that only the value under test can be refused.
        flags[key == "timeout" ? "poll_interval" : "timeout"] = [key == "timeout" ? "10s" : "10080"];
        var environment = new DictionaryEnvironment { ["QUALYS_PASSWORD"] = "s3cret!" };
        var file = Path.Combine(_directory, "scangate.yml");
        File.WriteAllText(file, "# test\n");
        switch (entryPoint)
        {
            case "flag":
                flags[key] = [input];
                break;
            case "environment":
                environment["SCANGATE_" + key.ToUpperInvariant()] = input;
                break;
            default:
                File.WriteAllText(file, $"{key}: '{input.Replace("'", "''", StringComparison.Ordinal)}'\n");
                break;
        }

        try
        {
            ScanConfiguration.Build(new ConfigurationLayers(flags, environment, _directory, null), new(null, false), new StringReader(string.Empty), Now);
            return new(entryPoint, null);
        }
        catch (ConfigurationException e)
        {
            return new(entryPoint, Problem(e.Message, field));
        }
    }

    private static Outcome PolicyFileOutcome(string key, string input)
    {
        var (section, rule) = key.StartsWith("exclude_", StringComparison.Ordinal) ? ("exclude", key["exclude_".Length..]) : ("fail_on", key["fail_on_".Length..]);
        try
        {
            PolicyFile.Parse($"{section}:\n  {rule}: '{input.Replace("'", "''", StringComparison.Ordinal)}'\n", "policy.yml");
            return new("policy file", null);
        }
        catch (PolicyConfigurationException e)
        {
            return new("policy file", Problem(e.Message, $"policy.yml line 2: {section}.{rule}"));
        }
    }

    private Outcome PolicyFlagOutcome(string key, string input)
    {
        var overrides = key switch
        {
            "fail_on_severity" => new PolicyOverrides { FailOnSeverity = input },
            "fail_on_qids" => new PolicyOverrides { FailOnQids = input },
            "fail_on_cves" => new PolicyOverrides { FailOnCves = input },
            "fail_on_cvss2" => new PolicyOverrides { FailOnCvss2 = input },
            "fail_on_cvss3" => new PolicyOverrides { FailOnCvss3 = input },
            "exclude_qids" => new PolicyOverrides { ExcludeQids = input },
            _ => new PolicyOverrides { ExcludeCves = input },
        };
        try
        {
            PolicyBuilder.Build(overrides, _directory);
            return new("criteria flag (evaluate)", null);
        }
        catch (PolicyConfigurationException e)
        {
            return new("criteria flag (evaluate)", Problem(e.Message, ConfigurationLayers.FlagName(key)));
        }
    }

    private static string? Problem(string? message, string field)
    {
        if (message is null)
        {
            return null;
        }

        message.ShouldStartWith(field, customMessage: "every message starts with the field it is about");
        return message[field.Length..];
    }
}
