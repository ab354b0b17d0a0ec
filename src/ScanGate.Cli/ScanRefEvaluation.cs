using System.CommandLine;
using ScanGate.Cli.Options;
using ScanGate.Configuration;
using ScanGate.Scanning;

namespace ScanGate.Cli;

/// <summary>
/// <c>scangate evaluate --scan-ref REF</c>: fetch and judge a finished scan without launching one. Writes the same
/// files as <c>scan</c> (<c>qualys_&lt;ref&gt;.json</c>, <c>scangate-result.json</c> with <c>source.kind</c>
/// <c>scan_ref</c>).
/// </summary>
internal sealed class ScanRefEvaluation
{
    public Option<string?> ScanRef { get; } = new("--scan-ref") { Description = "Judge this finished Qualys scan (e.g. scan/1764324000.12345) instead of a RESULT_FILE; needs the connection flags.", HelpName = "REF" };

    public QualysCliOptions Qualys { get; } = new();

    public void AddTo(Command command)
    {
        command.Options.Add(ScanRef);
        Qualys.AddTo(command);
    }

    public async Task<int> RunAsync(CliContext context, ParseResult parseResult, PolicyCliOptions policy, string outputDirectory, Func<ScanOutcome, Task<int>> finish, CancellationToken cancellationToken)
    {
        var reference = parseResult.GetValue(ScanRef)!.Trim();
        var console = new ScanConsole(context, Verbosity.Normal);
        QualysClientScanPort port;
        IScanJudge judge;
        try
        {
            if (!reference.Contains('/', StringComparison.Ordinal))
            {
                throw new ConfigurationException("--scan-ref", reference, "not a scan reference (like scan/1764324000.12345).");
            }

            var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var connection = ScanConfiguration.BuildConnection(Qualys.Layers(parseResult, context, flags), Qualys.PasswordSource(parseResult), context.In);
            judge = ScanServices.CreateJudge(context, policy, parseResult, null);
            port = ScanServices.CreatePort(context, connection, console, TimeSpan.FromHours(1));
        }
        catch (ConfigurationException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Usage;
        }

        using (port)
        {
            var outcome = await new ScanLifecycle(port, judge, context.Time, console).EvaluateExistingAsync(reference, outputDirectory, HostDownAction.Fail, cancellationToken);
            if (!outcome.Outcome.HasVerdict())
            {
                console.Error(outcome.Message);
            }

            console.Summary(outcome);
            return await finish(outcome);
        }
    }
}
