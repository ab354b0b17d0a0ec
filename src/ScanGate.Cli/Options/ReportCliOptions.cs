using System.CommandLine;
using Microsoft.Extensions.Logging;
using ScanGate.Reports;

namespace ScanGate.Cli.Options;

/// <summary>
/// The output flags shared by <c>scan</c> and <c>evaluate</c>: <c>--report</c>, <c>--sarif-target</c>, <c>--webhook</c>
/// and <c>--webhook-secret-env</c>. Reports are rendered from the written scangate-result.json; the webhook follows.
/// </summary>
internal sealed class ReportCliOptions
{
    /// <summary>What to render after a run: formats, the SARIF anchor file and the optional webhook.</summary>
    public sealed record ReportRequest(IReadOnlyList<ReportFormat> Formats, string? SarifTarget = null, string? WebhookUrl = null, string? WebhookSecretVariable = null);

    public Option<string> Report { get; } = new("--report")
    {
        Description = $"Comma-separated report formats to write into the output directory: {ReportFormats.Names} (default {ReportFormats.DefaultValue}).",
        DefaultValueFactory = _ => ReportFormats.DefaultValue,
        HelpName = "FORMATS",
    };

    public Option<string?> SarifTarget { get; } = new("--sarif-target")
    {
        Description = $"Repository file SARIF results point at (host findings have no source file; default {ReportOptions.DefaultSarifTarget}).",
        HelpName = "FILE",
    };

    public Option<string?> Webhook { get; } = new("--webhook")
    {
        Description = "POST the verdict (the plugin's webhook payload plus ScanGate's) to this URL. A failed webhook is logged and never changes the verdict.",
        HelpName = "URL",
    };

    public Option<string?> WebhookSecretEnv { get; } = new("--webhook-secret-env")
    {
        Description = $"Environment variable holding the HMAC-SHA256 key for the {WebhookOptions.SignatureHeader} header (default {WebhookOptions.DefaultSecretVariable}, used when set; when this flag names a variable, it must be set).",
        HelpName = "NAME",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Report);
        command.Options.Add(SarifTarget);
        command.Options.Add(Webhook);
        command.Options.Add(WebhookSecretEnv);
    }

    /// <summary>Checks the flags before any work starts; returns the error (naming flag and value) or null.</summary>
    public string? Validate(ParseResult parseResult)
    {
        try
        {
            ReportFormats.Parse(parseResult.GetValue(Report), "--report");
        }
        catch (ReportFormatException e)
        {
            return e.Message;
        }

        return parseResult.GetValue(Webhook) is { } url ? WebhookSender.Validate(url) : null;
    }

    /// <summary>Renders the reports and posts the webhook the flags ask for; see the other overload.</summary>
    public Task<int> RenderAsync(
        ParseResult parseResult,
        CliContext context,
        string resultJsonPath,
        string outputDirectory,
        int verdictExitCode,
        CancellationToken cancellationToken) =>
        RenderAsync(
            context,
            resultJsonPath,
            outputDirectory,
            new ReportRequest(
                ReportFormats.Parse(parseResult.GetValue(Report), "--report"),
                parseResult.GetValue(SarifTarget),
                parseResult.GetValue(Webhook),
                parseResult.GetValue(WebhookSecretEnv)),
            verdictExitCode,
            cancellationToken);

    /// <summary>
    /// Renders the requested reports from <paramref name="resultJsonPath"/>, then posts the webhook. Returns the exit
    /// code to use: <paramref name="verdictExitCode"/>, or 2 when a pass could not write the reports it was asked for
    /// (a green build without its evidence is not a pass we can vouch for).
    /// </summary>
    public static async Task<int> RenderAsync(
        CliContext context,
        string resultJsonPath,
        string outputDirectory,
        ReportRequest request,
        int verdictExitCode,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var exitCode = verdictExitCode;
        try
        {
            // scan, evaluate and demo call this right after writing the result themselves.
            var options = new ReportOptions
            {
                SarifTargetFile = request.SarifTarget,
                Environment = context.Environment,
                ResultFileJustWritten = true,

                // The Markdown summary goes to the CI job page by itself; SCANGATE_CI_SUMMARY=false turns that off.
                PublishCiSummary = !string.Equals(context.Environment.GetVariable(ReportOptions.CiSummaryVariable)?.Trim(), "false", StringComparison.OrdinalIgnoreCase),
            };
            var rendered = await ReportRenderer.RenderAsync(resultJsonPath, request.Formats, outputDirectory, options, cancellationToken).ConfigureAwait(false);
            foreach (var file in rendered.Files)
            {
                await context.Error.WriteLineAsync($"Wrote {file.Format.ToString().ToLowerInvariant()} report: {file.Path}").ConfigureAwait(false);
            }

            foreach (var line in rendered.ConsoleLines)
            {
                await context.Out.WriteLineAsync(line).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ResultFileException or IOException or UnauthorizedAccessException)
        {
            await context.Error.WriteLineAsync($"error: could not write the reports into '{outputDirectory}': {e.Message}").ConfigureAwait(false);
            if (exitCode == ExitCodes.Pass)
            {
                exitCode = ExitCodes.Usage;
            }
        }

        if (request.WebhookUrl is { } url)
        {
            var options = new WebhookOptions
            {
                Url = new Uri(url),
                SecretVariable = request.WebhookSecretVariable ?? WebhookOptions.DefaultSecretVariable,
                SecretRequired = request.WebhookSecretVariable is not null,
            };
            using var handler = context.HttpHandlerFactory?.Invoke() ?? new SocketsHttpHandler();
            var sender = new WebhookSender(handler, context.Time, context.Environment, new TextWriterLogger(context.Error));
            var delivery = await sender.SendAsync(resultJsonPath, options, cancellationToken).ConfigureAwait(false);
            await context.Error.WriteLineAsync(delivery.Delivered
                ? $"Webhook delivered to {WebhookSender.Redact(url)} (HTTP {delivery.StatusCode}, attempt {delivery.Attempts})."
                : $"warning: webhook to {WebhookSender.Redact(url)} failed after {delivery.Attempts} attempt(s): {delivery.Error}. The verdict is unchanged.").ConfigureAwait(false);
        }

        return exitCode;
    }

    /// <summary>Routes library log lines (retries, warnings) to the command's stderr.</summary>
    private sealed class TextWriterLogger(TextWriter writer) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                writer.WriteLine($"{(logLevel >= LogLevel.Warning ? "warning: " : string.Empty)}{formatter(state, exception)}");
            }
        }
    }
}
