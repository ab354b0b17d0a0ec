using System.CommandLine;
using ScanGate.Configuration;

namespace ScanGate.Cli;

/// <summary>
/// Flags shared by every command that talks to Qualys (<c>scan</c>, <c>test-connection</c>, <c>list</c>). There is
/// deliberately no password flag: it would show in process lists and CI logs.
/// </summary>
internal sealed class QualysCliOptions
{
    public Option<string?> Config { get; } = new("--config") { Description = "Config file (YAML); default: scangate.yml in the working directory when present.", HelpName = "FILE" };

    public Option<string?> Platform { get; } = new("--platform") { Description = "Qualys platform code (US1, US2, EU1, IN1, CA1, AE1, UK1, AU1, KSA1 ...); or QUALYS_PLATFORM.", HelpName = "CODE" };

    public Option<string?> ApiUrl { get; } = new("--api-url") { Description = "Qualys API URL instead of a platform code (private cloud, the emulator); or QUALYS_API_URL.", HelpName = "URL" };

    public Option<string?> Username { get; } = new("--username") { Description = "Qualys API user; or QUALYS_USERNAME.", HelpName = "USER" };

    public Option<string?> PasswordFile { get; } = new("--password-file") { Description = "Read the password from FILE (first line). Otherwise QUALYS_PASSWORD.", HelpName = "FILE" };

    public Option<bool> PasswordStdin { get; } = new("--password-stdin") { Description = "Read the password from the first line of standard input." };

    public Option<string?> Proxy { get; } = new("--proxy") { Description = "HTTP(S) proxy URL without credentials (they come from QUALYS_PROXY_USERNAME / QUALYS_PROXY_PASSWORD); default HTTPS_PROXY. NO_PROXY applies.", HelpName = "URL" };

    public Option<string?> CaCert { get; } = new("--ca-cert") { Description = "Extra trusted CA certificates (PEM), e.g. for a TLS-inspecting proxy. Verification stays on.", HelpName = "FILE" };

    public IEnumerable<Option> All => [Config, Platform, ApiUrl, Username, PasswordFile, PasswordStdin, Proxy, CaCert];

    public void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The connection flags given, by config key (not given = absent).</summary>
    public void Collect(ParseResult parseResult, Dictionary<string, IReadOnlyList<string>> flags)
    {
        Put(flags, "platform", parseResult.GetValue(Platform));
        Put(flags, "api_url", parseResult.GetValue(ApiUrl));
        Put(flags, "username", parseResult.GetValue(Username));
        Put(flags, "proxy", parseResult.GetValue(Proxy));
        Put(flags, "ca_cert", parseResult.GetValue(CaCert));
    }

    public ScanConfiguration.PasswordSource PasswordSource(ParseResult parseResult) =>
        new(parseResult.GetValue(PasswordFile), parseResult.GetValue(PasswordStdin));

    public ConfigurationLayers Layers(ParseResult parseResult, CliContext context, Dictionary<string, IReadOnlyList<string>> flags)
    {
        Collect(parseResult, flags);
        return new ConfigurationLayers(flags, context.Environment, context.WorkingDirectory, parseResult.GetValue(Config));
    }

    public static void Put(Dictionary<string, IReadOnlyList<string>> flags, string key, string? value)
    {
        if (value is not null)
        {
            flags[key] = [value];
        }
    }

    public static void Put(Dictionary<string, IReadOnlyList<string>> flags, string key, ParseResult parseResult, Option<bool> option)
    {
        if (parseResult.GetResult(option) is not null)
        {
            flags[key] = [parseResult.GetValue(option) ? "true" : "false"];
        }
    }
}
