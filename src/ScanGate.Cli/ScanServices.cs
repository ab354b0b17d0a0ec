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
    /// <summary>
    /// The real client over HTTP (or the context's handler in tests). Settings the client refuses (platform code, URL,
    /// CA bundle, proxy variable) are configuration errors naming our flag, never an internal parameter name.
    /// </summary>
    /// <param name="context">The command's context (time, environment, the test transport).</param>
    /// <param name="connection">Where and how to reach Qualys.</param>
    /// <param name="console">Receives the client's log lines.</param>
    /// <param name="runTimeout">The deadline of a command without a lifecycle (a scan run sets its own).</param>
    public static QualysClientScanPort CreatePort(CliContext context, QualysConnectionSettings connection, ScanConsole console, TimeSpan runTimeout)
    {
        try
        {
            var platform = QualysPlatform.Resolve(connection.Platform ?? connection.ApiUrl!.ToString(), connection.ApiUrl?.ToString());

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
                StallTimeout = defaults.StallTimeout * stretch,
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
        catch (QualysSettingException ex)
        {
            var flag = ex.Setting switch
            {
                "platform" => connection.Platform is null ? "--api-url" : "--platform",
                "api-url" => "--api-url",
                "ca-bundle" => "--ca-cert",
                _ => ex.Setting,
            };
            throw new ConfigurationException($"{flag}: {StripSetting(ex.Message, ex.Setting)}", ex);
        }
    }

    /// <summary>"platform: unknown platform 'US9'…" becomes "unknown platform 'US9'…" (the flag is named in front).</summary>
    private static string StripSetting(string message, string setting) =>
        message.StartsWith(setting + ": ", StringComparison.Ordinal) ? message[(setting.Length + 2)..] : message;

    /// <summary>The effective policy (flags over the policy file) as a judge; a bad policy is a configuration error.</summary>
    public static IScanJudge CreateJudge(CliContext context, PolicyCliOptions policy, ParseResult parseResult, string? policyFile, Func<PolicyOverrides, PolicyOverrides>? adjust = null) =>
        new PolicyScanJudge(BuildPolicy(context, policy, parseResult, policyFile, adjust), context.Time);

    /// <summary>The effective policy (flags over the policy file); a bad policy is a configuration error.</summary>
    public static EffectivePolicy BuildPolicy(CliContext context, PolicyCliOptions policy, ParseResult parseResult, string? policyFile, Func<PolicyOverrides, PolicyOverrides>? adjust = null)
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
            return PolicyBuilder.Build(overrides, context.WorkingDirectory);
        }
        catch (PolicyConfigurationException ex)
        {
            throw new ConfigurationException("policy: " + ex.Message, ex);
        }
    }
}
