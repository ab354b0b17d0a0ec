using System.CommandLine;
using ScanGate.Cli.Options;
using ScanGate.Configuration;
using ScanGate.Policy;
using ScanGate.Qualys;
using ScanGate.Scanning;

namespace ScanGate.Cli;

/// <summary>Builds the production Qualys port and policy judge for a command.</summary>
internal static class ScanServices
{
    /// <summary>The real client over HTTP (or the context's handler in tests), its failures mapped for the lifecycle.</summary>
    public static QualysClientScanPort CreatePort(CliContext context, QualysConnectionSettings connection, ScanConsole console, TimeSpan runTimeout)
    {
        QualysPlatform platform;
        try
        {
            platform = QualysPlatform.Resolve(connection.Platform ?? connection.ApiUrl!.ToString(), connection.ApiUrl?.ToString());
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException(connection.Platform is null ? "--api-url" : "--platform", connection.Platform ?? connection.ApiUrl?.ToString(), ex.Message, ex);
        }

        // On an accelerated clock (the demo) the per-call time limits are stretched so they stay the same in real time.
        var stretch = context.Time is ScaledTimeProvider scaled ? scaled.Speed : 1;
        var hooks = ScanHooks.For(context);
        var defaults = new QualysClientOptions { Platform = platform, Username = "-", Password = "-" };
        var options = new QualysClientOptions
        {
            Platform = platform,
            Username = connection.Username,
            Password = connection.Password,
            Proxy = connection.Proxy is null ? null : new QualysProxyOptions { Url = connection.Proxy, Username = connection.ProxyUsername, Password = connection.ProxyPassword },
            CaBundlePath = connection.CaCertificateFile,
            RequestTimeout = defaults.RequestTimeout * stretch,
            FetchTimeout = defaults.FetchTimeout * stretch,
            ConcurrencyMinDelay = hooks?.RetryDelay ?? defaults.ConcurrencyMinDelay,
            ConcurrencyMaxDelay = hooks?.RetryDelay * 2 ?? defaults.ConcurrencyMaxDelay,
            RetryBaseDelay = hooks?.RetryDelay ?? defaults.RetryBaseDelay,
        };
        var transport = context.HttpHandlerFactory?.Invoke() ?? QualysHttpHandlerFactory.Create(options, context.Environment);
        return new QualysClientScanPort(options, transport, context.Time, console.CreateLogger())
        {
            Deadline = context.Time.GetUtcNow() + runTimeout,
        };
    }

    /// <summary>The effective policy (flags over the policy file) as a judge; a bad policy is a configuration error.</summary>
    public static IScanJudge CreateJudge(CliContext context, PolicyCliOptions policy, ParseResult parseResult, string? policyFile, Func<PolicyOverrides, PolicyOverrides>? adjust = null)
    {
        var overrides = policy.ReadOverrides(parseResult);
        if (policyFile is not null)
        {
            overrides = overrides with { PolicyFile = policyFile };
        }

        if (adjust is not null)
        {
            overrides = adjust(overrides);
        }

        try
        {
            return new PolicyScanJudge(PolicyBuilder.Build(overrides, context.WorkingDirectory), context.Time);
        }
        catch (PolicyConfigurationException ex)
        {
            throw new ConfigurationException("policy: " + ex.Message, ex);
        }
    }
}
