using System.CommandLine;

namespace ScanGate.Cli.Commands;

/// <summary><c>scangate test-connection</c>: checks platform, credentials and proxy the way every scan starts.</summary>
internal static class TestConnectionCommand
{
    public static Command Create(CliContext context)
    {
        var options = new QualysCliOptions();
        var json = new Option<bool>("--json") { Description = "Print the result as JSON." };
        var command = new Command("test-connection", "Check that Qualys is reachable and accepts the credentials (exit 0), or say why not (exit 3).\n" + ScanGateCli.ExitCodeHelp);
        options.AddTo(command);
        command.Options.Add(json);
        command.SetAction((parseResult, cancellationToken) => QualysCommandRunner.RunAsync(context, options, parseResult, async (client, console) =>
        {
            var check = await client.TestConnectionAsync(cancellationToken);
            if (parseResult.GetValue(json))
            {
                QualysCommandRunner.WriteJson(context.Out,
                [
                    new Dictionary<string, object?>(StringComparer.Ordinal)
                    {
                        ["ok"] = true,
                        ["platform"] = client.Platform.Code,
                        ["api_url"] = client.Platform.ApiUrl.ToString(),
                        ["method"] = check.Method,
                        ["modules"] = check.Modules,
                        ["web_version"] = check.WebVersion,
                    },
                ]);
            }
            else
            {
                var detail = check.WebVersion is not null ? $"QWEB {check.WebVersion}" : $"modules {string.Join(", ", check.Modules)}";
                await context.Out.WriteLineAsync(ScanConsole.Clean($"Connection OK: {client.Platform.Code} {client.Platform.ApiUrl} ({check.Method} check, {detail})."));
            }

            return ExitCodes.Pass;
        }));
        return command;
    }
}
