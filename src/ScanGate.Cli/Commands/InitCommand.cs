using System.CommandLine;
using ScanGate.Configuration;
using ScanGate.Pipelines;
using ScanGate.Qualys;
using Spectre.Console;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate init</c>: the plugin's configuration form in a terminal. Platform, credentials from the environment,
/// Test Connection (with a second chance: re-enter the credentials or the platform), target, scanner, option profile
/// or EC2 connector picked from live lists, criteria and timing; writes the whole configuration, criteria included,
/// into <c>scangate.yml</c> (never a credential) and prints the pipeline that runs it. Every answer is checked by the
/// rule <c>scan</c> uses (<see cref="SettingRules"/>), and the file by <see cref="ScanConfiguration"/> itself before it
/// is written; no answer is thrown away without asking.
/// </summary>
internal static class InitCommand
{
    private const string TypeOwn = "\u0000type";

    // A property, not a field: the platform table is built when init asks, not at every start of scangate.
    internal static string[] Platforms => [.. QualysPlatform.KnownCodes];

    internal const string PrivateCloud = "Private cloud (API URL)";

    // What to do after a failed Test Connection.
    internal const string RetryCredentials = "Re-enter the user name and password";
    internal const string RetryPlatform = "Choose another platform, API URL or proxy";
    internal const string ContinueOffline = "Continue without live lists (type the values yourself)";
    internal const string Quit = "Quit";

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
            + "live lists, set criteria, write scangate.yml (criteria included) and print the pipeline that runs it. Needs a terminal.");
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

    /// <summary>
    /// The rule <c>scan</c> applies to the value of <paramref name="key"/> (a scangate.yml key), as init asks it: null
    /// when accepted, else the message <c>scan</c> would give for that key in the file.
    /// </summary>
    internal static string? Check(string key, string value)
    {
        try
        {
            _ = key switch
            {
                "api_url" => SettingRules.ApiUrl(key, value),
                "proxy" => SettingRules.Proxy(key, value),
                "host" => SettingRules.Hosts(key, [value]),
                "network_id" => SettingRules.NetworkId(key, value),
                "ec2_instance" => SettingRules.Ec2Instance(key, value),
                "scanner" or "option_profile" or "ec2_connector" => SettingRules.Name(key, value),
                "scan_name" => ScanTitle.Expand(value, CiEnvironment.LocalJobName, "local", DateTimeOffset.UnixEpoch, key),
                "poll_interval" => SettingRules.PollInterval(key, value),
                "timeout" => SettingRules.Timeout(key, value),
                "fail_on_severity" => SettingRules.Severity(key, value),
                "fail_on_qids" or "exclude_qids" => SettingRules.Qids(key, [value]),
                "fail_on_cves" or "exclude_cves" => SettingRules.Cves(key, [value]),
                "fail_on_cvss2" or "fail_on_cvss3" => SettingRules.CvssThreshold(key, value),
                _ => (object)value,
            };
            return null;
        }
        catch (ConfigurationException e)
        {
            return e.Message;
        }
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

            var connection = AskEndpoint(null);
            connection = AskCredentials(connection, fromEnvironment: true);
            IQualysCatalog? tested = null;
            try
            {
                // Test Connection, as the plugin's button; a failure offers a second chance instead of losing the answers.
                while (true)
                {
                    tested = catalogFactory(connection);
                    try
                    {
                        await tested.TestConnectionAsync(cancellationToken).ConfigureAwait(false);
                        _console.MarkupLine("[green]Test connection: OK.[/]");
                        _catalog = tested;
                        break;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _console.MarkupLine($"[red]Test connection failed:[/] {Markup.Escape(e.Message)}");
                        (tested as IDisposable)?.Dispose();
                        tested = null;
                    }

                    var next = AfterFailedTest();
                    if (next is null)
                    {
                        _console.MarkupLine("Nothing written.");
                        return ExitCodes.ApiError;
                    }

                    if (string.Equals(next, ContinueOffline, StringComparison.Ordinal))
                    {
                        break;
                    }

                    connection = string.Equals(next, RetryCredentials, StringComparison.Ordinal)
                        ? AskCredentials(connection, fromEnvironment: false)
                        : AskEndpoint(connection);
                }

                var answers = new InitAnswers { Platform = connection.Platform, ApiUrl = connection.ApiUrl, Proxy = connection.Proxy };
                answers = await AskTargetAsync(answers, cancellationToken).ConfigureAwait(false);
                answers = await AskProfileAsync(answers, cancellationToken).ConfigureAwait(false);
                answers = AskCriteria(answers);
                answers = AskTiming(answers);
                answers = await ReviewAsync(answers, path, cancellationToken).ConfigureAwait(false);
                var ci = Select("Print the pipeline for", ["github", "gitlab", "azure", "jenkins", "none"], null);
                return await WriteAsync(answers, path, file, ci, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                (tested as IDisposable)?.Dispose();
            }
        }

        /// <summary>Platform (or a private-cloud API URL) and proxy; the user name and password stay as they were.</summary>
        private InitConnection AskEndpoint(InitConnection? current)
        {
            var preferred = current is null ? context.Environment.GetVariable("QUALYS_PLATFORM") : current.Platform ?? PrivateCloud;
            var platform = Select("Qualys [bold]platform[/]", [.. Platforms, PrivateCloud], preferred);
            string? apiUrl = null;
            if (!Platforms.Contains(platform, StringComparer.Ordinal))
            {
                platform = null;
                apiUrl = Ask("API URL (https://qualysapi.…)", current?.ApiUrl ?? context.Environment.GetVariable("QUALYS_API_URL"), v => Check("api_url", v));
            }

            var proxy = AskOptional("HTTP proxy URL (empty for none)", v => Check("proxy", v));
            return new InitConnection(platform, apiUrl, current?.Username ?? string.Empty, current?.Password ?? string.Empty, proxy);
        }

        private InitConnection AskCredentials(InitConnection connection, bool fromEnvironment)
        {
            var username = fromEnvironment ? context.Environment.GetVariable("QUALYS_USERNAME") : null;
            var password = fromEnvironment ? context.Environment.GetVariable("QUALYS_PASSWORD") : null;
            if (!string.IsNullOrEmpty(username) && !string.IsNullOrEmpty(password))
            {
                _console.MarkupLine($"Credentials from the environment: user [bold]{Markup.Escape(username)}[/].");
                return connection with { Username = username, Password = password };
            }

            _console.MarkupLine(fromEnvironment
                ? "QUALYS_USERNAME / QUALYS_PASSWORD are not both set: type them for this session only (they are [bold]not[/] written anywhere)."
                : "Type the user name and password for this session only (they are [bold]not[/] written anywhere).");
            username = string.IsNullOrEmpty(username) ? Ask("Qualys user name", fromEnvironment || connection.Username.Length == 0 ? null : connection.Username, null) : username;
            password = string.IsNullOrEmpty(password) ? _console.Prompt(new TextPrompt<string>("Qualys password:").Secret()) : password;
            return connection with { Username = username, Password = password };
        }

        /// <summary>The choice after a failed Test Connection; null when the user quits and confirms losing the answers.</summary>
        private string? AfterFailedTest()
        {
            while (true)
            {
                var next = Select("What now?", [RetryCredentials, RetryPlatform, ContinueOffline, Quit], null);
                if (!string.Equals(next, Quit, StringComparison.Ordinal))
                {
                    return next;
                }

                if (_console.Confirm("Quit and discard your answers?", defaultValue: false))
                {
                    return null;
                }
            }
        }

        private async Task<InitAnswers> AskTargetAsync(InitAnswers answers, CancellationToken cancellationToken)
        {
            var kind = Select("Scan [bold]target[/]", ["Host(s)", "AWS EC2 instance"], null);
            if (string.Equals(kind, "Host(s)", StringComparison.Ordinal))
            {
                var hosts = Ask("Host(s): IPv4/IPv6 addresses, ranges or CIDR, comma-separated", null, v => Check("host", v));
                var network = await PickAsync("Qualys [bold]network[/]", c => c.NetworksAsync(cancellationToken), "(default network)", "network_id", cancellationToken).ConfigureAwait(false);
                var scanners = await ListAsync(c => c.ScannersAsync(network, cancellationToken)).ConfigureAwait(false);
                var scannerChoices = new List<CatalogItem> { new("External", "External (Qualys cloud scanners)") };
                if (network is not null)
                {
                    scannerChoices.Add(new(Scanning.ScanRequest.AllScannersInNetwork, "All scanners in the network"));
                }

                scannerChoices.AddRange(scanners ?? []);
                var scanner = PickFrom("Scanner [bold]appliance[/]", scannerChoices, allowTyping: true);
                return answers with
                {
                    Hosts = [.. hosts.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
                    NetworkId = network,
                    Scanner = scanner,
                    Ec2Instance = null,
                    Ec2Connector = null,
                    RunConnector = false,
                    Ec2Region = null,
                };
            }

            var instance = Ask("EC2 instance id (i-…)", null, v => Check("ec2_instance", v));
            var connector = await PickAsync("Qualys [bold]EC2 connector[/]", c => c.ConnectorsAsync(cancellationToken), null, "ec2_connector", cancellationToken).ConfigureAwait(false);
            var ec2Scanners = await ListAsync(c => c.ScannersAsync(null, cancellationToken)).ConfigureAwait(false);
            var ec2Scanner = PickFrom("Scanner [bold]appliance[/]", [new("External", "External (Qualys cloud scanners)"), .. ec2Scanners ?? []], allowTyping: true);
            return answers with
            {
                Hosts = [],
                NetworkId = null,
                Ec2Instance = instance,
                Ec2Connector = connector,
                RunConnector = _console.Confirm("Run the connector before each scan?", defaultValue: true),
                Ec2Region = AskOptional("AWS region (empty: the instance's region)", null),
                Scanner = ec2Scanner,
            };
        }

        private async Task<InitAnswers> AskProfileAsync(InitAnswers answers, CancellationToken cancellationToken)
        {
            var profile = await PickAsync("Option [bold]profile[/]", c => c.OptionProfilesAsync(cancellationToken), null, "option_profile", cancellationToken, "Initial Options").ConfigureAwait(false);
            return answers with { OptionProfile = profile ?? "Initial Options" };
        }

        private InitAnswers AskCriteria(InitAnswers answers)
        {
            var severity = Select("Fail on [bold]severity[/] or above", ["none", "5", "4", "3", "2", "1"], "4");
            return answers with
            {
                FailOnSeverity = string.Equals(severity, "none", StringComparison.Ordinal) ? null : SettingRules.Severity("fail_on_severity", severity),
                FailOnQids = AskOptional("Fail on QIDs (e.g. 38170,38173-38175; empty for none)", v => Check("fail_on_qids", v)) is { } qids ? SettingRules.Qids("fail_on_qids", [qids]).Text : null,
                FailOnCves = AskOptional("Fail on CVEs (e.g. CVE-2021-44228; empty for none)", v => Check("fail_on_cves", v)) is { } cves ? SettingRules.Cves("fail_on_cves", [cves]).Text : null,
                FailOnCvss3 = AskOptional("Fail on CVSS v3 base score at or above (greater than 0, at most 10; empty for none)", v => Check("fail_on_cvss3", v)),
                FailOnPci = _console.Confirm("Fail on PCI vulnerabilities?", defaultValue: false),
                IncludePotential = _console.Confirm("Apply the criteria to potential vulnerabilities too?", defaultValue: false),
                ExcludeQids = AskOptional("Ignore QIDs (empty for none)", v => Check("exclude_qids", v)) is { } excludeQids ? SettingRules.Qids("exclude_qids", [excludeQids]).Text : null,
                ExcludeCves = AskOptional("Ignore CVEs (empty for none)", v => Check("exclude_cves", v)) is { } excludeCves ? SettingRules.Cves("exclude_cves", [excludeCves]).Text : null,
            };
        }

        private InitAnswers AskTiming(InitAnswers answers) => answers with
        {
            ScanName = Ask("Scan name template", answers.ScanName ?? ScanTitle.DefaultTemplate, v => Check("scan_name", v)),
            PollInterval = Ask("Poll interval (30s, 2m, or minutes like 2; at least 10s)", answers.PollInterval, v => Check("poll_interval", v)),
            Timeout = Ask("Timeout (60m, 2h, or minutes like 60*2)", answers.Timeout, v => Check("timeout", v)),
            OnHostDown = Select("When the host is down", ["fail", "warn", "pass"], answers.OnHostDown),
        };

        /// <summary>
        /// Reads the file about to be written exactly as <c>scan</c> will (<see cref="ScanConfiguration.BuildPlan"/>):
        /// what it refuses (a timeout shorter than the poll interval, ...) is asked again, not written.
        /// </summary>
        private async Task<InitAnswers> ReviewAsync(InitAnswers answers, string path, CancellationToken cancellationToken)
        {
            while (true)
            {
                try
                {
                    var layers = ConfigurationLayers.ForFileText(InitOutput.ToYaml(answers), Path.GetFileName(path), Path.GetDirectoryName(path)!);
                    ScanConfiguration.BuildPlan(layers, CiEnvironment.Detect(context.Environment), context.Time.GetUtcNow());
                    return answers;
                }
                catch (ConfigurationException e)
                {
                    _console.MarkupLine($"[red]scan would refuse this configuration:[/] {Markup.Escape(e.Message)}");
                }

                var section = Select("Change", ["the timing", "the target and scanner", "the option profile", "the criteria"], null);
                answers = section switch
                {
                    "the timing" => AskTiming(answers),
                    "the target and scanner" => await AskTargetAsync(answers, cancellationToken).ConfigureAwait(false),
                    "the option profile" => await AskProfileAsync(answers, cancellationToken).ConfigureAwait(false),
                    _ => AskCriteria(answers),
                };
            }
        }

        private async Task<int> WriteAsync(InitAnswers answers, string path, string file, string ci, CancellationToken cancellationToken)
        {
            var yaml = InitOutput.ToYaml(answers);
            while (true)
            {
                try
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                    await File.WriteAllTextAsync(path, yaml, cancellationToken).ConfigureAwait(false);
                    break;
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _console.MarkupLine($"[red]Cannot write[/] {Markup.Escape(path)}: {Markup.Escape(e.Message)}");
                    var other = AskOptional("Write it to another file (empty to give up)", null);
                    if (other is not null)
                    {
                        file = other;
                        path = Path.GetFullPath(other, context.WorkingDirectory);
                        continue;
                    }

                    if (_console.Confirm("Discard your answers?", defaultValue: false))
                    {
                        await context.Error.WriteLineAsync($"scangate init: --file '{file}': cannot write it ({e.Message}).").ConfigureAwait(false);
                        return ExitCodes.Usage;
                    }
                }
            }

            _console.MarkupLine($"[green]Wrote[/] {Markup.Escape(path)}");
            var configPath = ConfigPathForPipeline(path);
            if (string.Equals(ci, "none", StringComparison.Ordinal))
            {
                _console.MarkupLine($"Run the gate with: [bold]scangate scan --config {Markup.Escape(PipelineGenerator.Shell(configPath))}[/]");
                return ExitCodes.Pass;
            }

            var fragment = PipelineGenerator.Generate(new PipelineRequest
            {
                Ci = PipelineCommand.Parse(ci),
                Arguments = InitOutput.PipelineArguments(configPath),
            });
            await context.Out.WriteAsync(fragment.AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Pass;
        }

        // The pipeline runs from the repository root, where init normally runs: a path under it stays relative.
        private string ConfigPathForPipeline(string path)
        {
            var relative = Path.GetRelativePath(context.WorkingDirectory, path);
            return Path.IsPathRooted(relative) || relative.StartsWith("..", StringComparison.Ordinal) ? path : relative.Replace('\\', '/');
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

        /// <summary>A live list with an optional "none" entry; typed by hand (checked as <paramref name="key"/>) when the list is unavailable.</summary>
        private async Task<string?> PickAsync(string title, Func<IQualysCatalog, Task<IReadOnlyList<CatalogItem>>> list, string? noneLabel, string key, CancellationToken cancellationToken, string? fallback = null)
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
                var typed = noneLabel is null && fallback is null
                    ? Ask(plain, null, v => Check(key, v))
                    : AskOptional($"{plain} (empty: {noneLabel ?? fallback})", v => Check(key, v));
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
            return string.Equals(picked.Value, TypeOwn, StringComparison.Ordinal) ? Ask(Markup.Remove(title), null, v => Check("scanner", v)) : picked.Value;
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
