using System.CommandLine;
using System.Globalization;
using ScanGate.Pipelines;
using ScanGate.Qualys;
using Spectre.Console;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate init</c>: the plugin's configuration form in a terminal. Platform, credentials from the environment,
/// Test Connection, target, scanner, option profile or EC2 connector picked from live lists, criteria and timing;
/// writes <c>scangate.yml</c> (never a credential) and prints the pipeline fragment for the chosen CI.
/// </summary>
internal static class InitCommand
{
    private const string TypeOwn = "\u0000type";

    internal static readonly string[] Platforms = ["US1", "US2", "US3", "US4", "EU1", "EU2", "EU3", "IN1", "CA1", "AE1", "UK1", "AU1", "KSA1"];

    /// <summary>The connection the wizard collected; the password lives only in memory for the live lists.</summary>
    internal sealed record InitConnection(string? Platform, string? ApiUrl, string Username, string Password, string? Proxy);

    public static Command Create(CliContext context) => Create(context, connection => ClientCatalog.Create(context, connection));

    internal static Command Create(CliContext context, Func<InitConnection, IQualysCatalog> catalogFactory)
    {
        var file = new Option<string>("--file") { Description = "Config file to write (default scangate.yml).", DefaultValueFactory = _ => "scangate.yml" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing config file without asking." };
        var command = new Command(
            "init",
            "Interactive setup (the plugin's form in a terminal): test the connection, pick target, scanner and option profile from "
            + "live lists, set criteria, write scangate.yml and print the pipeline for your CI. Needs a terminal.");
        command.Options.Add(file);
        command.Options.Add(force);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            if (!InputIsTerminal(context))
            {
                await context.Error.WriteLineAsync(
                    "scangate init: standard input is not a terminal, and init asks questions. Run it in a terminal, or write "
                    + "scangate.yml yourself (docs/configuration.md) and generate the CI step with `scangate pipeline <ci> --config scangate.yml`.")
                    .ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            try
            {
                return await new Wizard(context, catalogFactory).RunAsync(parseResult.GetValue(file)!, parseResult.GetValue(force), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    // The real stdin must be a terminal; in tests (a reader that is not Console.In) the TestConsole decides.
    private static bool InputIsTerminal(CliContext context) =>
        context.Console.Profile.Capabilities.Interactive
        && (!ReferenceEquals(context.In, System.Console.In) || !System.Console.IsInputRedirected);

    private sealed class Wizard(CliContext context, Func<InitConnection, IQualysCatalog> catalogFactory)
    {
        private readonly IAnsiConsole _console = context.Console;
        private IQualysCatalog? _catalog;

        public async Task<int> RunAsync(string file, bool force, CancellationToken cancellationToken)
        {
            var path = Path.GetFullPath(file, context.WorkingDirectory);
            _console.Write(new Rule("[bold]ScanGate setup[/]").LeftJustified());
            if (File.Exists(path) && !force && !_console.Confirm($"{Markup.Escape(file)} exists. Overwrite it?", defaultValue: false))
            {
                _console.MarkupLine("Nothing written.");
                return ExitCodes.Usage;
            }

            // Connection.
            var platform = Select("Qualys [bold]platform[/]", [.. Platforms, "Private cloud (API URL)"], context.Environment.GetVariable("QUALYS_PLATFORM"));
            string? apiUrl = null;
            if (!Platforms.Contains(platform, StringComparer.Ordinal))
            {
                platform = null;
                apiUrl = Ask("API URL (https://qualysapi.…)", context.Environment.GetVariable("QUALYS_API_URL"), ValidateHttpsUrl);
            }

            var proxy = AskOptional("HTTP proxy URL (empty for none)", ValidateOptionalUrl);
            var username = context.Environment.GetVariable("QUALYS_USERNAME");
            var password = context.Environment.GetVariable("QUALYS_PASSWORD");
            if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
            {
                _console.MarkupLine("QUALYS_USERNAME / QUALYS_PASSWORD are not both set: type them for this session only (they are [bold]not[/] written anywhere).");
                username = string.IsNullOrEmpty(username) ? Ask("Qualys user name", null, null) : username;
                password = string.IsNullOrEmpty(password) ? _console.Prompt(new TextPrompt<string>("Qualys password:").Secret()) : password;
            }
            else
            {
                _console.MarkupLine($"Credentials from the environment: user [bold]{Markup.Escape(username)}[/].");
            }

            // Test Connection, as the plugin's button; without it the lists are typed by hand.
            var catalog = catalogFactory(new InitConnection(platform, apiUrl, username, password, proxy));
            using var disposeCatalog = catalog as IDisposable;
            try
            {
                await catalog.TestConnectionAsync(cancellationToken).ConfigureAwait(false);
                _console.MarkupLine("[green]Test connection: OK.[/]");
                _catalog = catalog;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _console.MarkupLine($"[red]Test connection failed:[/] {Markup.Escape(e.Message)}");
                if (!_console.Confirm("Continue without live lists (type the values yourself)?", defaultValue: false))
                {
                    return ExitCodes.ApiError;
                }
            }

            // Target.
            var answers = new InitAnswers { Platform = platform, ApiUrl = apiUrl, Proxy = proxy };
            var kind = Select("Scan [bold]target[/]", ["Host(s)", "AWS EC2 instance"], null);
            if (string.Equals(kind, "Host(s)", StringComparison.Ordinal))
            {
                var hosts = Ask("Host(s): IPv4/IPv6 addresses, ranges or CIDR, comma-separated", null, ValidateHosts);
                var network = await PickAsync("Qualys [bold]network[/]", c => c.NetworksAsync(cancellationToken), "(default network)", cancellationToken).ConfigureAwait(false);
                var scanners = await ListAsync(c => c.ScannersAsync(network, cancellationToken)).ConfigureAwait(false);
                var scannerChoices = new List<CatalogItem> { new("External", "External (Qualys cloud scanners)") };
                if (network is not null)
                {
                    scannerChoices.Add(new("all-in-network", "All scanners in the network"));
                }

                scannerChoices.AddRange(scanners ?? []);
                var scanner = PickFrom("Scanner [bold]appliance[/]", scannerChoices, allowTyping: true);
                answers = answers with
                {
                    Hosts = [.. hosts.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    NetworkId = network,
                    Scanner = scanner,
                };
            }
            else
            {
                var instance = Ask("EC2 instance id (i-…)", null, v => v.StartsWith("i-", StringComparison.Ordinal) ? null : "an instance id starts with i-");
                var connector = await PickAsync("Qualys [bold]EC2 connector[/]", c => c.ConnectorsAsync(cancellationToken), null, cancellationToken).ConfigureAwait(false);
                var scanners = await ListAsync(c => c.ScannersAsync(null, cancellationToken)).ConfigureAwait(false);
                var scanner = PickFrom("Scanner [bold]appliance[/]", [new("External", "External (Qualys cloud scanners)"), .. scanners ?? []], allowTyping: true);
                answers = answers with
                {
                    Ec2Instance = instance,
                    Ec2Connector = connector,
                    RunConnector = _console.Confirm("Run the connector before each scan?", defaultValue: true),
                    Ec2Region = AskOptional("AWS region (empty: the instance's region)", null),
                    Scanner = scanner,
                };
            }

            var profile = await PickAsync("Option [bold]profile[/]", c => c.OptionProfilesAsync(cancellationToken), null, cancellationToken, "Initial Options").ConfigureAwait(false);
            answers = answers with { OptionProfile = profile ?? "Initial Options" };

            // Criteria.
            var severity = Select("Fail on [bold]severity[/] or above", ["none", "5", "4", "3", "2", "1"], "4");
            answers = answers with
            {
                FailOnSeverity = string.Equals(severity, "none", StringComparison.Ordinal) ? null : int.Parse(severity, CultureInfo.InvariantCulture),
                FailOnQids = AskOptional("Fail on QIDs (e.g. 38170,38173-38175; empty for none)", ValidateQids),
                FailOnCves = AskOptional("Fail on CVEs (e.g. CVE-2021-44228; empty for none)", ValidateCves),
                FailOnCvss3 = AskOptional("Fail on CVSS v3 base score at or above (0.0-10.0; empty for none)", ValidateScore),
                FailOnPci = _console.Confirm("Fail on PCI vulnerabilities?", defaultValue: false),
                IncludePotential = _console.Confirm("Apply the criteria to potential vulnerabilities too?", defaultValue: false),
                ExcludeQids = AskOptional("Ignore QIDs (empty for none)", ValidateQids),
                ExcludeCves = AskOptional("Ignore CVEs (empty for none)", ValidateCves),
            };

            // Timing and outcomes.
            answers = answers with
            {
                ScanName = Ask("Scan name template", "[job_name]_build_[build_number]", null),
                PollInterval = Ask("Poll interval (30s, 2m, or minutes like 2)", "2m", ValidateDuration),
                Timeout = Ask("Timeout (60m, 2h, or minutes like 60*2)", "60m", ValidateDuration),
                OnHostDown = Select("When the host is down", ["fail", "warn", "pass"], "fail"),
            };
            var ci = Select("Print the pipeline for", ["github", "gitlab", "azure", "jenkins", "none"], null);

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                await File.WriteAllTextAsync(path, InitOutput.ToYaml(answers), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await context.Error.WriteLineAsync($"scangate init: --file '{file}': cannot write it ({e.Message}).").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            _console.MarkupLine($"[green]Wrote[/] {Markup.Escape(path)}");
            if (!string.Equals(ci, "none", StringComparison.Ordinal))
            {
                var fragment = PipelineGenerator.Generate(new PipelineRequest
                {
                    Ci = PipelineCommand.Parse(ci),
                    Arguments = InitOutput.PipelineArguments(answers, file),
                });
                await context.Out.WriteAsync(fragment.AsMemory(), cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Pass;
        }

        private async Task<IReadOnlyList<CatalogItem>?> ListAsync(Func<IQualysCatalog, Task<IReadOnlyList<CatalogItem>>> list)
        {
            if (_catalog is null)
            {
                return null;
            }

            try
            {
                return await list(_catalog).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _console.MarkupLine($"[yellow]Could not read the list:[/] {Markup.Escape(e.Message)}");
                return null;
            }
        }

        /// <summary>A live list with an optional "none" entry; typed by hand when the list is unavailable.</summary>
        private async Task<string?> PickAsync(string title, Func<IQualysCatalog, Task<IReadOnlyList<CatalogItem>>> list, string? noneLabel, CancellationToken cancellationToken, string? fallback = null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var items = await ListAsync(list).ConfigureAwait(false);
            if (items is null || items.Count == 0)
            {
                if (items is not null)
                {
                    _console.MarkupLine($"{title}: the list is empty.");
                }

                var plain = Markup.Remove(title);
                var typed = noneLabel is null && fallback is null ? Ask(plain, null, null) : AskOptional($"{plain} (empty: {noneLabel ?? fallback})", null);
                return typed ?? fallback;
            }

            var choices = new List<CatalogItem>();
            if (noneLabel is not null)
            {
                choices.Add(new(string.Empty, noneLabel));
            }

            choices.AddRange(items);
            var picked = PickFrom(title, choices, allowTyping: false);
            return picked.Length == 0 ? null : picked;
        }

        private string PickFrom(string title, List<CatalogItem> choices, bool allowTyping)
        {
            var all = new List<CatalogItem>(choices);
            if (allowTyping)
            {
                all.Add(new(TypeOwn, "(type a name)"));
            }

            var picked = _console.Prompt(new SelectionPrompt<CatalogItem>()
                .Title(title)
                .PageSize(12)
                .UseConverter(item => Markup.Escape(item.Label))
                .AddChoices(all));
            Echo(title, picked.Label);
            return string.Equals(picked.Value, TypeOwn, StringComparison.Ordinal) ? Ask(Markup.Remove(title), null, null) : picked.Value;
        }

        private string Select(string title, IReadOnlyList<string> choices, string? preferred)
        {
            var ordered = choices.ToList();
            if (preferred is not null && ordered.Remove(preferred))
            {
                ordered.Insert(0, preferred);
            }

            var picked = _console.Prompt(new SelectionPrompt<string>().Title(title).PageSize(14).UseConverter(Markup.Escape).AddChoices(ordered));
            Echo(title, picked);
            return picked;
        }

        // A terminal clears the selection list once answered: keep the answer visible, as the text prompts do.
        private void Echo(string title, string answer) => _console.MarkupLine($"{title}: [bold]{Markup.Escape(answer)}[/]");

        private string Ask(string question, string? defaultValue, Func<string, string?>? validate)
        {
            // The default is shown and applied here: Spectre renders DefaultValue as markup, and a value such as
            // "[job_name]_build" is not markup.
            var shown = defaultValue is null ? question : $"{question} ({defaultValue})";
            var prompt = new TextPrompt<string>(Markup.Escape(shown) + ":");
            if (defaultValue is not null)
            {
                prompt.AllowEmpty();
            }

            prompt.Validate(value =>
                string.IsNullOrWhiteSpace(value) ? (defaultValue is null ? ValidationResult.Error("A value is required.") : ValidationResult.Success())
                : validate?.Invoke(value.Trim()) is { } error ? ValidationResult.Error(Markup.Escape(error))
                : ValidationResult.Success());
            var answer = _console.Prompt(prompt).Trim();
            return answer.Length == 0 && defaultValue is not null ? defaultValue : answer;
        }

        private string? AskOptional(string question, Func<string, string?>? validate)
        {
            var prompt = new TextPrompt<string>(Markup.Escape(question) + ":").AllowEmpty();
            prompt.Validate(value =>
                string.IsNullOrWhiteSpace(value) ? ValidationResult.Success()
                : validate?.Invoke(value.Trim()) is { } error ? ValidationResult.Error(Markup.Escape(error))
                : ValidationResult.Success());
            var answer = _console.Prompt(prompt).Trim();
            return answer.Length == 0 ? null : answer;
        }
    }

    // ---------- validation (the plugin form's doCheck* messages, with the value) ----------

    // Plain http only to loopback (the emulator), as the client allows.
    internal static string? ValidateHttpsUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri)
        && (string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) || (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) && uri.IsLoopback))
            ? null
            : $"'{value}' is not an https:// URL.";

    internal static string? ValidateOptionalUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal) || string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal))
            ? (string.IsNullOrEmpty(uri.UserInfo) ? null : "no credentials in the proxy URL here: set HTTPS_PROXY in the CI secrets instead.")
            : $"'{value}' is not an http(s):// URL.";

    internal static string? ValidateHosts(string value)
    {
        foreach (var part in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var address = part.Split('/')[0].Split('-')[0];
            if (!System.Net.IPAddress.TryParse(address, out _))
            {
                return $"'{part}' is not an IPv4/IPv6 address, range or CIDR block.";
            }
        }

        return null;
    }

    internal static string? ValidateQids(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var bounds = part.Split('-');
            if (bounds.Length > 2 || bounds.Any(b => !uint.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                || (bounds.Length == 2 && uint.Parse(bounds[0], CultureInfo.InvariantCulture) > uint.Parse(bounds[1], CultureInfo.InvariantCulture)))
            {
                return $"'{part}' is not a QID or a range a-b with a <= b.";
            }
        }

        return null;
    }

    internal static string? ValidateCves(string value)
    {
        foreach (var part in value.Split(',', StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('-');
            if (pieces.Length != 3 || !string.Equals(pieces[0], "CVE", StringComparison.OrdinalIgnoreCase) || pieces[1].Length != 4 || !pieces[1].All(char.IsAsciiDigit)
                || pieces[2].Length < 4 || pieces[2].Length > 7 || !pieces[2].All(char.IsAsciiDigit))
            {
                return $"'{part}' is not a CVE id (CVE-YYYY-NNNN).";
            }
        }

        return null;
    }

    internal static string? ValidateScore(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var score) && score is >= 0 and <= 10 ? null : $"'{value}' is not a number from 0.0 to 10.0.";

    internal static string? ValidateDuration(string value)
    {
        var text = value.Trim();
        if (text.Split('*').All(p => p.Length > 0 && p.All(char.IsAsciiDigit)))
        {
            return null; // the plugin's minute expressions: 5, 60*2
        }

        var rest = text.AsSpan();
        var any = false;
        while (!rest.IsEmpty)
        {
            var digits = 0;
            while (digits < rest.Length && char.IsAsciiDigit(rest[digits]))
            {
                digits++;
            }

            if (digits == 0 || digits == rest.Length || "smh".IndexOf(rest[digits]) < 0)
            {
                return $"'{value}' is not a duration like 30s, 2m, 1h30m or 60*2.";
            }

            rest = rest[(digits + 1)..];
            any = true;
        }

        return any ? null : $"'{value}' is not a duration.";
    }

    /// <summary>The live lists from the Qualys client (the plugin form's dropdown calls, §4.2).</summary>
    internal sealed class ClientCatalog(QualysClient client) : IQualysCatalog, IDisposable
    {
        public static IQualysCatalog Create(CliContext context, InitConnection connection)
        {
            QualysPlatform platform;
            try
            {
                platform = QualysPlatform.Resolve(connection.Platform, connection.ApiUrl);
            }
            catch (ArgumentException e)
            {
                return new FailedCatalog(e.Message);
            }

            var options = new QualysClientOptions
            {
                Platform = platform,
                Username = connection.Username,
                Password = connection.Password,
                Proxy = connection.Proxy is null ? null : new QualysProxyOptions { Url = new Uri(connection.Proxy) },
                RequestTimeout = TimeSpan.FromSeconds(30),
                MaxTransientRetries = 1,
            };
            var client = context.HttpHandlerFactory is { } handler
                ? new QualysClient(options, handler(), context.Time)
                : QualysClient.Create(options, context.Environment, context.Time);
            return new ClientCatalog(client);
        }

        public async Task TestConnectionAsync(CancellationToken cancellationToken) =>
            await client.TestConnectionAsync(cancellationToken).ConfigureAwait(false);

        public async Task<IReadOnlyList<CatalogItem>> NetworksAsync(CancellationToken cancellationToken) =>
            [.. (await client.ListNetworksAsync(cancellationToken).ConfigureAwait(false)).Select(n => new CatalogItem(n.Id, $"{n.Name} ({n.Id})"))];

        public async Task<IReadOnlyList<CatalogItem>> ScannersAsync(string? networkId, CancellationToken cancellationToken) =>
            [.. (await client.ListAppliancesAsync(networkId, cancellationToken).ConfigureAwait(false))
                .Select(a => new CatalogItem(a.Name, a.Status is null ? a.Name : $"{a.Name} ({a.Status})"))];

        public async Task<IReadOnlyList<CatalogItem>> OptionProfilesAsync(CancellationToken cancellationToken) =>
            [.. (await client.ListOptionProfilesAsync(OptionProfileKind.Vm, cancellationToken).ConfigureAwait(false))
                .OrderByDescending(p => p.IsDefault).Select(p => new CatalogItem(p.Title, p.IsDefault ? $"{p.Title} (default)" : p.Title))];

        public async Task<IReadOnlyList<CatalogItem>> ConnectorsAsync(CancellationToken cancellationToken) =>
            [.. (await client.SearchAwsConnectorsAsync(null, cancellationToken).ConfigureAwait(false))
                .Where(c => !string.IsNullOrEmpty(c.Name))
                .Select(c => new CatalogItem(c.Name!, c.State is null ? c.Name! : $"{c.Name} ({c.State})"))];

        public void Dispose() => client.Dispose();
    }

    /// <summary>A connection that cannot even be built (bad platform or URL): Test Connection reports why.</summary>
    private sealed class FailedCatalog(string reason) : IQualysCatalog
    {
        public Task TestConnectionAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(reason);

        public Task<IReadOnlyList<CatalogItem>> NetworksAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(reason);

        public Task<IReadOnlyList<CatalogItem>> ScannersAsync(string? networkId, CancellationToken cancellationToken) => throw new InvalidOperationException(reason);

        public Task<IReadOnlyList<CatalogItem>> OptionProfilesAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(reason);

        public Task<IReadOnlyList<CatalogItem>> ConnectorsAsync(CancellationToken cancellationToken) => throw new InvalidOperationException(reason);
    }
}
